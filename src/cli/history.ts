// The applied versions kept in KV (KV_KEYS.history, newest first, the active
// one included) and the two moves on them: apply pushes, rollback pops.
import { activatedFrom } from "../core/config/served";
import { asStoredConfig, formatOf, HISTORY_LENGTH, KV_KEYS, MAX_STORED_DEPTH, nestsDeeperThan, STORED_FORMAT, type StoredConfig } from "../core/config/stored";
import { CliError } from "./output";

export interface ParsedValue<T> {
  readonly value: T;
  /** Set when the text in KV could not be read as expected. */
  readonly problem?: string;
}

export function parseStoredText(text: string | undefined): ParsedValue<StoredConfig | undefined> {
  if (text === undefined) return { value: undefined };
  try {
    const value: unknown = JSON.parse(text);
    if (nestsDeeperThan(value, MAX_STORED_DEPTH)) return { value: undefined, problem: `nests deeper than ${MAX_STORED_DEPTH} levels: not a config edge-ingress wrote` };
    const stored = asStoredConfig(value);
    return stored ? { value: stored } : { value: undefined, problem: 'is not an object with "version", "appliedAt" and "config"' };
  } catch (error) {
    return { value: undefined, problem: `is not valid JSON (${(error as Error).message})` };
  }
}

export function parseHistoryText(text: string | undefined): ParsedValue<StoredConfig[]> {
  if (text === undefined) return { value: [] };
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return { value: [], problem: "is not a list" };
    const entries = value.map(asStoredConfig);
    const kept = entries.filter((e): e is StoredConfig => e !== undefined);
    return kept.length === entries.length ? { value: kept } : { value: kept, problem: `has ${entries.length - kept.length} malformed entries (dropped)` };
  } catch (error) {
    return { value: [], problem: `is not valid JSON (${(error as Error).message})` };
  }
}

/**
 * The history with the active version first. Apply and rollback write the
 * history before the active config, so entries ahead of the active version
 * were written by one that stopped before switching: they never went live and
 * are dropped. A config written to KV by other means than apply (not in the
 * history at all) is kept, so rollback can still come back to it; the
 * entries ahead of `lastActivated` (the version key's version, the last one
 * apply or rollback made active) are then the ones dropped, as new isolates
 * skip them (activatedFrom).
 */
export function withActive(current: StoredConfig | undefined, history: readonly StoredConfig[], lastActivated?: string): StoredConfig[] {
  const at = current === undefined ? -1 : history.findIndex((entry) => entry.version === current.version);
  if (at >= 0) return history.slice(at);
  const activated = history.slice(activatedFrom(history.map((entry) => entry.version), [lastActivated]));
  return current === undefined ? activated : [current, ...activated];
}

/** The history after applying `entry`: it first, then the earlier versions, capped at HISTORY_LENGTH. */
export function pushHistory(entry: StoredConfig, current: StoredConfig | undefined, history: readonly StoredConfig[], lastActivated?: string): StoredConfig[] {
  return [entry, ...withActive(current, history, lastActivated)].slice(0, HISTORY_LENGTH);
}

export type RollbackPlan =
  | { readonly ok: true; readonly from?: StoredConfig; readonly to: StoredConfig; readonly history: StoredConfig[] }
  | { readonly ok: false; readonly reason: string };

/** What is known of the active key besides the config read from it. */
export interface ActiveKnown {
  /** The key holds a value that cannot be read as a stored config (not JSON, say). */
  readonly unreadable?: boolean;
  /** The version the version key names: the last one apply or rollback made active. */
  readonly lastActivated?: string;
}

/** What is known of the active key: `text` as read (undefined when absent), `current` the stored config read from it, `lastActivated` the version key's version. */
export function activeKnownOf(text: string | undefined, current: StoredConfig | undefined, lastActivated: string | undefined): ActiveKnown {
  return { unreadable: text !== undefined && current === undefined, ...(lastActivated === undefined ? {} : { lastActivated }) };
}

/**
 * Rollback makes the version before the active one active again, and drops
 * the active one from the history. An unreadable active value is in no entry
 * (nothing says which version it is): the newest entry made active, the one
 * new isolates serve instead, is the one to go back to, and no entry made
 * active is dropped.
 */
export function planRollback(current: StoredConfig | undefined, history: readonly StoredConfig[], appliedAt: string, known: ActiveKnown = {}): RollbackPlan {
  const entries = withActive(current, history, known.lastActivated);
  const [from, target, rest] = known.unreadable ? [undefined, entries[0], entries.slice(1)] : [entries[0], entries[1], entries.slice(2)];
  if (target === undefined) {
    const held = from ? `it holds only version ${from.version}` : known.unreadable ? "the active value cannot be read, and the history holds no version" : "it holds no config";
    return { ok: false, reason: `${held} (the history keeps the last ${HISTORY_LENGTH} applied versions)` };
  }
  // Written in the format it was applied in: its config is unchanged.
  const to: StoredConfig = { ...(target.format === undefined ? {} : { format: target.format }), version: target.version, appliedAt, config: target.config };
  return { ok: true, ...(from ? { from } : {}), to, history: [to, ...rest] };
}

/**
 * apply and rollback replace the active value: one in a newer format than
 * this CLI writes came from a newer edge-ingress, and overwriting it would
 * take the edge back to what this one knows. Only with --force.
 */
export function refuseNewerFormat(current: StoredConfig | undefined, where: string, force: boolean | undefined): void {
  if (current === undefined || force || formatOf(current) <= STORED_FORMAT) return;
  throw new CliError(
    `${KV_KEYS.config} in ${where} holds version ${current.version} in format ${formatOf(current)}, written by a newer edge-ingress than this one ` +
      `(which writes format ${STORED_FORMAT}): upgrade ("npm update edge-ingress"), or pass --force to overwrite it with format ${STORED_FORMAT}`,
  );
}
