// The observability A/B (part of the end-to-end run, run.ts): the request
// log line and the Analytics Engine data point, on and off, in pairs run back
// to back (paired.ts), with a control beside it: the bare pass-through with
// and without one log line of the same size per request. Half the pairs of
// each run in a second workerd with the variants' places swapped (server.ts).
import type { LoadStats } from "./load";
import { pairedRatio, type PairedEstimate } from "./paired";
import { workerdOutput } from "../workerd/server";
import { getOnce, type Stack } from "./stack";

/**
 * The request log line and the Analytics Engine data point, on and off:
 * the router with both (its default line per request, and a METRICS stand-in
 * binding) against the same bundle with neither (REQUEST_LOG_SAMPLE_RATE = 0,
 * no METRICS), in pairs run back to back (paired.ts); half the pairs run in
 * a second workerd with the two variants' places swapped (server.ts).
 */
export interface ObservabilityAb extends PairedAb {
  readonly pairSeconds: number;
  /** The stand-in binding announced a data point from the "with" router (checked before the pairs). */
  readonly dataPointsSeen: boolean;
  /** The control, run beside it: the bare pass-through with one log line per request against itself without (workerd/log-line.js). */
  readonly control?: PairedAb;
}

/** Pairs of one A/B and their ratios, with / without. */
export interface PairedAb {
  /** Each pair's two runs, in the order run. */
  readonly pairs: readonly AbPair[];
  /** Requests per second. */
  readonly throughput: PairedEstimate;
  /** workerd CPU per request; undefined without /proc. */
  readonly cpu: PairedEstimate | undefined;
}

/** What the pairs need of the end-to-end options (run.ts). */
export interface AbOptions {
  readonly observabilitySeconds: number;
  readonly warmupSeconds: number;
}

export interface AbPair {
  readonly with: LoadStats;
  readonly without: LoadStats;
  readonly withFirst: boolean;
  /** Which workerd service held the observed variant (server.ts observedService). */
  readonly observedService: 1 | 2;
}

export interface AbHalf {
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

export function summarizeAb(halves: readonly AbHalf[], pairSeconds: number): ObservabilityAb {
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
export async function observabilityPairs(stack: Stack, observedService: 1 | 2, count: number, options: AbOptions, load: (url: string, seconds: number) => Promise<LoadStats>): Promise<AbHalf> {
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
