// BENCHMARKS.md from one run's results: machine and versions, targets, the
// three parts' tables, raw rounds, and for every target not met the evidence
// (explain.ts). Everything here is formatting; no figure is adjusted.
import type { BenchResults } from "./bench";
import { median, type Target } from "./e2e/run";
import { explainMisses } from "./explain";
import { bytes, int, ms, table, us } from "./markdown";
import type { TaskStats } from "./micro/measure";
import { routerOwnMs } from "./targets";
import type { ColdResult } from "./workerd/isolate";

const TARGET_LABEL: Record<Target, string> = {
  router: "router (edge-ingress)",
  routerUnlogged: "router, request log lines off (REQUEST_LOG_SAMPLE_RATE = 0)",
  passThrough: "bare pass-through Worker",
  origin: "origin directly",
};
/** Targets a result holds (results saved before a target existed lack it). */
const targetsIn = (e2e: NonNullable<BenchResults["e2e"]>) => (Object.keys(TARGET_LABEL) as Target[]).filter((t) => e2e.medians[t] !== undefined);

const KIND_LABEL = { plain: "native paths, no filters", httpRoute: "HTTPRoute rules with conditions and weights", policies: "allow list + cookie affinity" } as const;

const pct = (n: number) => `±${n.toFixed(1)}%`;

const perRequestCell = (t: TaskStats) => `${us(t.meanNs)} (${pct(t.rmePercent)})`;

export function renderMicro(results: BenchResults): string {
  const perRequest = table(
    ["rules", "pools", "match", "route + select", "route + select, 8 requests repeated", "full request (+ URL, headers)", "mismatches"],
    results.micro.map((m) => [
      int(m.ruleCount),
      int(m.poolCount),
      perRequestCell(m.perRequest.match),
      perRequestCell(m.perRequest.routeSelect),
      perRequestCell(m.perRequest.routeSelectHot),
      perRequestCell(m.perRequest.fullRequest),
      String(m.mismatches),
    ]),
  );
  const load = table(
    ["rules", "stored JSON", "JSON.parse (cold)", "parseConfig (cold)", "compileRuntime (cold)", "parse, warm (mean)", "compile, warm (mean)", "heap: Config", "heap: compiled Runtime", "route shape changes"],
    results.micro.map((m) => [
      int(m.ruleCount),
      bytes(m.storedBytes),
      ms(m.cold.jsonParseMs),
      ms(m.cold.parseConfigMs),
      ms(m.cold.compileMs),
      ms(m.warm.parse.meanNs / 1e6),
      ms(m.warm.compile.meanNs / 1e6),
      m.memory ? bytes(m.memory.configBytes) : "n/a",
      m.memory ? bytes(m.memory.runtimeBytes) : "n/a",
      m.routeShapes ? `${int(m.routeShapes.changes)} of ${int(m.routeShapes.compared)}` : "n/a",
    ]),
  );
  const kinds = results.decision;
  const byKind = kinds && table(
    ["route kind", "rules", "requests forwarded", "route + select", "decision (+ URL, headers)"],
    kinds.kinds.map((k) => [KIND_LABEL[k.kind], int(k.rules), `${int(k.forwarded)} of ${int(kinds.sampleCount)}`, perRequestCell(k.routeSelect), perRequestCell(k.decision)]),
  );
  return [
    "Per request: mean time per request over batches of every sample request (1,024 in a full run: hits across hosts and paths, about 10% misses; ± is the 95% margin of error of the mean).",
    "`match` is `table.match(host, path)`; `route + select` adds the pool, availability and the policy's pick (what the routing targets are about);",
    "`full request` adds `new URL`, copying the request headers, stripping hop-by-hop fields, the X-Forwarded-* fields and the upstream URL (Node's `URL` and `Headers` are JavaScript; workerd's are native, so this column overstates the Worker's cost).",
    "",
    perRequest,
    "",
    "`8 requests repeated`: route + select over the same 8 requests, so their data stays in the CPU caches; the difference to the column before it is the cost of cache misses.",
    "",
    ...(kinds && byKind ? [
      `By kind of route, ${int(kinds.ruleCount)} generated paths: as plain native paths; as HTTPRoute rules, with one path in four also given a rule that matches a header, a query parameter and the method and splits traffic across two pools by weight (half the requests carry that header and parameter); and as paths with an allow and deny list (AccessControl) on pools with cookie affinity (half the requests carry a session cookie). \`route + select\` is the table's route() with its conditions, the rule's action and backend, its request filters, availability and the pick through the affinity wrapper; \`decision\` is the Worker's code up to the fetch: decide() (which also copies the headers) and the pick. Each kind's figures are its median of ${kinds.processes} fresh processes (by route + select): the same code differs by up to 3x between processes on a shared virtual machine.`,
      "",
      byKind,
      "",
    ] : []),
    "Loading a config: cold = the first run in a fresh process, as a new isolate pays it; warm = mean of repeated runs (tinybench). parse = `JSON.parse` + `parseConfig` (validation and normalization). Heap = retained after a full GC, per copy over enough copies to average out GC noise. Route shape changes: routes of `Config.routes` whose V8 hidden class differs from the route before them (V8's `%HaveSameMap`); few is good.",
    "",
    load,
  ].join("\n");
}

const routerOwnCell = (c: ColdResult) => {
  const own = routerOwnMs(c);
  return own === undefined ? "n/a" : ms(own, 1);
};

export function renderIsolate(results: BenchResults): string {
  const i = results.isolate;
  if (!i) return "Not run.";
  const cell = (values: readonly number[]) => `${ms(median(values), 1)} (${values.map((v) => v.toFixed(1)).join(", ")})`;
  return [
    "The deployed (minified) bundle in workerd, with the KV values the CLI's own code writes (the active value with its digest and prepared form, the version key, the health plan). " +
      "CPU is the whole workerd process's (every thread, from /proc/<pid>/task/*/schedstat), from just before the request until the process is idle again; it includes workerd's HTTP server and client and the KV service Worker, which answers from values it holds JSON-encoded. " +
      "Inside workerd, Date.now() does not advance during CPU work, so the Worker cannot time itself.",
    "",
    "First request of a fresh isolate: one fresh workerd process per sample; median (every sample). The bare pass-through's first request, each in its own fresh workerd, is what workerd spends on a first proxied request without the router. " +
      "The bare KV read is a bare Worker's first request (again in its own fresh workerd) that reads the same keys from the same KV service as the router's first request (the active value and the health state, one get each, at once), writes one log line and proxies: what the local KV service and workerd spend on that I/O. The router's own cost is the first request minus it (medians); the targets are judged on it.",
    "",
    table(
      ["rules", "active value", "first request", "second request (same isolate)", "bare pass-through, first request", "bare KV read + log line + proxy, first request", "router's own", "read"],
      i.cold.map((c) => [int(c.ruleCount), bytes(c.valueBytes), cell(c.cpuMs), cell(c.secondCpuMs), cell(c.passThroughCpuMs), c.kvReadCpuMs ? cell(c.kvReadCpuMs) : "n/a", routerOwnCell(c), c.read]),
    ),
    "",
    `Cron run: ${int(i.cron.ruleCount)} rules, health checks on ${i.cron.checkedOrigins} origins (all on the local origin server); ${i.cron.cpuMs.length} runs in one workerd, the first in a fresh isolate; probes per run ${i.cron.probesPerRun.join(", ")}; CPU per run ${cell(i.cron.cpuMs)}. The same number of concurrent GETs of the origin from a bare Worker (likewise, in one fresh workerd): ${cell(i.cron.fetchesOnlyCpuMs)}.`,
    "",
    `Refresh: ${int(i.refresh.ruleCount)} rules, CONFIG_CACHE_TTL_SECONDS = 1; after the first request, ${i.refresh.refreshes} requests each more than the TTL after the one before; reads counted by the KV service: version key ${i.refresh.versionReads}, active value ${i.refresh.configReads}; config.loaded log lines (a parse and a compile each): ${i.refresh.compiles}; CPU per request with its refresh ${cell(i.refresh.cpuMs)}.`,
  ].join("\n");
}

/** What the request log line costs: the router with and without it, in the same run. */
function unloggedNote(e2e: NonNullable<BenchResults["e2e"]>): string {
  const off = e2e.medians.routerUnlogged as (typeof e2e.medians)["router"] | undefined;
  const on = e2e.medians.router;
  const pass = e2e.medians.passThrough;
  if (!off) return "";
  const cpuLess = on.workerdCpuUs !== undefined && off.workerdCpuUs !== undefined ? `, ${(on.workerdCpuUs - off.workerdCpuUs).toFixed(0)} µs less workerd CPU per request` : "";
  return ` With the request log lines off (REQUEST_LOG_SAMPLE_RATE = 0): throughput ${(off.requestsPerSecond / pass.requestsPerSecond).toFixed(3)}, p50 ${(off.p50Ms / pass.p50Ms).toFixed(3)}${cpuLess}.`;
}

/** The observability A/B (e2e/run.ts): the log line and data point on and off, in pairs. */
function renderObservability(e2e: NonNullable<BenchResults["e2e"]>): string[] {
  const ab = e2e.observability;
  if (!ab) return [];
  const cpu = (r: { cpuUsPerRequest: Readonly<Record<string, number>> }) => (r.cpuUsPerRequest["workerd"] === undefined ? "n/a" : `${r.cpuUsPerRequest["workerd"]!.toFixed(0)} µs`);
  const interval = (e: { ratio: number; low: number; high: number }) => `${e.ratio.toFixed(3)} x (95% interval ${e.low.toFixed(3)} to ${e.high.toFixed(3)})`;
  // Results saved before placement and order were recorded lack them.
  const rows = ab.pairs.map((p, i) => [String(i + 1), p.observedService === undefined ? "-" : `with in service ${p.observedService}`, (p.withFirst ?? i % 2 === 0) ? "with, then without" : "without, then with", int(p.with.requestsPerSecond), int(p.without.requestsPerSecond), (p.with.requestsPerSecond / p.without.requestsPerSecond).toFixed(3), cpu(p.with), cpu(p.without)]);
  return [
    "",
    `Request log line and data point, on and off: the same bundle with its default log line per request and an Analytics Engine binding (a stand-in whose writeDataPoint takes the point and keeps a count: local workerd has no Analytics Engine, so this measures the router's own cost of building and handing over the point), against the bundle with neither (REQUEST_LOG_SAMPLE_RATE = 0, no binding). ${ab.pairs.length} pairs of ${ab.pairSeconds} s runs, the two halves of a pair back to back and their order alternating, so drift in the machine's load falls on both alike; the two variants run as two services of one workerd, and half the pairs run in a second workerd with their places swapped (two identical services differed by about 5% in CPU per request, a difference of place that the swap cancels); the ratio is the geometric mean over pairs with its 95% interval (Student's t). Throughput with / without: ${interval(ab.throughput)}${ab.cpu ? `; workerd CPU per request with / without: ${interval(ab.cpu)}` : ""}.${ab.control ? ` The control, in pairs of its own beside them (placed and ordered alike): the bare pass-through with one log line of the same size per request, against itself without: throughput ${interval(ab.control.throughput)}${ab.control.cpu ? `, workerd CPU per request ${interval(ab.control.cpu)}` : ""}.` : ""}`,
    "",
    "<details><summary>Every pair</summary>",
    "",
    table(["pair", "placement", "order", "requests/s with", "requests/s without", "ratio", "workerd CPU / request with", "without"], rows),
    "",
    "</details>",
  ];
}

export function renderE2e(results: BenchResults): string {
  const e2e = results.e2e;
  if (!e2e) return "Not run.";
  const cpu = (n: number | undefined) => (n === undefined ? "n/a" : `${n.toFixed(0)} µs`);
  const rows = targetsIn(e2e).map((t) => {
    const m = e2e.medians[t];
    return [TARGET_LABEL[t], int(m.requestsPerSecond), ms(m.p50Ms, 3), ms(m.p99Ms, 3), cpu(m.workerdCpuUs), cpu(m.originCpuUs), String(m.non2xx), String(m.errors)];
  });
  const rounds = targetsIn(e2e).flatMap((t) =>
    e2e.roundStats[t].map((r, i) => [TARGET_LABEL[t], String(i + 1), int(r.requestsPerSecond), ms(r.p50Ms, 3), ms(r.p99Ms, 3), int(r.responses), cpu(r.cpuUsPerRequest["workerd"])]),
  );
  const kv = e2e.kvReads;
  return [
    `Config: ${int(e2e.ruleCount)} generated rules; ${e2e.requestMix} different matching requests in rotation, each with a request.cf the size of Cloudflare's (workerd's cfBlobHeader; the runtime parses it when a Worker first reads it); autocannon, ${e2e.connections} keep-alive connections, ${e2e.rounds} round(s) of ${e2e.roundSeconds} s per target, order alternating each round. Medians over rounds; CPU per request from /proc (workerd serves every Worker, one target at a time). workerd's stdout, where the router's request log lines go locally, is discarded (on Cloudflare they go to Workers Logs; writing them to a local file costs workerd about 15 µs per request).`,
    "",
    table(["target", "requests/s", "p50", "p99", "workerd CPU / request", "origin CPU / request", "non-2xx", "errors"], rows),
    "",
    `Ratios router / pass-through: throughput ${e2e.ratios.throughput.toFixed(3)}, p50 ${e2e.ratios.p50.toFixed(3)}, p99 ${e2e.ratios.p99.toFixed(3)}.${unloggedNote(e2e)}`,
    "",
    `KV reads (counted by the KV service): ${kv.beforeTraffic} before traffic, ${kv.afterFirstRequest} after the first request, ${kv.afterWarmup} after warm-up, ${kv.atEnd} at the end: ${kv.atEnd - kv.afterWarmup} during the measured rounds.`,
    `First request to the router (new isolate: KV read, parse and compile of the ${int(e2e.ruleCount)}-rule config, then the proxied request): ${ms(e2e.firstRequestMs, 1)}.`,
    `Check before the load: router ${e2e.check.router.status}${e2e.check.router.fromOrigin ? " from the origin" : " NOT from the origin"}, pass-through ${e2e.check.passThrough.status}, origin ${e2e.check.origin.status}.`,
    "",
    "<details><summary>Every round</summary>",
    "",
    table(["target", "round", "requests/s", "p50", "p99", "responses", "workerd CPU / request"], rounds),
    "",
    "</details>",
    ...renderObservability(e2e),
    ...renderRuntimeCalls(results),
  ].join("\n");
}

/** What the runtime calls of a proxied request cost inside workerd (workerd/calls.ts). */
function renderRuntimeCalls(results: BenchResults): string[] {
  const calls = results.runtimeCalls;
  if (!calls) return [];
  const us = (ns: number) => `${(ns / 1000).toFixed(3)} µs`;
  return [
    "",
    `Runtime calls inside workerd: each call run ${int(results.options.e2e?.callsPerRun ?? 0)} times in one request with a browser's fields and a request.cf, less a one-call request's CPU; median of ${results.options.e2e?.callRuns ?? 0} runs (bench/workerd/calls-worker.js). What a proxied request's work costs without any I/O around it:`,
    "",
    table(["call", "CPU per call", "runs"], calls.map((c) => [c.call, us(c.ns), c.runs.map((r) => (r / 1000).toFixed(2)).join(", ")])),
  ];
}

export function renderMarkdown(results: BenchResults): string {
  const m = results.machine;
  const targets = table(
    ["target", "measured", "status"],
    results.targets.map((t) => [t.target, t.measured, t.status === "met" ? "met" : t.status === "not met" ? "**not met**" : "not measured"]),
  );
  const explanations = explainMisses(results);
  return [
    "# Benchmarks",
    "",
    `Written by \`npm run bench\`${results.mode === "smoke" ? " (smoke mode: tiny sizes, figures meaningless)" : ""} on ${results.startedAt.slice(0, 10)} (${results.durationSeconds.toFixed(0)} s run). Do not edit by hand: run it again.`,
    "",
    "Reproduce: `npm ci && npm run bench` (Linux or macOS; nothing to install beyond the npm dependencies). `npm run bench -- --help` lists the options.",
    "",
    "## Machine",
    "",
    table(
      ["", ""],
      [
        ["CPU", `${m.cpuModel}, ${m.cores} cores`],
        ["memory", `${m.memoryGiB} GiB`],
        ["OS", m.os],
        ["load average (1 min) at start / end", `${m.loadAverageAtStart.toFixed(2)} / ${m.loadAverageAtEnd.toFixed(2)}`],
        ["Node", m.node],
        ["workerd", m.workerd],
        ["wrangler", m.wrangler],
        ["autocannon / tinybench", `${m.autocannon} / ${m.tinybench}`],
        ["commit", m.commit],
      ],
    ),
    "",
    "## Targets",
    "",
    targets,
    "",
    "## 1. Routing micro-benchmark (Node, tinybench)",
    "",
    renderMicro(results),
    "",
    "## 2. Fresh isolates, cron run and refresh in workerd",
    "",
    renderIsolate(results),
    "",
    "## 3. End to end in workerd",
    "",
    renderE2e(results),
    "",
    "## 4. Bundle",
    "",
    `\`wrangler deploy --dry-run\` output as deployed (minified, \`minify = true\` in wrangler.toml): ${bytes(results.bundle.rawBytes)} (${results.bundle.rawBytes} bytes), gzip level 9: **${bytes(results.bundle.gzipBytes)}** (${results.bundle.gzipBytes} bytes). ` +
      `Unminified: ${bytes(results.bundle.unminifiedRawBytes)}, gzip level 9: ${bytes(results.bundle.unminifiedGzipBytes)}. Share of the deployed (minified) build by package or folder, and its largest modules (esbuild's bytesInOutput, before gzip):`,
    "",
    table(["part", "bytes", "share"], results.bundle.deployedParts.slice(0, 12).map((x) => [x.part, int(x.bytes), `${((100 * x.bytes) / results.bundle.rawBytes).toFixed(1)}%`])),
    "",
    table(["module", "bytes", "share"], results.bundle.deployedFiles.slice(0, 15).map((x) => [x.part, int(x.bytes), `${((100 * x.bytes) / results.bundle.rawBytes).toFixed(1)}%`])),
    "",
    "## Targets not met, and where the time goes",
    "",
    explanations,
    "",
  ].join("\n");
}
