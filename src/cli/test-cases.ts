// `edge-ingress test FILE... --cases CASES.yaml`: checks expected routing for
// users' CI, as Envoy's route table check tool does. A cases file is a YAML
// list of {name?, host, path, method?, headers?, scheme?, expect}, where
// expect is a pool name, 404 or 400, or {status, pool, location, path, host,
// responseHeaders} (any of them). Exits 1 on any mismatch. The decision is
// the Worker's own (src/core/request), run in Node.
import * as v from "valibot";
import { describeSource, type MergeResult } from "../core/config/manifests";
import { got, issuesToProblems } from "../core/config/messages";
import type { RouteMatch } from "../core/routing";
import { outcomeOf, simulate, type Outcome } from "../core/request/simulate";
import { compileRuntime } from "../core/runtime";
import { requestPath } from "./explain";
import { loadConfigFiles, type LoadOptions } from "./load";
import { CliError, EXIT_INVALID, plural, type Io } from "./output";
import { reportLoaded } from "./validate";
import { readYamlFiles } from "./yaml-files";

export interface TestOptions extends LoadOptions {
  readonly cases: string;
}

const testCase = v.strictObject({
  name: v.optional(v.string((i) => `must be a string, got ${got(i.input)}`)),
  host: v.string((i) => `must be the request's Host header, got ${got(i.input)}`),
  path: v.pipe(
    v.string((i) => `must be a path starting with "/", got ${got(i.input)}`),
    v.startsWith("/", (i) => `must be a path starting with "/", got ${got(i.input)}`),
  ),
  method: v.optional(v.pipe(v.string((i) => `must be a method, got ${got(i.input)}`), v.regex(/^[A-Za-z]+$/, (i) => `must be a method, got ${got(i.input)}`))),
  headers: v.optional(v.record(v.string(), v.string((i) => `must be a string, got ${got(i.input)}`))),
  scheme: v.optional(v.picklist(["http", "https"], (i) => `must be http or https, got ${got(i.input)}`)),
  expect: v.union(
    [
      v.pipe(v.string(), v.minLength(1)),
      v.literal(404),
      v.literal(400),
      v.strictObject({
        status: v.optional(v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(599))),
        pool: v.optional(v.string()),
        location: v.optional(v.string()),
        path: v.optional(v.pipe(v.string(), v.description("Path and query the origin receives."))),
        host: v.optional(v.pipe(v.string(), v.description("The Host the origin receives."))),
        responseHeaders: v.optional(v.record(v.string(), v.nullable(v.string()))),
      }),
    ],
    (i) => `must be a pool name, 404, 400 or {status, pool, location, path, host, responseHeaders}, got ${got(i.input)}`,
  ),
});
const casesFile = v.array(testCase, (i) => `must be a list of {host, path, expect} cases, got ${got(i.input)}`);
type TestCase = v.InferOutput<typeof testCase>;

export async function testCommand(files: readonly string[], options: TestOptions, io: Io): Promise<number> {
  const cases = await readCases(options.cases, io);
  const loaded = await loadConfigFiles(files, io, options);
  const config = reportLoaded(loaded, io, "");
  if (!config) return EXIT_INVALID;
  if (!cases) return EXIT_INVALID;

  const runtime = compileRuntime("test", config, { random: () => 0 });
  let failed = 0;
  cases.forEach((c, i) => {
    const request = { host: c.host, path: c.path, ...(c.method ? { method: c.method } : {}), ...(c.headers ? { headers: c.headers } : {}), ...(c.scheme ? { scheme: c.scheme } : {}) };
    const { decision } = simulate(runtime, request);
    const outcome = outcomeOf(runtime, decision);
    const match = decision.kind === "bad-path" || decision.kind === "no-route" ? undefined : decision.match;
    const mismatches = typeof c.expect === "object" ? checkExpectations(c.expect, outcome) : checkShort(c.expect, outcome);
    if (mismatches.length === 0) return;
    failed++;
    const label = c.name === undefined ? `case ${i + 1}` : `case ${i + 1} (${c.name})`;
    const why = decision.kind === "bad-path" ? `(bad request path: ${decision.reason})` : how(match, loaded.merge);
    for (const m of mismatches) {
      const unknown = m.pool !== undefined && !config.pools.has(m.pool) ? ` (there is no pool named ${JSON.stringify(m.pool)})` : "";
      io.out(`FAIL ${label}: host ${c.host} path ${c.path}: expected ${m.expected}${unknown}, got ${m.actual} ${why}`);
    }
  });
  io.out(`${plural(cases.length, "case")}: ${cases.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : EXIT_INVALID;
}

async function readCases(file: string, io: Io): Promise<TestCase[] | undefined> {
  const yaml = await readYamlFiles([file], io.cwd);
  const problems = [...yaml.syntaxProblems];
  const value = yaml.documents.length === 1 ? yaml.documents[0]?.value : yaml.documents.map((d) => d.value);
  const parsed = v.safeParse(casesFile, value ?? [], { abortEarly: false });
  if (parsed.success && problems.length === 0) {
    if (parsed.output.length === 0) throw new CliError(`${file} holds no test cases`);
    return parsed.output;
  }
  if (!parsed.success) for (const p of issuesToProblems(parsed.issues)) problems.push(`${file}: ${p.path}: ${p.message}`);
  for (const problem of problems) io.err(problem);
  io.err(`edge-ingress: ${plural(problems.length, "problem")} in the cases file`);
  return undefined;
}

interface Mismatch {
  readonly expected: string;
  readonly actual: string;
  /** The pool the case names, to say when it does not exist. */
  readonly pool?: string;
}

/** What the router does, in the short form's words: a pool, or the status it answers itself. */
function actual(outcome: Outcome): string {
  if (outcome.pool !== undefined) return `pool ${outcome.pool}`;
  return `${outcome.status}${outcome.location ? ` (Location ${outcome.location})` : ""}`;
}

/** `expect: pool-name | 404 | 400`, as before HTTPRoutes: a weighted rule passes for any pool it may pick. */
function checkShort(expected: string | number, outcome: Outcome): Mismatch[] {
  if (expected === 404 || expected === "404" || expected === 400 || expected === "400") {
    return outcome.status === Number(expected) ? [] : [{ expected: String(expected), actual: actual(outcome) }];
  }
  const pool = String(expected);
  return outcome.pool === pool || outcome.pools.includes(pool) ? [] : [{ expected: `pool ${pool}`, actual: actual(outcome), pool }];
}

function checkExpectations(e: { status?: number; pool?: string; location?: string; path?: string; host?: string; responseHeaders?: Record<string, string | null> }, outcome: Outcome): Mismatch[] {
  const out: Mismatch[] = [];
  if (e.status !== undefined && outcome.status !== e.status) {
    out.push({ expected: `status ${e.status}`, actual: outcome.status === undefined ? `forwarded to pool ${outcome.pool} (the origin's status)` : `status ${outcome.status}` });
  }
  if (e.pool !== undefined && outcome.pool !== e.pool && !outcome.pools.includes(e.pool)) out.push({ expected: `pool ${e.pool}`, actual: actual(outcome), pool: e.pool });
  if (e.location !== undefined && outcome.location !== e.location) out.push({ expected: `Location ${e.location}`, actual: outcome.location === undefined ? "no Location" : `Location ${outcome.location}` });
  if (e.path !== undefined && outcome.upstreamPath !== e.path) out.push({ expected: `origin path ${e.path}`, actual: outcome.upstreamPath === undefined ? "not forwarded" : `origin path ${outcome.upstreamPath}` });
  if (e.host !== undefined && outcome.upstreamHost !== e.host) out.push({ expected: `origin Host ${e.host}`, actual: outcome.upstreamHost === undefined ? "not forwarded" : `origin Host ${outcome.upstreamHost}` });
  for (const [name, value] of Object.entries(e.responseHeaders ?? {})) {
    const got = outcome.responseHeaders.get(name);
    if (got !== value) out.push({ expected: `response header ${name}: ${value ?? "(absent)"}`, actual: got === null ? `no ${name}` : `${name}: ${got}` });
  }
  return out;
}

function how(match: RouteMatch | undefined, merge: MergeResult): string {
  if (!match) return "(no rule matched and no defaultBackend)";
  if (!match.route) return "(from the defaultBackend)";
  return `(rule ${match.route.pathType} ${match.route.path} at ${describeSource(merge, match.route.source)})`;
}
