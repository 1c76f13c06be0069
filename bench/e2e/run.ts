// End to end in workerd: the router bundle and a bare pass-through Worker in
// one workerd process, and the origin (its own Node process) directly, all
// loaded by the same client with the same requests, in rounds that alternate
// the order (router, pass-through, origin, then the reverse), so drift in the
// machine's load falls on all three alike. Medians over rounds are reported;
// nothing is dropped. KV reads are counted by the KV service throughout.
import { runLoad, type LoadStats } from "./load";
import { pairedRatio, type PairedEstimate } from "./paired";
import { workerdOutput } from "../workerd/server";
import { getOnce, startStack, TARGETS, type Stack, type StackOptions, type Target } from "./stack";

export type { Target } from "./stack";

export interface E2eOptions extends StackOptions {
  readonly rounds: number;
  readonly roundSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  /** Per-round cap on requests, so a run is bounded in count as well as time. */
  readonly maxRequestsPerRound: number;
  /** Pairs of the observability A/B (0: skip it), and seconds per half. */
  readonly observabilityPairs: number;
  readonly observabilitySeconds: number;
}

/**
 * The request log line and the Analytics Engine data point, on and off:
 * the router with both (its default line per request, and a METRICS stand-in
 * binding) against the same bundle with neither (REQUEST_LOG_SAMPLE_RATE = 0,
 * no METRICS), in pairs run back to back (paired.ts); half the pairs run in
 * a second workerd with the two variants' places swapped (server.ts).
 */
export interface ObservabilityAb {
  readonly pairSeconds: number;
  /** The stand-in binding announced a data point from the "with" router (checked before the pairs). */
  readonly dataPointsSeen: boolean;
  /** Each pair's two runs, in the order run. */
  readonly pairs: readonly AbPair[];
  /** Requests per second, with / without. */
  readonly throughput: PairedEstimate;
  /** workerd CPU per request, with / without; undefined without /proc. */
  readonly cpu: PairedEstimate | undefined;
  /** The control, run beside it: the bare pass-through with one log line per request against itself without (workerd/log-line.js). */
  readonly control?: PairedAb;
}

export interface PairedAb {
  readonly pairs: readonly AbPair[];
  readonly throughput: PairedEstimate;
  readonly cpu: PairedEstimate | undefined;
}

export interface KvReads {
  /** After the config was stored, before any request. */
  readonly beforeTraffic: number;
  /** After the first request (the isolate's cold load). */
  readonly afterFirstRequest: number;
  /** After the warm-up runs. */
  readonly afterWarmup: number;
  /** After the last round. */
  readonly atEnd: number;
}

export interface Median {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** workerd CPU per request, µs; undefined without /proc. */
  readonly workerdCpuUs: number | undefined;
  readonly originCpuUs: number | undefined;
  readonly non2xx: number;
  readonly errors: number;
}

export interface E2eResult {
  readonly ruleCount: number;
  readonly connections: number;
  readonly rounds: number;
  readonly roundSeconds: number;
  readonly requestMix: number;
  /** Every round of every target, in the order run. */
  readonly roundStats: Readonly<Record<Target, readonly LoadStats[]>>;
  readonly medians: Readonly<Record<Target, Median>>;
  /** router / pass-through, from the medians. */
  readonly ratios: { readonly throughput: number; readonly p50: number; readonly p99: number };
  readonly kvReads: KvReads;
  /** First request to the router: KV read, JSON.parse, parseConfig and compile in a new isolate, plus the proxied request. */
  readonly firstRequestMs: number;
  /** A single request through each, before the load. */
  readonly check: Readonly<Record<Target, { readonly status: number; readonly fromOrigin: boolean }>>;
  /** Undefined when not run (results saved before it existed, or no pairs asked for). */
  readonly observability?: ObservabilityAb;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function runE2e(options: E2eOptions): Promise<E2eResult> {
  const stack = await startStack(options);
  let result: E2eResult;
  let firstHalf: AbHalf | undefined;
  try {
    const { urls, requests } = stack;
    const first = requests[0]!;
    const beforeTraffic = await stack.kvReads();
    const cold = await getOnce(urls.router, first);
    const afterFirstRequest = await stack.kvReads();
    const check = {} as Record<Target, { status: number; fromOrigin: boolean }>;
    for (const target of TARGETS) {
      const { status, fromOrigin } = await getOnce(urls[target], first);
      check[target] = { status, fromOrigin };
    }

    const cpuProcesses = { workerd: stack.server.child.pid!, origin: stack.origin.pid! };
    const loadUrl = (url: string, seconds: number) =>
      runLoad({ url, requests, connections: options.connections, durationSeconds: seconds, maxRequests: options.maxRequestsPerRound, cpuProcesses });
    const load = (target: Target, seconds: number) => loadUrl(urls[target], seconds);
    if (options.warmupSeconds > 0) for (const target of TARGETS) await load(target, options.warmupSeconds);
    const afterWarmup = await stack.kvReads();

    const roundStats: Record<Target, LoadStats[]> = { router: [], routerUnlogged: [], passThrough: [], origin: [] };
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? TARGETS : [...TARGETS].reverse();
      for (const target of order) roundStats[target].push(await load(target, options.roundSeconds));
    }
    const atEnd = await stack.kvReads();
    // The first half of the A/B on this workerd; the second on a new one with the two variants' places swapped.
    if (options.observabilityPairs > 0) firstHalf = await observabilityPairs(stack, 1, Math.ceil(options.observabilityPairs / 2), options, loadUrl);

    const medians = {} as Record<Target, Median>;
    for (const target of TARGETS) medians[target] = summarize(roundStats[target]);
    result = {
      ruleCount: options.ruleCount,
      connections: options.connections,
      rounds: options.rounds,
      roundSeconds: options.roundSeconds,
      requestMix: requests.length,
      roundStats,
      medians,
      ratios: {
        throughput: medians.router.requestsPerSecond / medians.passThrough.requestsPerSecond,
        p50: medians.router.p50Ms / medians.passThrough.p50Ms,
        p99: medians.router.p99Ms / medians.passThrough.p99Ms,
      },
      kvReads: { beforeTraffic, afterFirstRequest, afterWarmup, atEnd },
      firstRequestMs: cold.ms,
      check,
    };
  } finally {
    await stack.close();
  }
  if (!firstHalf) return result;
  const swapped = await startStack({ ...options, observedService: 2 });
  try {
    const cpuProcesses = { workerd: swapped.server.child.pid!, origin: swapped.origin.pid! };
    const loadUrl = (url: string, seconds: number) =>
      runLoad({ url, requests: swapped.requests, connections: options.connections, durationSeconds: seconds, maxRequests: options.maxRequestsPerRound, cpuProcesses });
    const secondHalf = await observabilityPairs(swapped, 2, options.observabilityPairs - firstHalf.pairs.length, options, loadUrl);
    return { ...result, observability: summarizeAb([firstHalf, secondHalf], options.observabilitySeconds) };
  } finally {
    await swapped.close();
  }
}

export interface AbPair {
  readonly with: LoadStats;
  readonly without: LoadStats;
  readonly withFirst: boolean;
  /** Which workerd service held the observed variant (server.ts observedService). */
  readonly observedService: 1 | 2;
}

interface AbHalf {
  readonly dataPointsSeen: boolean;
  readonly pairs: readonly AbPair[];
  readonly controlPairs: readonly AbPair[];
}

function paired(pairs: readonly AbPair[]): PairedAb {
  const cpuOf = (s: LoadStats) => s.cpuUsPerRequest["workerd"];
  const cpuKnown = pairs.every((p) => cpuOf(p.with) !== undefined && cpuOf(p.without) !== undefined);
  return {
    pairs,
    throughput: pairedRatio(pairs.map((p) => ({ with: p.with.requestsPerSecond, without: p.without.requestsPerSecond }))),
    cpu: cpuKnown ? pairedRatio(pairs.map((p) => ({ with: cpuOf(p.with)!, without: cpuOf(p.without)! }))) : undefined,
  };
}

function summarizeAb(halves: readonly AbHalf[], pairSeconds: number): ObservabilityAb {
  return {
    pairSeconds,
    dataPointsSeen: halves.every((h) => h.dataPointsSeen),
    ...paired(halves.flatMap((h) => h.pairs)),
    control: paired(halves.flatMap((h) => h.controlPairs)),
  };
}

/** The stand-in's line on its first data point (bench/workerd/metrics-stand-in.js). */
const FIRST_POINT_MARKER = "metrics-stand-in: first data point";

/** `count` pairs of the observability A/B on one workerd (its two A/B services as they are placed). */
async function observabilityPairs(stack: Stack, observedService: 1 | 2, count: number, options: E2eOptions, load: (url: string, seconds: number) => Promise<LoadStats>): Promise<AbHalf> {
  const withUrl = stack.routerObservedUrl;
  const withoutUrl = stack.urls.routerUnlogged;
  const seconds = options.observabilitySeconds;
  // One request, then the stand-in's announcement on workerd's stderr: the "with" router really writes data points.
  await getOnce(withUrl, stack.requests[0]!);
  let dataPointsSeen = false;
  for (const until = Date.now() + 5000; !dataPointsSeen && Date.now() < until; ) {
    dataPointsSeen = workerdOutput(stack.server).includes(FIRST_POINT_MARKER);
    if (!dataPointsSeen) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const run = (urls: { with: string; without: string }) => abPairs(urls, observedService, count, seconds, Math.min(2, Math.max(seconds, options.warmupSeconds)), load);
  const pairs = await run({ with: withUrl, without: withoutUrl });
  const controlPairs = await run({ with: stack.server.bareLoggedUrl!, without: stack.server.bareUnloggedUrl! });
  return { dataPointsSeen, pairs, controlPairs };
}

/** `count` pairs of two variants' runs back to back, the order alternating; each variant warmed up first (its code compiled, a router's config loaded). */
async function abPairs(urls: { with: string; without: string }, observedService: 1 | 2, count: number, seconds: number, warmupSeconds: number, load: (url: string, seconds: number) => Promise<LoadStats>): Promise<AbPair[]> {
  for (const url of [urls.with, urls.without]) await load(url, warmupSeconds);
  const pairs: AbPair[] = [];
  for (let i = 0; i < count; i++) {
    const withFirst = i % 2 === 0;
    if (withFirst) {
      const first = await load(urls.with, seconds);
      pairs.push({ with: first, without: await load(urls.without, seconds), withFirst, observedService });
    } else {
      const first = await load(urls.without, seconds);
      pairs.push({ with: await load(urls.with, seconds), without: first, withFirst, observedService });
    }
  }
  return pairs;
}

function summarize(rounds: readonly LoadStats[]): Median {
  const cpu = (label: string) => {
    const values = rounds.map((r) => r.cpuUsPerRequest[label]).filter((v): v is number => v !== undefined);
    return values.length === rounds.length ? median(values) : undefined;
  };
  return {
    requestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    workerdCpuUs: cpu("workerd"),
    originCpuUs: cpu("origin"),
    non2xx: rounds.reduce((sum, r) => sum + r.non2xx, 0),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
  };
}
