// One cron run: probe the origins of every pool that has a healthCheck, fold
// the results into the previous snapshot, and say whether anything changed so
// the caller writes KV only then (a free account has 1,000 KV writes a day; a
// write every minute would use 1,440).
import type { Config, HealthCheckSpec, Origin } from "../config/types";
import { mapBounded } from "./bounded";
import { probe, type ProbeResult } from "./probe";
import { resolveProbeHeaders, type ResolvedProbeHeaders, type SecretLookup } from "./probe-headers";
import { snapshotsEqual, type HealthSnapshot } from "./snapshot";
import { nextRecord, type HealthRecord } from "./state";
import { healthTransitions, keepChanges, type HealthChange } from "./transitions";

export interface HealthCheckDeps {
  readonly fetch: typeof fetch;
  readonly nowMs: () => number;
  /** Probes in flight at once. Default 6: Workers lets at most 6 subrequests wait for headers at once. */
  readonly concurrency?: number;
  /** Subrequest budget of one run. Default 50, the free plan's limit per invocation. */
  readonly maxProbes?: number;
  /** Rotates the probed window when origins outnumber maxProbes, e.g. minutes since epoch of the scheduled time. Default 0. */
  readonly runIndex?: number;
  /** Reads a Worker secret named by a `{secret: NAME}` header value. Default: no secret is set. */
  readonly secret?: SecretLookup;
  /**
   * Epoch ms (by nowMs) by which every probe has ended: a probe starts only
   * when its whole timeout fits before it; the others wait for a later run.
   * Default: none.
   */
  readonly deadlineMs?: number;
}

/** A pool whose probe headers could not be built this run (a secret not set, a value HTTP refuses). */
export interface HeaderProblem {
  readonly pool: string;
  readonly secret?: string;
  /** Names the secret or header, never a value. */
  readonly reason: string;
}

export interface ProbeReport {
  readonly pool: string;
  readonly url: string;
  readonly key: string;
  readonly result: ProbeResult;
}

export interface HealthRun {
  /** The new snapshot; `previous` itself when nothing changed. */
  readonly next: HealthSnapshot;
  /** False when `next` is deep-equal to `previous`: the caller writes nothing. */
  readonly changed: boolean;
  readonly probed: number;
  /** Origins with a health check left for a later run by the budget. */
  readonly skipped: number;
  /** Origins of the window left for a later run by the deadline (their records kept). */
  readonly deferred: number;
  /** One entry per probe, in config order. */
  readonly results: ProbeReport[];
  /** One entry per pool in the window whose headers failed: its probes failed without being sent. */
  readonly headerProblems: HeaderProblem[];
  /** Origins that went down or came back up in this run, in config order. */
  readonly transitions: HealthChange[];
}

export const DEFAULT_CONCURRENCY = 6;
export const DEFAULT_MAX_PROBES = 50;

interface Target {
  readonly pool: string;
  readonly origin: Origin;
  readonly spec: HealthCheckSpec;
}

export async function runHealthChecks(config: Pick<Config, "pools">, previous: HealthSnapshot, deps: HealthCheckDeps): Promise<HealthRun> {
  const targets = healthCheckedOrigins(config);
  const maxProbes = deps.maxProbes ?? DEFAULT_MAX_PROBES;
  const window = probeWindow(targets, maxProbes, deps.runIndex ?? 0);
  const concurrency = Math.max(1, Math.floor(deps.concurrency ?? DEFAULT_CONCURRENCY));

  // Resolved once per pool, and only for pools in the window.
  const headersByPool = new Map<string, ResolvedProbeHeaders>();
  for (const t of window) if (!headersByPool.has(t.pool)) headersByPool.set(t.pool, resolveProbeHeaders(t.spec.headers, deps.secret ?? noSecrets));
  const headerProblems: HeaderProblem[] = [];
  for (const [pool, resolved] of headersByPool) {
    if (!resolved.ok) headerProblems.push({ pool, ...(resolved.secret === undefined ? {} : { secret: resolved.secret }), reason: resolved.reason });
  }

  const deadlineMs = deps.deadlineMs;
  const order =
    deadlineMs === undefined ? window : probeOrder(window, surelyProbed(window, concurrency, deadlineMs - deps.nowMs()), windowTurn(targets.length, maxProbes, deps.runIndex ?? 0));
  const outcomes = await mapBounded(order, concurrency, async (t) => {
    const headers = headersByPool.get(t.pool)!;
    // Sent only if it ends in time: a probe cut short would be a failure the origin did not cause.
    if (headers.ok && deadlineMs !== undefined && deps.nowMs() + t.spec.timeoutMs > deadlineMs) return undefined;
    // A probe that cannot be built fails without spending a subrequest.
    const result = headers.ok ? await probe(t.origin, t.spec, deps.fetch, headers.headers) : { ok: false as const, reason: headers.reason };
    // The time the verdict was known, so `sinceMs` of a transition is when it was seen.
    return { result, atMs: deps.nowMs() };
  });
  const probedAt = new Map<Target, { result: ProbeResult; atMs: number }>();
  order.forEach((t, i) => {
    const outcome = outcomes[i];
    if (outcome) probedAt.set(t, outcome);
  });

  // Rebuilt from the config, so records of removed origins (or of pools that
  // lost their healthCheck) are dropped; origins left out of the window, or
  // deferred by the deadline, keep theirs.
  const origins: Record<string, HealthRecord> = {};
  const results: ProbeReport[] = [];
  for (const t of targets) {
    const before = Object.hasOwn(previous.origins, t.origin.key) ? previous.origins[t.origin.key] : undefined;
    const outcome = probedAt.get(t);
    if (outcome) {
      origins[t.origin.key] = nextRecord(before, outcome.result, t.spec, outcome.atMs);
      results.push({ pool: t.pool, url: t.origin.url, key: t.origin.key, result: outcome.result });
    } else if (before) {
      origins[t.origin.key] = before;
    }
  }
  const thresholds = new Map(targets.map((t) => [t.origin.key, t.spec.healthyThreshold]));
  const transitions = healthTransitions(previous, { v: 1, origins }, (key) => thresholds.get(key) ?? 1);
  const changes = keepChanges(transitions, previous.changes);
  const next: HealthSnapshot = changes.length === 0 ? { v: 1, origins } : { v: 1, origins, changes };
  const changed = !snapshotsEqual(next, previous);
  return {
    next: changed ? next : previous,
    changed,
    probed: probedAt.size,
    skipped: targets.length - window.length,
    deferred: window.length - probedAt.size,
    results,
    headerProblems,
    transitions,
  };
}

const noSecrets: SecretLookup = () => undefined;

/** Every origin of every pool with a healthCheck, in config order, each key once. */
function healthCheckedOrigins(config: Pick<Config, "pools">): Target[] {
  const targets: Target[] = [];
  const seen = new Set<string>();
  for (const pool of config.pools.values()) {
    const spec = pool.healthCheck;
    if (!spec) continue;
    for (const origin of pool.origins) {
      if (seen.has(origin.key)) continue;
      seen.add(origin.key);
      targets.push({ pool: pool.name, origin, spec });
    }
  }
  return targets;
}

/**
 * At most `maxProbes` targets. With more targets than that, the window starts
 * at runIndex*maxProbes (mod total) and wraps, so consecutive runs tile the
 * list and every origin is probed once every ceil(total/maxProbes) runs,
 * with no cursor kept in KV (that would cost a write per run).
 */
export function probeWindow<T>(targets: readonly T[], maxProbes: number, runIndex: number): T[] {
  const total = targets.length;
  const budget = Math.max(0, Math.floor(maxProbes));
  if (total <= budget) return targets.slice();
  // Reduced before multiplying, so a large runIndex stays an exact integer.
  const run = ((Math.floor(runIndex) % total) + total) % total;
  const offset = (run * (budget % total)) % total;
  const window: T[] = [];
  for (let i = 0; i < budget; i++) window.push(targets[(offset + i) % total]!);
  return window;
}

/**
 * How many probes of the window a run surely finishes before its deadline if
 * every origin hangs: each lane fits that many of the longest timeout.
 */
function surelyProbed(window: readonly Target[], concurrency: number, timeLeftMs: number): number {
  const longestMs = window.reduce((ms, t) => Math.max(ms, t.spec.timeoutMs), 1);
  // The last start must end by the deadline, hence the millisecond less.
  return concurrency * Math.max(1, Math.floor((timeLeftMs - 1) / longestMs));
}

/**
 * How many times this run's window (probeWindow) has come round before: with
 * more targets than the budget, the same window returns every
 * total / gcd(total, budget) runs, and only its own turns may move its order.
 */
export function windowTurn(total: number, maxProbes: number, runIndex: number): number {
  const run = Math.max(0, Math.floor(runIndex));
  const budget = Math.max(0, Math.floor(maxProbes));
  if (total <= budget || budget === 0) return run;
  return Math.floor(run / (total / gcd(total, budget % total)));
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * The order a run with a deadline probes its window in: rotated by `sure`
 * (what a run surely finishes) on each of the window's turns, so that its
 * turns tile it and origins that hang early in the list cannot keep the later
 * ones from ever being probed.
 */
export function probeOrder<T>(window: readonly T[], sure: number, turn: number): T[] {
  const total = window.length;
  if (sure >= total) return window.slice();
  const offset = ((turn % total) * (sure % total)) % total;
  return [...window.slice(offset), ...window.slice(0, offset)];
}
