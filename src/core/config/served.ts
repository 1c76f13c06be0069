// Which stored version a new isolate serves. The Worker decides with this
// function and `edge-ingress status` reports with it, so what status says is
// what the edge does. A bad active value must never take traffic down, not
// even in an isolate that has no earlier good config to keep (every cold
// start, every new location): such an isolate serves the newest entry of the
// history that validates. The history is only needed when the active value is
// invalid, so a caller reads that key only then.
import { asStoredConfig, parseStoredValue, type InvalidStored, type StoredParse, type ValidStored } from "./stored";

export type ServedConfig =
  /** The active value validates: it is served. */
  | { readonly source: "active"; readonly served: ValidStored }
  /** The active value does not validate: the newest history entry that does, and was made active once, is served. */
  | { readonly source: "history"; readonly served: ValidStored; readonly active: InvalidStored; readonly neverActive: readonly string[] }
  /**
   * Nothing to serve (the router answers 503): there is no active value (the
   * history is then not consulted: nothing was ever applied, or the key was
   * deleted on purpose), or it does not validate and no history entry does.
   */
  | { readonly source: "none"; readonly active?: InvalidStored; readonly historyVersions: readonly string[]; readonly neverActive?: readonly string[] };

/**
 * `active` is the parsed active value (undefined when the key is absent);
 * `historyText` the history key's value, newest first as apply and rollback
 * write it; `lastActivated` the version the version key names (published.ts),
 * when there is one. The list order decides "newest", not `appliedAt` (which
 * comes from the clock of whoever applied). Entries ahead of the last version
 * made active are never served (see activatedFrom); they come back as
 * `neverActive`.
 */
export function chooseServedConfig(active: StoredParse | undefined, historyText: string | null | undefined, lastActivated?: string): ServedConfig {
  if (active === undefined) return { source: "none", historyVersions: [] };
  if (active.ok) return { source: "active", served: active };
  const entries = historyEntries(historyText).flatMap((entry) => asStoredConfig(entry) ?? []);
  const from = activatedFrom(entries.map((e) => e.version), [active.version, lastActivated]);
  const neverActive = entries.slice(0, from).map((e) => e.version);
  const tried: string[] = [];
  for (const stored of entries.slice(from)) {
    tried.push(stored.version);
    const parsed = parseStoredValue(stored);
    if (parsed.ok) return { source: "history", served: parsed, active, neverActive };
  }
  return { source: "none", active, historyVersions: tried, ...(neverActive.length > 0 ? { neverActive } : {}) };
}

/** `{ neverActive }` when the choice skipped history versions not known to have been made active, else `{}`: for log lines and status. */
export function skippedVersions(choice: ServedConfig): { readonly neverActive?: readonly string[] } {
  return choice.source !== "active" && choice.neverActive?.length ? { neverActive: choice.neverActive } : {};
}

/**
 * Where the versions that were made active start in the history (newest
 * first). apply and rollback write the history before the active value, so
 * one that stopped in between (killed, a failed write, a conflict) left its
 * version first in the history without ever making it active: the entries
 * ahead of the last version made active never served, and must not now. What
 * says which version that was, first found wins: the active value's own
 * version (when it can still be read), then the version key, which apply and
 * rollback write only after the switch. With neither in the history (a KV an
 * older edge-ingress wrote, which wrote no version key) every entry counts,
 * as it always did: an unknown history must not take traffic down.
 */
export function activatedFrom(versions: readonly string[], evidence: readonly (string | undefined)[]): number {
  for (const version of evidence) {
    const at = version === undefined ? -1 : versions.indexOf(version);
    if (at >= 0) return at;
  }
  return 0;
}

function historyEntries(text: string | null | undefined): readonly unknown[] {
  if (text === null || text === undefined) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}
