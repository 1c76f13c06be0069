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
  /** The active value does not validate: the newest history entry that does is served. */
  | { readonly source: "history"; readonly served: ValidStored; readonly active: InvalidStored }
  /**
   * Nothing to serve (the router answers 503): there is no active value (the
   * history is then not consulted: nothing was ever applied, or the key was
   * deleted on purpose), or it does not validate and no history entry does.
   */
  | { readonly source: "none"; readonly active?: InvalidStored; readonly historyVersions: readonly string[] };

/**
 * `active` is the parsed active value (undefined when the key is absent);
 * `historyText` the history key's value, newest first as apply and rollback
 * write it. The list order decides "newest", not `appliedAt` (which comes
 * from the clock of whoever applied).
 */
export function chooseServedConfig(active: StoredParse | undefined, historyText: string | null | undefined): ServedConfig {
  if (active === undefined) return { source: "none", historyVersions: [] };
  if (active.ok) return { source: "active", served: active };
  const tried: string[] = [];
  for (const entry of historyEntries(historyText)) {
    const stored = asStoredConfig(entry);
    if (!stored) continue;
    tried.push(stored.version);
    const parsed = parseStoredValue(stored);
    if (parsed.ok) return { source: "history", served: parsed, active };
  }
  return { source: "none", active, historyVersions: tried };
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
