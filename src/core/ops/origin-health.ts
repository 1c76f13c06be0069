// An origin's health as one set of facts, shared by the status page and
// `edge-ingress status` so the two always say the same thing.
import type { Origin, Pool } from "../config/types";
import { describeRecord, type HealthSnapshot } from "../health";

export interface OriginHealth {
  /** "unchecked": the pool has no health check; "unknown": not probed yet (taken as up). */
  readonly state: "up" | "down" | "unknown" | "unchecked";
  /** ISO 8601: when it last changed between up and down (or was first probed). */
  readonly since?: string;
  /** Reason of the last failed probe that counted. */
  readonly reason?: string;
  /** Probes in a row against the current state (toward a change). */
  readonly streak?: number;
}

export function originHealth(pool: Pool, origin: Origin, health: HealthSnapshot | undefined): OriginHealth {
  if (!pool.healthCheck) return { state: "unchecked" };
  const record = health && Object.hasOwn(health.origins, origin.key) ? health.origins[origin.key] : undefined;
  if (!record) return { state: "unknown" };
  return {
    state: record.up ? "up" : "down",
    since: new Date(record.sinceMs).toISOString(),
    ...(record.reason === undefined ? {} : { reason: record.reason }),
    streak: record.streak,
  };
}

/** One line, e.g. `down since 2026-11-27T06:00:00Z (status 503)`; the same text on the page and in the CLI. */
export function describeOriginHealth(h: OriginHealth): string {
  if (h.state === "unchecked") return "no health check";
  if (h.state === "unknown") return describeRecord(undefined);
  return describeRecord({ up: h.state === "up", streak: h.streak ?? 0, sinceMs: Date.parse(h.since ?? ""), ...(h.reason === undefined ? {} : { reason: h.reason }) });
}
