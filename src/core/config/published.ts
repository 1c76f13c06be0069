// Two small keys `apply` and `rollback` write after the active value, so that
// the frequent readers need not read (or parse) the whole config:
// - the version key: which version and digest the active value holds. An
//   isolate that serves that digest reads only this key when its cache
//   expires: an unchanged config is not fetched, parsed or compiled again;
// - the health plan: the pools with a health check, as normalized, for the
//   cron run, whose CPU then depends on the origins it probes, not on the
//   number of routing rules.
// Both carry the digest of the active value they were written for. KV writes
// are atomic per key only, so a reader uses them only when they agree with
// each other (and, for the Worker, with what it serves); otherwise it reads
// the active value itself, as before these keys existed.
import type { Pool } from "./types";

export interface VersionKey {
  readonly version: string;
  /** The active value's digest (fast-stored.ts). */
  readonly digest: string;
}

export interface HealthPlan {
  readonly version: string;
  readonly digest: string;
  /** The config's pools that have a healthCheck, in config order. */
  readonly pools: readonly Pool[];
}

export function versionKeyText(version: string, digest: string): string {
  return JSON.stringify({ version, digest } satisfies VersionKey);
}

export function healthPlanText(version: string, digest: string, pools: Iterable<Pool>): string {
  const checked = [...pools].filter((pool) => pool.healthCheck !== undefined);
  return JSON.stringify({ version, digest, pools: checked } satisfies HealthPlan);
}

export function readVersionKey(text: string | null | undefined): VersionKey | undefined {
  const value = parseObject(text);
  return value && typeof value.version === "string" && typeof value.digest === "string" ? { version: value.version, digest: value.digest } : undefined;
}

/** The plan, when it was written for the same active value as the version key; else undefined. */
export function readHealthPlan(text: string | null | undefined, current: VersionKey | undefined): HealthPlan | undefined {
  const value = parseObject(text);
  if (!value || !current || value.version !== current.version || value.digest !== current.digest || !Array.isArray(value.pools)) return undefined;
  return value as unknown as HealthPlan;
}

function parseObject(text: string | null | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
