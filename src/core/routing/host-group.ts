// The rules of one host (or of the wildcard, or of no host) compiled for
// lookup: Exact paths in a Map, Prefix paths in a trie of path elements,
// regexes sorted by length. Matching costs one Map lookup, one trie step per
// path element and a scan of this host's regexes that stops as soon as none
// left could beat the best match; it never depends on the number of rules.
import type { Route } from "../config/types";
import { precedenceLength, prefixElements, prefixKey, rulePath, TYPE_RANK } from "./paths";
import { lazyRegexPath, type PathRegex } from "./regex";
import type { DecidedBy, HostMatch, RouteMatch } from "./types";

/** One rule, with everything precedence compares precomputed. */
export interface Entry {
  readonly route: Route;
  readonly length: number;
  readonly rank: number;
  /** Position in the config's rule list: on a full tie the first declared wins. */
  readonly index: number;
  readonly regex: PathRegex | undefined;
  /** What match() returns when this rule wins, built once. */
  readonly result: RouteMatch;
}

export interface TrieNode {
  children: Map<string, TrieNode> | undefined;
  entry: Entry | undefined;
}

export interface HostGroup {
  readonly kind: HostMatch;
  /** The host as written: "foo.bar.com", "*.foo.com", or "" for the rules without host. */
  readonly pattern: string;
  /** Every rule of this group, in declaration order. */
  readonly entries: readonly Entry[];
  readonly exact: ReadonlyMap<string, Entry>;
  readonly prefixRoot: TrieNode | undefined;
  /** Longest first; declaration order among equal lengths. */
  readonly regexes: readonly Entry[];
  /** The defaultBackend as seen from this group, or undefined. */
  readonly fallback: RouteMatch | undefined;
}

const DECIDED_BY: Readonly<Record<Route["pathType"], DecidedBy>> = {
  Exact: "exact-path",
  Prefix: "longest-prefix",
  ImplementationSpecific: "regex",
};

/** Does `a` win over `b`? Longest path, then Exact > Prefix > regex, then first declared. */
export function beats(a: Entry, b: Entry | undefined): boolean {
  if (b === undefined) return true;
  if (a.length !== b.length) return a.length > b.length;
  if (a.rank !== b.rank) return a.rank < b.rank;
  return a.index < b.index;
}

export function buildHostGroup(
  kind: HostMatch,
  pattern: string,
  routes: readonly { readonly route: Route; readonly index: number }[],
  fallback: RouteMatch | undefined,
): HostGroup {
  const entries: Entry[] = [];
  const exact = new Map<string, Entry>();
  let prefixRoot: TrieNode | undefined;
  const regexes: Entry[] = [];
  for (const { route, index } of routes) {
    const isRegex = route.pathType === "ImplementationSpecific";
    const entry: Entry = Object.freeze({
      route,
      length: precedenceLength(route),
      rank: TYPE_RANK[route.pathType],
      index,
      regex: isRegex ? lazyRegexPath(route.path) : undefined,
      result: Object.freeze({ pool: route.pool, route, hostMatch: kind, decidedBy: DECIDED_BY[route.pathType] }),
    });
    entries.push(entry);
    if (route.pathType === "Exact") {
      const path = rulePath(route.path);
      if (beats(entry, exact.get(path))) exact.set(path, entry);
    } else if (route.pathType === "Prefix") {
      prefixRoot ??= { children: undefined, entry: undefined };
      let node = prefixRoot;
      for (const element of prefixElements(prefixKey(rulePath(route.path)))) {
        node.children ??= new Map();
        let child = node.children.get(element);
        if (!child) node.children.set(element, (child = { children: undefined, entry: undefined }));
        node = child;
      }
      if (beats(entry, node.entry)) node.entry = entry;
    } else {
      regexes.push(entry);
    }
  }
  // Array.prototype.sort is stable, so equal lengths keep declaration order.
  regexes.sort((a, b) => b.length - a.length);
  return Object.freeze({ kind, pattern, entries: Object.freeze(entries), exact, prefixRoot, regexes: Object.freeze(regexes), fallback });
}

/** The winning rule of this group for a request path (normalized, without ";parameters"), or undefined. */
export function matchHostGroup(group: HostGroup, path: string): Entry | undefined {
  let best = group.exact.get(path);
  const root = group.prefixRoot;
  if (root !== undefined) {
    let node: TrieNode = root;
    if (node.entry !== undefined && beats(node.entry, best)) best = node.entry;
    // Walk the request's elements: "/a/b/" is "a", "b", "". A path that does
    // not start with "/" has no elements; only the "/" rule matches it.
    let start = path.charCodeAt(0) === 0x2f ? 1 : -1;
    while (start !== -1 && node.children !== undefined) {
      const slash = path.indexOf("/", start);
      const child = node.children.get(slash === -1 ? path.slice(start) : path.slice(start, slash));
      if (child === undefined) break;
      node = child;
      if (node.entry !== undefined && beats(node.entry, best)) best = node.entry;
      start = slash === -1 ? -1 : slash + 1;
    }
  }
  for (const entry of group.regexes) {
    // Sorted longest first: once a regex is no longer than the best match it
    // cannot win (on equal length Exact and Prefix beat it), nor can any after it.
    if (best !== undefined && entry.length <= best.length) break;
    if ((entry.regex as PathRegex).test(path)) return entry;
  }
  return best;
}
