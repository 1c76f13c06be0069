// Matching a request path against one host's compiled rules (host-group.ts):
// tiers from the longest path down, each beaten only by a longer regex.
import { conditionsHold, type RequestFacts } from "./conditions";
import { isEntry, type Entry, type HostGroup, type PathSlot } from "./host-group";
import { TYPE_RANK } from "./paths";
import type { PathRegex } from "./regex";

/** The first rule of `tier` whose conditions hold, or undefined. */
function firstHolding(tier: readonly Entry[], request: RequestFacts): Entry | undefined {
  for (const entry of tier) if (entry.conditions === undefined || conditionsHold(entry.conditions, request)) return entry;
  return undefined;
}

function regexHolds(entry: Entry, path: string, request: RequestFacts): boolean {
  return (entry.regex as PathRegex).test(path) && (entry.conditions === undefined || conditionsHold(entry.conditions, request));
}

const SLASH = 0x2f;

/** The winning rule of this group for a request path (normalized, without ";parameters"), or undefined. */
export function matchHostGroup(group: HostGroup, path: string, request: RequestFacts): Entry | undefined {
  const regexes = group.regexes;
  let r = 0;
  // Tiers from the longest path down; a regex longer than a tier's path beats
  // it, and on equal length the tier wins. The request path's own Exact tier
  // comes before its Prefix tier (on equal length, Exact wins).
  const slot = group.paths.size === 0 ? undefined : group.paths.get(path);
  const exactTier = slot === undefined ? undefined : tierOf(slot, true);
  if (exactTier !== undefined) {
    // HTTPRoute rules: an Exact match wins before any regex is tried (host-group.ts, Entry.exactFirst).
    const found = group.exactFirst ? (isEntry(exactTier) ? exactTier : firstHolding(exactTier, request)) : tierWinner(exactTier, regexes, r, path, request);
    if (found !== undefined) return found;
    if (!group.exactFirst) r = regexScanned;
  }
  const prefixTier = slot === undefined ? undefined : tierOf(slot, false);
  if (prefixTier !== undefined) {
    const found = tierWinner(prefixTier, regexes, r, path, request);
    if (found !== undefined) return found;
    r = regexScanned;
  }
  // Then each shorter prefix ending at a path element ("/a/b/c", "/a/b",
  // "/a"), starting from the longest a Prefix path of this host could be, so
  // that a path of thousands of elements costs no more lookups than the
  // host's deepest Prefix path has elements. A path that does not start with
  // "/" has no elements; only "/" matches it.
  if (group.prefixElements > 0 && path.charCodeAt(0) === SLASH) {
    // The first prefix to try ends at the last "/" that is neither past the
    // host's deepest or longest Prefix path nor the path's end (the whole
    // path was looked up above).
    const limit = Math.min(elementsEnd(path, group.prefixElements), path.length - 1, group.prefixChars);
    for (let end = path.lastIndexOf("/", limit); end > 0; end = path.lastIndexOf("/", end - 1)) {
      const shorter = group.paths.get(path.slice(0, end));
      const tier = shorter === undefined ? undefined : tierOf(shorter, false);
      if (tier !== undefined) {
        const found = tierWinner(tier, regexes, r, path, request);
        if (found !== undefined) return found;
        r = regexScanned;
      }
    }
  }
  if (group.rootPrefix !== undefined) {
    const found = tierWinner(group.rootPrefix, regexes, r, path, request);
    if (found !== undefined) return found;
    r = regexScanned;
  }
  for (; r < regexes.length; r++) if (regexHolds(regexes[r] as Entry, path, request)) return regexes[r];
  return undefined;
}

/** Where the path's first `elements` elements end: the index of the "/" after them, or the path's length. */
function elementsEnd(path: string, elements: number): number {
  let at = 0;
  for (let i = 0; i < elements; i++) {
    at = path.indexOf("/", at + 1);
    if (at === -1) return path.length;
  }
  return at;
}

/** Where tierWinner's scan of the regexes stopped (a module variable, so that a request allocates nothing for it). */
let regexScanned = 0;

/**
 * The regexes from `r` longer than the tier's path, then the tier: the first
 * whose conditions hold. Sets regexScanned to where the regexes were left.
 */
function tierWinner(tier: readonly Entry[] | Entry, regexes: readonly Entry[], r: number, path: string, request: RequestFacts): Entry | undefined {
  const one = isEntry(tier);
  const length = one ? tier.length : (tier[0] as Entry).length;
  for (; r < regexes.length && (regexes[r] as Entry).length > length; r++) {
    if (regexHolds(regexes[r] as Entry, path, request)) return regexes[r];
  }
  regexScanned = r;
  // A rule alone in its slot has no conditions (host-group.ts).
  return one ? tier : firstHolding(tier, request);
}

/** A path's Exact tier, or its Prefix tier: an array, a rule alone, or undefined. */
function tierOf(slot: PathSlot, exact: boolean): readonly Entry[] | Entry | undefined {
  if (isEntry(slot)) return (slot.rank === TYPE_RANK.Exact) === exact ? slot : undefined;
  return exact ? slot.exact : slot.prefix;
}
