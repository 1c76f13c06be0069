// `npm run bench`: runs the benchmark, prints the report and writes
// BENCHMARKS.md (full mode only, unless --out is given). See --help.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FULL, runBench, SMOKE, type BenchOptions, type BenchResults } from "./bench";
import { renderMarkdown } from "./report";

const HELP = `Usage: npm run bench -- [options]

  --smoke                 tiny sizes, short runs; writes nothing unless --out is given
  --sizes 10,1000,...     rule counts of the micro-benchmark (default 10,1000,10000,100000)
  --e2e-rules N           rules in the end-to-end config (default 10000)
  --rounds N              end-to-end rounds per target (default 5)
  --round-seconds S       seconds per round (default 5)
  --connections N         autocannon connections (default 10)
  --ab-pairs N            pairs of the observability A/B (log line and data point on/off; default 24, 0 skips it)
  --no-e2e                skip the end-to-end part
  --e2e-only              only the end-to-end part (no micro-benchmark, fresh isolates or profiles); writes nothing unless --out is given
  --isolate-only          only the bundle and part 2 (fresh isolates, cron run, refresh in workerd)
                          with its two profiles; no micro-benchmark, end to end or load profiles
  --cold-sizes 10,1000    rule counts of the fresh-isolate part (default 10,1000,10000,100000)
  --cold-samples N        fresh workerd processes per rule count (default 5)
  --no-profile            skip every CPU profile
  --out FILE              where to write the report (default BENCHMARKS.md in full mode)
  --json FILE             also write the raw results as JSON
  --from-json FILE        render the report from results saved with --json, without measuring
`;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const { values } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    sizes: { type: "string" },
    "e2e-rules": { type: "string" },
    "ab-pairs": { type: "string" },
    rounds: { type: "string" },
    "round-seconds": { type: "string" },
    connections: { type: "string" },
    "no-e2e": { type: "boolean", default: false },
    "e2e-only": { type: "boolean", default: false },
    "isolate-only": { type: "boolean", default: false },
    "cold-sizes": { type: "string" },
    "cold-samples": { type: "string" },
    "no-profile": { type: "boolean", default: false },
    out: { type: "string" },
    json: { type: "string" },
    "from-json": { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(value)}`);
  return n;
}

const base = values.smoke ? SMOKE : FULL;
const isolateOnly = values["isolate-only"];
const e2e =
  values["no-e2e"] || isolateOnly || !base.e2e
    ? undefined
    : {
        ...base.e2e,
        ruleCount: positive("e2e-rules", values["e2e-rules"], base.e2e.ruleCount),
        rounds: positive("rounds", values.rounds, base.e2e.rounds),
        roundSeconds: positive("round-seconds", values["round-seconds"], base.e2e.roundSeconds),
        connections: positive("connections", values.connections, base.e2e.connections),
        observabilityPairs: values["ab-pairs"] === "0" ? 0 : positive("ab-pairs", values["ab-pairs"], base.e2e.observabilityPairs),
      };
const e2eOnly = values["e2e-only"];
if (e2eOnly && !e2e) throw new Error("--e2e-only and --no-e2e contradict each other");
if (e2eOnly && isolateOnly) throw new Error("--e2e-only and --isolate-only contradict each other");
const isolate = e2eOnly
  ? undefined
  : base.isolate && {
      ...base.isolate,
      coldSizes: values["cold-sizes"] ? values["cold-sizes"].split(",").map((s) => positive("cold-sizes", s, 0)) : base.isolate.coldSizes,
      coldSamples: positive("cold-samples", values["cold-samples"], base.isolate.coldSamples),
    };
const profile = values["no-profile"] || e2eOnly || !base.profile ? undefined : isolateOnly ? { ...base.profile, node: [], workerd: [] } : base.profile;
const options: BenchOptions = {
  ...base,
  sizes: isolateOnly || e2eOnly ? [] : values.sizes ? values.sizes.split(",").map((s) => positive("sizes", s, 0)) : base.sizes,
  isolate,
  profile,
  e2e,
  repoRoot,
  log: (line) => process.stderr.write(`bench: ${line}\n`),
};

const results: BenchResults = values["from-json"]
  ? (JSON.parse(readFileSync(values["from-json"], "utf8")) as BenchResults)
  : await runBench(options);
const markdown = renderMarkdown(results);
process.stdout.write(`${markdown}\n`);
// A partial run (smoke, --isolate-only, --e2e-only) writes BENCHMARKS.md only when asked to.
const out = values.out ?? (results.mode === "smoke" || isolateOnly || e2eOnly ? undefined : join(repoRoot, "BENCHMARKS.md"));
if (out) {
  writeFileSync(out, markdown);
  process.stderr.write(`bench: wrote ${out}\n`);
}
if (values.json) {
  mkdirSync(dirname(values.json), { recursive: true });
  writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
}
