// Keeps `npm run bench` from rotting: runs the whole benchmark with tiny
// sizes (bundle, micro-benchmark, end to end in workerd, profiles) and checks
// that every part produced well-formed results. No timing assertions: the
// figures themselves mean nothing at these sizes.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runBench, SMOKE, type BenchResults } from "./bench";
import { runningCount } from "./processes";
import { renderMarkdown } from "./report";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

function expectPositive(value: number | undefined, what: string): void {
  expect(Number.isFinite(value), `${what} is a finite number (got ${value})`).toBe(true);
  expect(value, what).toBeGreaterThan(0);
}

describe("npm run bench --smoke", () => {
  let results: BenchResults;

  it("runs every part and stops every process it started", { timeout: 180_000 }, async () => {
    results = await runBench({ ...SMOKE, repoRoot, log: () => {} });
    expect(results.mode).toBe("smoke");
    expect(runningCount()).toBe(0);
  });

  it("measures the bundle", () => {
    expectPositive(results.bundle.gzipBytes, "gzip bytes");
    expect(results.bundle.rawBytes).toBeGreaterThan(results.bundle.gzipBytes);
    expect(results.bundle.parts.some((p) => p.part.startsWith("src"))).toBe(true);
    expect(results.bundle.deployedParts.some((p) => p.part === "hono")).toBe(true);
    expect(results.bundle.deployedFiles.reduce((sum, f) => sum + f.bytes, 0)).toBeLessThanOrEqual(results.bundle.rawBytes);
  });

  it("times routing and loading for every size, and the router agrees with the generated samples", () => {
    expect(results.micro.map((m) => m.ruleCount)).toEqual(SMOKE.sizes);
    for (const m of results.micro) {
      expect(m.mismatches, `${m.ruleCount} rules: samples routed against expectation`).toBe(0);
      for (const [name, stats] of Object.entries(m.perRequest)) expectPositive(stats.meanNs, `${m.ruleCount} rules, ${name}`);
      expectPositive(m.warm.parse.meanNs, "warm parse");
      expectPositive(m.warm.compile.meanNs, "warm compile");
      expectPositive(m.cold.jsonParseMs + m.cold.parseConfigMs, "cold parse");
      expectPositive(m.cold.compileMs, "cold compile");
      expectPositive(m.memory?.configBytes, "Config heap");
      expectPositive(m.memory?.runtimeBytes, "Runtime heap");
      expect(m.routeShapes?.compared).toBe(m.ruleCount - 1);
    }
  });

  it("times every kind of route, and each forwards most requests (the conditions, the allow list and the affinity let them through)", () => {
    expect(results.decision).toBeDefined();
    const d = results.decision!;
    expect(d.kinds.map((k) => k.kind)).toEqual(["plain", "httpRoute", "policies"]);
    for (const k of d.kinds) {
      expect(k.forwarded, `${k.kind}: requests forwarded`).toBeGreaterThan(d.sampleCount / 2);
      expectPositive(k.routeSelect.meanNs, `${k.kind} route + select`);
      expectPositive(k.decision.meanNs, `${k.kind} decision`);
    }
    expect(d.kinds.find((k) => k.kind === "httpRoute")!.rules).toBeGreaterThan(d.ruleCount);
  });

  it("measures fresh isolates, a cron run and refreshes in workerd, the CLI's values taking the fast path", () => {
    const isolate = results.isolate!;
    expect(isolate.cold.map((c) => c.ruleCount)).toEqual(SMOKE.isolate!.coldSizes);
    for (const c of isolate.cold) {
      expect(c.read).toBe("prepared");
      for (const v of [...c.cpuMs, ...c.secondCpuMs, ...c.passThroughCpuMs, ...c.kvReadCpuMs]) expectPositive(v, "CPU ms");
      expect(c.kvReadCpuMs.length).toBe(c.cpuMs.length);
    }
    expect(isolate.cron.probesPerRun).toEqual(Array(SMOKE.isolate!.cronRuns).fill(SMOKE.isolate!.cronOrigins));
    for (const v of isolate.cron.cpuMs) expectPositive(v, "cron CPU ms");
    expect(isolate.refresh.compiles).toBe(0);
    expect(isolate.refresh.versionReads).toBeGreaterThan(0);
    expect(isolate.refresh.configReads).toBe(1);
  });

  it("proxies through the router to the origin in workerd, reading KV only on the first request", () => {
    const e2e = results.e2e!;
    expect(e2e.check.router).toEqual({ status: 200, fromOrigin: true });
    expect(e2e.check.routerUnlogged).toEqual({ status: 200, fromOrigin: true });
    expect(e2e.check.passThrough).toEqual({ status: 200, fromOrigin: true });
    for (const target of ["router", "routerUnlogged", "passThrough", "origin"] as const) {
      const rounds = e2e.roundStats[target];
      expect(rounds.length).toBe(SMOKE.e2e!.rounds);
      for (const r of rounds) {
        expectPositive(r.responses, `${target} responses`);
        expect(r.non2xx, `${target} non-2xx`).toBe(0);
        expect(r.errors, `${target} errors`).toBe(0);
      }
      expectPositive(e2e.medians[target].requestsPerSecond, `${target} req/s`);
      expectPositive(e2e.medians[target].p50Ms, `${target} p50`);
      expectPositive(e2e.medians[target].p99Ms, `${target} p99`);
    }
    expect(e2e.kvReads.beforeTraffic).toBe(0);
    // The active value and the health state, one get each (config-store.ts).
    expect(e2e.kvReads.afterFirstRequest).toBe(2);
    expect(e2e.kvReads.atEnd - e2e.kvReads.afterWarmup).toBe(0);
  });

  it("runs the observability A/B with data points reaching the stand-in binding", () => {
    const ab = results.e2e!.observability!;
    expect(ab.dataPointsSeen).toBe(true);
    expect(ab.pairs.length).toBe(SMOKE.e2e!.observabilityPairs);
    for (const pair of ab.pairs) for (const run of [pair.with, pair.without]) expect(run.non2xx + run.errors).toBe(0);
    expectPositive(ab.throughput.ratio, "throughput ratio");
    expect(ab.throughput.low).toBeLessThanOrEqual(ab.throughput.high);
    expect(ab.control!.pairs.length).toBe(SMOKE.e2e!.observabilityPairs);
    for (const pair of ab.control!.pairs) for (const run of [pair.with, pair.without]) expect(run.non2xx + run.errors).toBe(0);
    expectPositive(ab.control!.throughput.ratio, "control throughput ratio");
  });

  it("measures every runtime call of the proxy path inside workerd", () => {
    const calls = results.runtimeCalls!;
    for (const c of calls) {
      expect(c.runs.length, c.call).toBe(SMOKE.e2e!.callRuns);
      expect(c.ns, c.call).toBeGreaterThanOrEqual(0);
    }
    // A copy of a browser's fields costs microseconds, the empty loop next to nothing: far apart even at smoke sizes.
    const ns = (call: string) => calls.find((c) => c.call === call)!.ns;
    expect(ns("new Headers(request.headers)")).toBeGreaterThan(ns("loop alone"));
  });

  it("profiles in Node and in workerd", () => {
    expect(results.profiles.map((p) => `${p.runtime}:${p.mode}`)).toEqual(["workerd:firstRequest", "workerd:cronRun", "node:route", "workerd:router"]);
    for (const p of results.profiles) {
      expectPositive(p.summary.totalMs, `${p.mode} profile`);
      expect(p.summary.topFunctions.length).toBeGreaterThan(0);
    }
  });

  it("evaluates every target and renders every section", () => {
    expect(results.targets.map((t) => t.id)).toEqual(["cold-1k", "cold-10k", "cold-100k", "cron", "refresh", "throughput", "p50", "route-scaling", "route-kinds", "observability", "bundle"]);
    for (const id of ["bundle", "cron", "refresh"]) expect(results.targets.find((t) => t.id === id)?.status).not.toBe("not measured");
    const markdown = renderMarkdown(results);
    for (const heading of ["## Machine", "## Targets", "## 1. Routing micro-benchmark", "## 2. Fresh isolates", "## 3. End to end in workerd", "## 4. Bundle", "## Targets not met"]) {
      expect(markdown).toContain(heading);
    }
    expect(markdown).toContain("Request log line and data point, on and off");
    expect(markdown).toContain("Runtime calls inside workerd");
  });
});
