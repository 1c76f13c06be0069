// The rules of one host (or of a wildcard, or of no host) compiled for
// lookup: Exact paths in a Map, Prefix paths in a trie of path elements,
// regexes sorted by length. Matching costs one Map lookup, one trie step per
// path element and a scan of this host's regexes that stops as soon as none
// left could beat the best match; it never depends on the number of rules.
//
// Rules that share a path (same Exact path, same trie node) form one tier,
// sorted by the rest of the precedence: HTTPRoute conditions (method, then
// the number of header matches, then of query matches), then declaration
// order. A tier is scanned only until a rule's conditions hold; Ingress
// rules have none, so the first rule of the first tier wins at once.
import type { Route } from "../config/types";
import { compileConditions, conditionsHold, type CompiledConditions, type RequestFacts } from "./conditions";
import { precedenceLength, prefixElements, prefixKey, rulePath, TYPE_RANK } from "./paths";
import { lazyFullMatchRegex, lazyRegexPath, type PathRegex } from "./regex";
import type { DecidedBy, HostMatch, RouteMatch } from "./types";

/** One rule, with everything precedence compares precomputed. */
export interface Entry {
  readonly route: Route;
  readonly length: number;
  readonly rank: number;
  /** HTTPRoute precedence after the path: 1 with a method condition. */
  readonly methodScore: number;
  readonly headerCount: number;
  readonly queryCount: number;
  /** Position in the config's rule list: on a full tie the first declared wins. */
  readonly index: number;
  readonly regex: PathRegex | undefined;
  readonly conditions: CompiledConditions | undefined;
  /** What match() returns when this rule wins, built once. */
  readonly result: RouteMatch;
}

export interface TrieNode {
  children: Map<string, TrieNode> | undefined;
  /** The rules ending here, best first; undefined when none. */
  entries: Entry[] | undefined;
  /** The nearest ancestor with rules: where the search goes when none here holds. */
  up: TrieNode | undefined;
}

export interface HostGroup {
  readonly kind: HostMatch;
  /** The host as written: "foo.bar.com", "*.foo.com", or "" for the rules without host. */
  readonly pattern: string;
  /** A Gateway API wildcard covers one or more labels; an Ingress wildcard exactly one. */
  readonly anyLabels: boolean;
  /** Every rule of this group, in declaration order. */
  readonly entries: readonly Entry[];
  readonly exact: ReadonlyMap<string, readonly Entry[]>;
  readonly prefixRoot: TrieNode | undefined;
  /** Longest first; then as tiers are sorted. */
  readonly regexes: readonly Entry[];
  /** The defaultBackend as seen from this group, or undefined. */
  readonly fallback: RouteMatch | undefined;
}

const DECIDED_BY: Readonly<Record<Route["pathType"], DecidedBy>> = {
  Exact: "exact-path",
  Prefix: "longest-prefix",
  ImplementationSpecific: "regex",
  RegularExpression: "regex",
};

/**
 * Does `a` win over `b`? Longest path, then Exact > Prefix > regex, then a
 * method match, more header matches, more query matches (the Gateway API's
 * order; Ingress rules tie on all three), then first declared.
 */
export function beats(a: Entry, b: Entry | undefined): boolean {
  if (b === undefined) return true;
  if (a.length !== b.length) return a.length > b.length;
  if (a.rank !== b.rank) return a.rank < b.rank;
  if (a.methodScore !== b.methodScore) return a.methodScore > b.methodScore;
  if (a.headerCount !== b.headerCount) return a.headerCount > b.headerCount;
  if (a.queryCount !== b.queryCount) return a.queryCount > b.queryCount;
  return a.index < b.index;
}

const byPrecedence = (a: Entry, b: Entry) => (beats(a, b) ? -1 : beats(b, a) ? 1 : 0);

export function buildHostGroup(
  kind: HostMatch,
  pattern: string,
  routes: readonly { readonly route: Route; readonly index: number }[],
  fallback: RouteMatch | undefined,
): HostGroup {
  const entries: Entry[] = [];
  const exact = new Map<string, Entry[]>();
  let prefixRoot: TrieNode | undefined;
  const regexes: Entry[] = [];
  let anyLabels = false;
  for (const { route, index } of routes) {
    if (route.listeners !== undefined) anyLabels = true;
    const entry = makeEntry(route, index, kind);
    entries.push(entry);
    if (route.pathType === "Exact") {
      const path = rulePath(route.path);
      const tier = exact.get(path);
      if (tier) tier.push(entry);
      else exact.set(path, [entry]);
    } else if (route.pathType === "Prefix") {
      prefixRoot ??= newNode();
      let node = prefixRoot;
      for (const element of prefixElements(prefixKey(rulePath(route.path)))) {
        node.children ??= new Map();
        let child = node.children.get(element);
        if (!child) node.children.set(element, (child = newNode()));
        node = child;
      }
      (node.entries ??= []).push(entry);
    } else {
      regexes.push(entry);
    }
  }
  for (const tier of exact.values()) tier.sort(byPrecedence);
  if (prefixRoot) linkTrie(prefixRoot, undefined);
  regexes.sort(byPrecedence);
  return Object.freeze({ kind, pattern, anyLabels, entries: Object.freeze(entries), exact, prefixRoot, regexes: Object.freeze(regexes), fallback });
}

function makeEntry(route: Route, index: number, kind: HostMatch): Entry {
  const c = route.conditions;
  const regex =
    route.pathType === "ImplementationSpecific" ? lazyRegexPath(route.path)
    : route.pathType === "RegularExpression" ? lazyFullMatchRegex(route.path)
    : undefined;
  return Object.freeze({
    route,
    length: precedenceLength(route),
    rank: TYPE_RANK[route.pathType],
    methodScore: c?.method === undefined ? 0 : 1,
    headerCount: c?.headers.length ?? 0,
    queryCount: c?.queryParams.length ?? 0,
    index,
    regex,
    conditions: compileConditions(c),
    result: Object.freeze({ pool: route.pool, route, hostMatch: kind, decidedBy: DECIDED_BY[route.pathType] }),
  });
}

function newNode(): TrieNode {
  return { children: undefined, entries: undefined, up: undefined };
}

/** Sorts every node's tier and points each node at its nearest ancestor with rules. */
function linkTrie(node: TrieNode, up: TrieNode | undefined): void {
  node.up = up;
  if (node.entries) node.entries.sort(byPrecedence);
  const below = node.entries ? node : up;
  if (node.children) for (const child of node.children.values()) linkTrie(child, below);
}

/** The first rule of `tier` whose conditions hold, or undefined. */
function firstHolding(tier: readonly Entry[], request: RequestFacts): Entry | undefined {
  for (const entry of tier) if (entry.conditions === undefined || conditionsHold(entry.conditions, request)) return entry;
  return undefined;
}

function regexHolds(entry: Entry, path: string, request: RequestFacts): boolean {
  return (entry.regex as PathRegex).test(path) && (entry.conditions === undefined || conditionsHold(entry.conditions, request));
}

/** The deepest trie node with rules on the request path's elements, or undefined. */
function deepestPrefix(root: TrieNode | undefined, path: string): TrieNode | undefined {
  if (root === undefined) return undefined;
  let node: TrieNode = root;
  let deepest = root.entries ? root : undefined;
  // Walk the request's elements: "/a/b/" is "a", "b", "". A path that does
  // not start with "/" has no elements; only the "/" rule matches it.
  let start = path.charCodeAt(0) === 0x2f ? 1 : -1;
  while (start !== -1 && node.children !== undefined) {
    const slash = path.indexOf("/", start);
    const child = node.children.get(slash === -1 ? path.slice(start) : path.slice(start, slash));
    if (child === undefined) break;
    node = child;
    if (node.entries !== undefined) deepest = node;
    start = slash === -1 ? -1 : slash + 1;
  }
  return deepest;
}

/** The winning rule of this group for a request path (normalized, without ";parameters"), or undefined. */
export function matchHostGroup(group: HostGroup, path: string, request: RequestFacts): Entry | undefined {
  const regexes = group.regexes;
  let r = 0;
  // A regex longer than a tier's path beats it; on equal length the tier wins.
  const exactTier = group.exact.get(path);
  if (exactTier !== undefined) {
    const length = (exactTier[0] as Entry).length;
    for (; r < regexes.length && (regexes[r] as Entry).length > length; r++) {
      if (regexHolds(regexes[r] as Entry, path, request)) return regexes[r];
    }
    const found = firstHolding(exactTier, request);
    if (found !== undefined) return found;
  }
  for (let node = deepestPrefix(group.prefixRoot, path); node !== undefined; node = node.up) {
    const tier = node.entries as Entry[];
    const length = (tier[0] as Entry).length;
    for (; r < regexes.length && (regexes[r] as Entry).length > length; r++) {
      if (regexHolds(regexes[r] as Entry, path, request)) return regexes[r];
    }
    const found = firstHolding(tier, request);
    if (found !== undefined) return found;
  }
  for (; r < regexes.length; r++) if (regexHolds(regexes[r] as Entry, path, request)) return regexes[r];
  return undefined;
}
