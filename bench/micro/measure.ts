// The micro-benchmark of one config size, run in a fresh Node process per size
// (see child.ts) so that every size starts with a cold JIT and a clean heap:
// 1. load, cold: JSON.parse of the stored KV value, parseConfig, compileRuntime,
//    the first time this process runs them, which is what a new isolate pays;
// 2. memory: heap retained by a Config and by its compiled Runtime (needs --expose-gc);
// 3. load, warm: the same steps timed by tinybench;
// 4. per request: match, route+select, full request, timed by tinybench over
//    batches of every sample; and route+select over 8 requests repeated, whose
//    data stays in the CPU caches (the same work with a small working set);
// 5. with --allow-natives-syntax: whether the parsed routes share V8 hidden
//    classes (objects of one shape keep property reads monomorphic and fast).
import { Bench, type Task } from "tinybench";
import { parseConfig } from "../../src/core/config/parse";
import type { Config } from "../../src/core/config/types";
import { compileRuntime, type Runtime } from "../../src/core/runtime";
import { generateConfig, seededRandom } from "../generate";
import { prepareSamples, requestBench } from "./requests";

export interface TaskStats {
  /** Mean time of one unit (one request, or one load), in nanoseconds. */
  readonly meanNs: number;
  readonly p50Ns: number;
  readonly p99Ns: number;
  /** Relative margin of error of the mean, percent. */
  readonly rmePercent: number;
  /** Timed batches (or loads). */
  readonly samples: number;
}

export interface MicroResult {
  readonly ruleCount: number;
  readonly poolCount: number;
  readonly sampleCount: number;
  /** Sample requests whose match disagreed with the generator's expectation. */
  readonly mismatches: number;
  readonly storedBytes: number;
  readonly cold: { readonly jsonParseMs: number; readonly parseConfigMs: number; readonly compileMs: number };
  readonly memory: { readonly configBytes: number; readonly runtimeBytes: number } | undefined;
  readonly warm: { readonly parse: TaskStats; readonly compile: TaskStats };
  readonly perRequest: { readonly match: TaskStats; readonly routeSelect: TaskStats; readonly routeSelectHot: TaskStats; readonly fullRequest: TaskStats };
  /** Adjacent routes of Config.routes whose hidden class differs; undefined without --allow-natives-syntax. */
  readonly routeShapes: { readonly compared: number; readonly changes: number } | undefined;
}

export interface MicroOptions {
  readonly ruleCount: number;
  /** Time budget per per-request task, ms (tinybench `time`). */
  readonly requestTimeMs: number;
  /** Minimum timed loads for the warm parse and compile tasks. */
  readonly loadIterations: number;
  readonly sampleCount: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** V8's %HaveSameMap, when the process runs with --allow-natives-syntax (compiled at run time: it is not JavaScript syntax otherwise). */
const haveSameMap = process.execArgv.includes("--allow-natives-syntax")
  ? (new Function("a", "b", "return %HaveSameMap(a, b)") as (a: object, b: object) => boolean)
  : undefined;

function routeShapes(routes: readonly object[]): MicroResult["routeShapes"] {
  if (!haveSameMap || routes.length < 2) return undefined;
  let changes = 0;
  for (let i = 1; i < routes.length; i++) if (!haveSameMap(routes[i]!, routes[i - 1]!)) changes++;
  return { compared: routes.length - 1, changes };
}

function heapAfterGc(): number | undefined {
  if (!gc) return undefined;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export function stats(task: Task | undefined, unitsPerCall: number): TaskStats {
  const result = task?.result;
  if (!result || (result.state !== "completed" && result.state !== "aborted-with-statistics")) {
    throw new Error(`benchmark task ${task?.name ?? "?"} did not complete: ${result?.state}`);
  }
  const perUnitNs = (ms: number) => (ms * 1e6) / unitsPerCall;
  const latency = result.latency;
  return { meanNs: perUnitNs(latency.mean), p50Ns: perUnitNs(latency.p50), p99Ns: perUnitNs(latency.p99), rmePercent: latency.rme, samples: latency.samplesCount };
}

export function loadStored(text: string): Config {
  const stored = JSON.parse(text) as { config: unknown };
  const parsed = parseConfig(stored.config);
  if (!parsed.ok) throw new Error(`generated config is invalid: ${parsed.problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  return parsed.config;
}

export async function measureSize(options: MicroOptions): Promise<MicroResult> {
  const generated = generateConfig(options.ruleCount, { sampleCount: options.sampleCount });
  const text = JSON.stringify({ version: "bench", appliedAt: "2026-01-01T00:00:00.000Z", config: generated.document });
  const deps = { random: seededRandom(1) };

  // 1: the cold load.
  let t = performance.now();
  const stored = JSON.parse(text) as { config: unknown };
  const jsonParseMs = performance.now() - t;
  t = performance.now();
  const parsed = parseConfig(stored.config);
  const parseConfigMs = performance.now() - t;
  if (!parsed.ok) throw new Error(`generated config is invalid: ${parsed.problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  t = performance.now();
  const runtime: Runtime = compileRuntime("bench", parsed.config, deps);
  const compileMs = performance.now() - t;

  // 2: memory, over enough copies (about 20,000 rules in all) that GC noise
  // and bytecode flushing, a few hundred KB either way, do not swamp small configs.
  const copies = Math.min(100, Math.max(1, Math.round(20_000 / options.ruleCount)));
  const base = heapAfterGc();
  const configs = Array.from({ length: copies }, () => (parseConfig(stored.config) as { config: Config }).config);
  const afterConfigs = heapAfterGc();
  const runtimes = configs.map((config) => compileRuntime("bench", config, deps));
  const afterRuntimes = heapAfterGc();
  const memory =
    base !== undefined && afterConfigs !== undefined && afterRuntimes !== undefined
      ? { configBytes: (afterConfigs - base) / copies, runtimeBytes: (afterRuntimes - afterConfigs) / copies }
      : undefined;
  // Used after the last measurement, so both stay alive until then.
  if (runtimes.length + configs.length !== 2 * copies) throw new Error("copies went missing");

  // 3: warm loads.
  const loads = new Bench({ time: 0, iterations: options.loadIterations, warmupIterations: 1, warmupTime: 0 });
  let sink: unknown;
  loads.add("parse", () => {
    sink = loadStored(text);
  });
  loads.add("compile", () => {
    sink = compileRuntime("bench", parsed.config, deps);
  });
  await loads.run();

  // 4: per request.
  const samples = prepareSamples(generated.samples);
  const requests = requestBench(runtime, samples);
  const hotSet = samples.filter((x) => x.expectMatch).slice(0, 8);
  const hot = requestBench(runtime, Array.from({ length: samples.length }, (_, i) => hotSet[i % hotSet.length]!));
  let checksum = 0;
  const perRequest = new Bench({ time: options.requestTimeMs, iterations: 10, warmupTime: Math.min(200, options.requestTimeMs) });
  perRequest.add("match", () => {
    checksum += requests.matchAll();
  });
  perRequest.add("route+select", () => {
    checksum += requests.routeSelectAll();
  });
  perRequest.add("route+select, hot", () => {
    checksum += hot.routeSelectAll();
  });
  perRequest.add("full request", () => {
    checksum += requests.fullRequestAll();
  });
  await perRequest.run();
  if (checksum === 0 && sink === undefined) throw new Error("nothing was computed");

  const task = (bench: Bench, name: string) => bench.tasks.find((x) => x.name === name);
  return {
    ruleCount: options.ruleCount,
    poolCount: generated.poolNames.length,
    sampleCount: samples.length,
    mismatches: requests.mismatches,
    routeShapes: routeShapes(parsed.config.routes),
    storedBytes: text.length,
    cold: { jsonParseMs, parseConfigMs, compileMs },
    memory,
    warm: { parse: stats(task(loads, "parse"), 1), compile: stats(task(loads, "compile"), 1) },
    perRequest: {
      match: stats(task(perRequest, "match"), samples.length),
      routeSelect: stats(task(perRequest, "route+select"), samples.length),
      routeSelectHot: stats(task(perRequest, "route+select, hot"), samples.length),
      fullRequest: stats(task(perRequest, "full request"), samples.length),
    },
  };
}
