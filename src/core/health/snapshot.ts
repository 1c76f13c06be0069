// The health state stored in KV: one record per probed origin, written by the
// cron run only when it changed and read by every isolate. A malformed value
// parses to undefined and the caller treats every origin as up: a bad value in
// KV must never take traffic down.
import * as v from "valibot";
import type { HealthRecord } from "./state";
import { MAX_KEPT_CHANGES, type HealthChange } from "./transitions";

export interface HealthSnapshot {
  readonly v: 1;
  /**
   * Scheduled time (epoch ms) of the cron run that wrote it, which orders
   * snapshots whatever KV returns (see stamp.ts). Absent in snapshots from
   * before it existed: older than any stamped one.
   */
  readonly runAtMs?: number;
  /** Records by origin key (`${pool} ${url}`). No record means up. */
  readonly origins: Readonly<Record<string, HealthRecord>>;
  /** The last changes between up and down, newest first (at most 20). Absent in snapshots from before it existed. */
  readonly changes?: readonly HealthChange[];
}

export const emptySnapshot: HealthSnapshot = Object.freeze({ v: 1, origins: Object.freeze({}) });

const MAX_DATE_MS = 8.64e15;

const healthRecord = v.object({
  up: v.boolean(),
  streak: v.pipe(v.number(), v.integer(), v.minValue(0)),
  // Within the range of Date, so describeRecord can always format it.
  sinceMs: v.pipe(v.number(), v.minValue(-MAX_DATE_MS), v.maxValue(MAX_DATE_MS)),
  reason: v.optional(v.string()),
});

const healthChange = v.object({
  key: v.string(),
  up: v.boolean(),
  atMs: v.pipe(v.number(), v.minValue(-MAX_DATE_MS), v.maxValue(MAX_DATE_MS)),
  reason: v.string(),
});

// v.object drops unknown keys, so a record written by a newer version still
// reads here and compares equal on the fields this version knows.
const healthSnapshot = v.object({
  v: v.literal(1),
  // Only an order: a malformed stamp is dropped, never the health state with it.
  runAtMs: v.fallback(v.optional(v.pipe(v.number(), v.integer(), v.minValue(-MAX_DATE_MS), v.maxValue(MAX_DATE_MS))), undefined),
  // v.record alone would take an array as a record of "0", "1", ...
  origins: v.pipe(
    v.unknown(),
    v.check((value) => !Array.isArray(value)),
    v.record(v.string(), healthRecord),
  ),
  // Only a history: a malformed one is dropped, never the health state with it.
  changes: v.optional(v.fallback(v.array(healthChange), [])),
});

/** The snapshot as stored in KV (JSON text); undefined when it is not valid JSON or not a snapshot. */
export function decodeHealthSnapshot(text: string): HealthSnapshot | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return parseHealthSnapshot(value);
}

export function parseHealthSnapshot(value: unknown): HealthSnapshot | undefined {
  const result = v.safeParse(healthSnapshot, value);
  if (!result.success) return undefined;
  const origins: Record<string, HealthRecord> = {};
  for (const [key, r] of Object.entries(result.output.origins)) {
    // Rebuilt without `reason: undefined`, the shape nextRecord produces.
    origins[key] = r.reason === undefined ? { up: r.up, streak: r.streak, sinceMs: r.sinceMs } : { up: r.up, streak: r.streak, sinceMs: r.sinceMs, reason: r.reason };
  }
  const { runAtMs, changes } = result.output;
  return {
    v: 1,
    ...(runAtMs === undefined ? {} : { runAtMs }),
    origins,
    ...(changes === undefined ? {} : { changes: changes.slice(0, MAX_KEPT_CHANGES) }),
  };
}

/** Compares the origins' records only: the change history follows from them, and the stamp says only who wrote them. */
export function snapshotsEqual(a: HealthSnapshot, b: HealthSnapshot): boolean {
  if (a === b) return true;
  const keysA = Object.keys(a.origins);
  if (keysA.length !== Object.keys(b.origins).length) return false;
  for (const key of keysA) {
    const ra = a.origins[key];
    const rb = Object.hasOwn(b.origins, key) ? b.origins[key] : undefined;
    if (!ra || !rb || !recordsEqual(ra, rb)) return false;
  }
  return true;
}

export function recordsEqual(a: HealthRecord, b: HealthRecord): boolean {
  return a === b || (a.up === b.up && a.streak === b.streak && a.sinceMs === b.sinceMs && a.reason === b.reason);
}

/** True only when the snapshot holds a record saying down; no record means up. */
export function isDown(health: HealthSnapshot, key: string): boolean {
  return Object.hasOwn(health.origins, key) && health.origins[key]?.up === false;
}

/** One line for the CLI status table, e.g. `down since 2026-11-27T06:00:00Z (status 503)`. */
export function describeRecord(record: HealthRecord | undefined): string {
  if (!record) return "up (not probed yet)";
  const since = isoSeconds(record.sinceMs);
  if (record.up) {
    if (record.streak === 0) return `up since ${since}`;
    return `up since ${since}, ${plural(record.streak, "failed probe")}${record.reason === undefined ? "" : ` (${record.reason})`}`;
  }
  const down = `down since ${since}${record.reason === undefined ? "" : ` (${record.reason})`}`;
  return record.streak === 0 ? down : `${down}, ${plural(record.streak, "good probe")}`;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, "Z");
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
