// The benchmark targets, checked against the measured figures. A target
// that the run did not measure (smoke sizes, no end-to-end run) says so
// rather than pass or fail.
import type { BundleResult } from "./bundle";
import type { E2eResult } from "./e2e/run";
import type { GatewayMicroResult } from "./micro/gateway";
import type { MicroResult } from "./micro/measure";

export type TargetStatus = "met" | "not met" | "not measured";

export interface TargetResult {
  readonly id: "throughput" | "p50" | "route-10k" | "route-gateway-10k" | "route-scaling" | "compile-10k" | "bundle";
  /** The target, as stated to users. */
  readonly target: string;
  readonly measured: string;
  readonly status: TargetStatus;
}

export const LIMITS = {
  minThroughputRatio: 0.9,
  maxP50Ratio: 1.1,
  maxRouteSelectNsAt10k: 5000,
  maxScaling100kOver10: 2,
  maxCompileMsAt10k: 50,
  maxBundleGzipBytes: 50 * 1024,
} as const;

const fixed = (n: number, digits = 2) => n.toFixed(digits);

export function evaluateTargets(
  micro: readonly MicroResult[],
  e2e: E2eResult | undefined,
  bundle: BundleResult | undefined,
  gateway?: GatewayMicroResult,
): TargetResult[] {
  const size = (rules: number) => micro.find((m) => m.ruleCount === rules);
  const status = (measured: boolean, ok: boolean): TargetStatus => (!measured ? "not measured" : ok ? "met" : "not met");
  const at10 = size(10);
  const at10k = size(10_000);
  const at100k = size(100_000);

  const results: TargetResult[] = [];
  results.push({
    id: "throughput",
    target: `router throughput at least ${LIMITS.minThroughputRatio} x the bare pass-through`,
    measured: e2e ? `${fixed(e2e.ratios.throughput)} x (${Math.round(e2e.medians.router.requestsPerSecond)} vs ${Math.round(e2e.medians.passThrough.requestsPerSecond)} req/s)` : "-",
    status: status(e2e !== undefined, (e2e?.ratios.throughput ?? 0) >= LIMITS.minThroughputRatio),
  });
  results.push({
    id: "p50",
    target: "router p50 latency within 10% of the pass-through",
    measured: e2e ? `${fixed(e2e.ratios.p50)} x (${fixed(e2e.medians.router.p50Ms, 3)} vs ${fixed(e2e.medians.passThrough.p50Ms, 3)} ms)` : "-",
    status: status(e2e !== undefined, (e2e?.ratios.p50 ?? Infinity) <= LIMITS.maxP50Ratio),
  });
  const routeNs = at10k?.perRequest.routeSelect.meanNs;
  results.push({
    id: "route-10k",
    target: "routing + selection under 5 µs per request at 10,000 rules",
    measured: routeNs === undefined ? "-" : `${fixed(routeNs / 1000, 3)} µs`,
    status: status(routeNs !== undefined, (routeNs ?? Infinity) < LIMITS.maxRouteSelectNsAt10k),
  });
  const gatewayNs = gateway?.ruleCount === 10_000 ? gateway.routeSelect.meanNs : undefined;
  results.push({
    id: "route-gateway-10k",
    target: "routing + selection under 5 µs per request for 10,000 rules as HTTPRoutes (some with header and query matches)",
    measured: gatewayNs === undefined ? "-" : `${fixed(gatewayNs / 1000, 3)} µs`,
    status: status(gatewayNs !== undefined, (gatewayNs ?? Infinity) < LIMITS.maxRouteSelectNsAt10k),
  });
  const scaling = at10 && at100k ? at100k.perRequest.routeSelect.meanNs / at10.perRequest.routeSelect.meanNs : undefined;
  results.push({
    id: "route-scaling",
    target: "routing + selection at 100,000 rules no more than 2 x the cost at 10 rules",
    measured:
      scaling === undefined || !at10 || !at100k
        ? "-"
        : `${fixed(scaling)} x (${fixed(at100k.perRequest.routeSelect.meanNs / 1000, 3)} vs ${fixed(at10.perRequest.routeSelect.meanNs / 1000, 3)} µs)`,
    status: status(scaling !== undefined, (scaling ?? Infinity) <= LIMITS.maxScaling100kOver10),
  });
  const compileMs = at10k?.cold.compileMs;
  results.push({
    id: "compile-10k",
    target: "compiling 10,000 rules under 50 ms (first compile in a fresh process, as a new isolate does)",
    measured: compileMs === undefined || !at10k ? "-" : `${fixed(compileMs, 1)} ms cold, ${fixed(at10k.warm.compile.meanNs / 1e6, 1)} ms warm`,
    status: status(compileMs !== undefined, (compileMs ?? Infinity) < LIMITS.maxCompileMsAt10k),
  });
  results.push({
    id: "bundle",
    target: "bundle under 50 KiB gzipped",
    measured: bundle ? `${fixed(bundle.gzipBytes / 1024, 1)} KiB (${bundle.gzipBytes} bytes)` : "-",
    status: status(bundle !== undefined, (bundle?.gzipBytes ?? Infinity) < LIMITS.maxBundleGzipBytes),
  });
  return results;
}
