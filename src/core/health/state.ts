// The per-origin threshold state machine: consecutive pass/fail counts against
// flapping, as Caddy's active health checks (`passes`/`fails`) and Envoy's
// `healthy_threshold`/`unhealthy_threshold` do.
//
// The record is stored in KV, so it changes only when something meaningful
// does: a probe that agrees with the current state and a streak already at 0
// returns the very same record, and the reason is written only by a failure
// while up (one that counts toward going down, including the transition). A
// down origin that keeps failing, for whatever reason, keeps the reason it went
// down with: rewriting it every run would cost a KV write a minute for an
// origin whose error text varies. Steady state is therefore deep-equal to the
// previous run and the cron writes nothing.
import type { HealthCheckSpec } from "../config/types";
import type { ProbeResult } from "./probe";

export interface HealthRecord {
  readonly up: boolean;
  /** Consecutive probes against the current state; 0 when the last probe agreed with it. */
  readonly streak: number;
  /** Epoch ms of the last change between up and down (or of the first probe). */
  readonly sinceMs: number;
  /** Reason of the last failure that counted toward going down. */
  readonly reason?: string;
}

type Thresholds = Pick<HealthCheckSpec, "healthyThreshold" | "unhealthyThreshold">;

/**
 * The record after one probe. `previous` undefined is a new origin, which
 * starts up (as Caddy and Envoy assume new hosts healthy: adding an origin
 * must not wait thresholds before it takes traffic).
 */
export function nextRecord(previous: HealthRecord | undefined, result: ProbeResult, spec: Thresholds, nowMs: number): HealthRecord {
  const current = previous ?? { up: true, streak: 0, sinceMs: nowMs };
  if (current.up === result.ok) {
    // The probe agrees with the state: only a pending streak needs resetting.
    if (current.streak === 0) return current;
    return record(current.up, 0, current.sinceMs, current.reason);
  }
  const streak = current.streak + 1;
  if (result.ok) {
    // Down, and a good probe.
    if (streak >= Math.max(1, spec.healthyThreshold)) return record(true, 0, nowMs, current.reason);
    return record(false, streak, current.sinceMs, current.reason);
  }
  // Up, and a failed probe: it counts toward going down, so its reason is kept.
  if (streak >= Math.max(1, spec.unhealthyThreshold)) return record(false, 0, nowMs, result.reason);
  return record(true, streak, current.sinceMs, result.reason);
}

/** Builds a record without an `undefined` reason key, so JSON round trips stay deep-equal. */
function record(up: boolean, streak: number, sinceMs: number, reason: string | undefined): HealthRecord {
  return reason === undefined ? { up, streak, sinceMs } : { up, streak, sinceMs, reason };
}
