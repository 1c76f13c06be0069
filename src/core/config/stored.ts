// The document the Worker reads from KV: one key holds the whole config with
// its version id, so a change switches atomically (KV writes are atomic per
// key). The CLI writes it; the Worker only reads and re-validates it.
import { parseConfig } from "./parse";
import type { Config, Problem } from "./types";

/** KV keys, prefixed so the namespace may be shared with other data. */
export const KV_KEYS = {
  /** The active config: StoredConfig as JSON. */
  config: "edge-ingress:config",
  /** The last few applied configs, newest first: StoredConfig[] as JSON. */
  history: "edge-ingress:config-history",
  /** Health state written by the cron run: HealthSnapshot as JSON. */
  health: "edge-ingress:health",
  /** Version and digest of the active value, written after it (published.ts). */
  version: "edge-ingress:config-version",
  /** The health-checked pools of the active value, for the cron run (published.ts). */
  healthPlan: "edge-ingress:health-plan",
} as const;

/** How many applied versions `rollback` can go back through. */
export const HISTORY_LENGTH = 5;

/**
 * No config nests more than about a dozen levels (envelope, config, rules,
 * http, paths, backend, service, port); a deeper value was not written by
 * apply, and walking it recursively (messages, JSON.stringify) would overflow
 * the stack, so it is refused before anything looks inside.
 */
export const MAX_STORED_DEPTH = 64;

/**
 * The format of what apply writes (the envelope and the config inside it).
 * Raised when a change would be misread by an older Worker or CLI: they then
 * refuse the value by name (the Worker keeps serving what it can read, see
 * served.ts; the CLI will not overwrite it without --force) instead of
 * misreading it. A value without `format` was written before formats were
 * numbered and is format 1.
 */
export const STORED_FORMAT = 1;

export interface StoredConfig {
  /** The format it was written in; absent means 1. */
  readonly format?: number;
  /** Content hash of `config` (first 12 hex digits of its SHA-256). */
  readonly version: string;
  /** ISO 8601 time of the apply. */
  readonly appliedAt: string;
  /** The native document, all files merged. */
  readonly config: unknown;
}

export type StoredParse =
  | { readonly ok: true; readonly version: string; readonly appliedAt: string; readonly config: Config }
  | { readonly ok: false; readonly version?: string; readonly problems: readonly Problem[] };

export type ValidStored = Extract<StoredParse, { readonly ok: true }>;
export type InvalidStored = Extract<StoredParse, { readonly ok: false }>;

export function parseStoredConfig(text: string): StoredParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [{ path: KV_KEYS.config, message: `is not valid JSON: ${(error as Error).message}` }] };
  }
  return parseStoredValue(value);
}

/** A StoredConfig already read from JSON (an active value, or one entry of the history), validated. */
export function parseStoredValue(value: unknown): StoredParse {
  if (nestsDeeperThan(value, MAX_STORED_DEPTH)) {
    return { ok: false, problems: [{ path: KV_KEYS.config, message: `nests deeper than ${MAX_STORED_DEPTH} levels: not a config edge-ingress wrote` }] };
  }
  const stored = envelope(value);
  if (!stored) {
    return { ok: false, problems: [{ path: KV_KEYS.config, message: 'must be an object with "version", "appliedAt" and "config"' }] };
  }
  if (formatOf(stored) > STORED_FORMAT) return { ok: false, version: stored.version, problems: [newerFormatProblem(formatOf(stored))] };
  // Lenient on probe headers: a value stored before their checks existed
  // keeps serving (each probe checks its own header values before sending).
  const parsed = parseConfig(stored.config, { strictProbeHeaders: false });
  if (!parsed.ok) {
    return { ok: false, version: stored.version, problems: parsed.problems.map((p) => ({ path: `config.${p.path}`, message: p.message })) };
  }
  return { ok: true, version: stored.version, appliedAt: stored.appliedAt, config: parsed.config };
}

/** The envelope of a StoredConfig (its `config` not yet validated), or undefined if the value is not one. */
export function asStoredConfig(value: unknown): StoredConfig | undefined {
  return nestsDeeperThan(value, MAX_STORED_DEPTH) ? undefined : envelope(value);
}

/** The format a stored value was written in. */
export function formatOf(stored: StoredConfig): number {
  return stored.format ?? 1;
}

/** What readers say about a value in a format newer than they know. */
export function newerFormatProblem(format: number): Problem {
  return {
    path: `${KV_KEYS.config}.format`,
    message: `is ${format}: written by a newer edge-ingress than this one, which reads formats up to ${STORED_FORMAT}; upgrade it ("npm update edge-ingress", then "wrangler deploy" for the Worker)`,
  };
}

function envelope(value: unknown): StoredConfig | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { format, version, appliedAt, config } = value as Record<keyof StoredConfig, unknown>;
  if (typeof version !== "string" || typeof appliedAt !== "string" || config === undefined) return undefined;
  if (format === undefined) return { version, appliedAt, config };
  // Anything but a whole number from 1 was not written by edge-ingress.
  if (typeof format !== "number" || !Number.isSafeInteger(format) || format < 1) return undefined;
  return { format, version, appliedAt, config };
}

/** Whether a parsed JSON value has arrays or objects nested more than `maxDepth` deep; iterative, so any depth is safe. */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    if (depth > maxDepth) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
