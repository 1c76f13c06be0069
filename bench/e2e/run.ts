// End to end in workerd: the router bundle and a bare pass-through Worker in
// one workerd process, and the origin (its own Node process) directly, all
// loaded by the same client with the same requests, in rounds that alternate
// the order (router, pass-through, origin, then the reverse), so drift in the
// machine's load falls on all three alike. Medians over rounds are reported;
// nothing is dropped. KV reads are counted by the KV service throughout.
import { runLoad, type LoadStats } from "./load";
import { observabilityPairs, summarizeAb, type AbHalf, type ObservabilityAb } from "./observability";
import { getOnce, startStack, TARGETS, type StackOptions, type Target } from "./stack";

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
