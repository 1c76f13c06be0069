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
import * as v from "valibot";
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

/**
 * The plan, when it was written for the same active value as the version key
 * (else undefined), and "malformed" when it was but its pools are not what a
 * cron run reads: a value edited by hand, or written by another version of
 * the CLI. The caller then probes the pools of the config itself: a plan is
 * read unvalidated for speed, so it must never be trusted beyond its shape
 * (a field of the wrong type would fail every probe and take healthy origins
 * down, or throw out of every run).
 */
export function readHealthPlan(text: string | null | undefined, current: VersionKey | undefined): HealthPlan | "malformed" | undefined {
  const value = parseObject(text);
  if (!value || !current || value.version !== current.version || value.digest !== current.digest) return undefined;
  return v.is(PLAN_POOLS, value.pools) ? (value as unknown as HealthPlan) : "malformed";
}

const positive = v.pipe(v.number(), v.integer(), v.minValue(1));
/** What a cron run reads of each planned pool (health/run.ts, health/probe.ts), in the form parseConfig gives it. */
const PLAN_POOLS = v.array(
  v.object({
    name: v.string(),
    origins: v.array(v.object({ key: v.string(), url: v.pipe(v.string(), v.regex(/^https?:\/\/[^/?#]/)) })),
    healthCheck: v.object({
      path: v.pipe(v.string(), v.startsWith("/")),
      method: v.picklist(["GET", "HEAD"]),
      expectedStatus: v.array(v.object({ from: v.number(), to: v.number() })),
      bodyContains: v.optional(v.string()),
      // As the config allows it: a longer timeout would never fit before a run's deadline (handlers/health-run.ts), and its origins would never be probed.
      timeoutMs: v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(30_000)),
      healthyThreshold: positive,
      unhealthyThreshold: positive,
      headers: v.record(v.string(), v.union([v.string(), v.object({ secret: v.string() })])),
    }),
  }),
);

function parseObject(text: string | null | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
