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

export interface StoredConfig {
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

function envelope(value: unknown): StoredConfig | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { version, appliedAt, config } = value as Partial<StoredConfig>;
  if (typeof version !== "string" || typeof appliedAt !== "string" || config === undefined) return undefined;
  return { version, appliedAt, config };
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
