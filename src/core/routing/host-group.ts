// The rules of one host (or of a wildcard, or of no host) compiled for
// lookup: Exact paths and Prefix paths in one Map by path, regexes sorted by
// length. Matching (host-match.ts) looks up the request path, then each
// shorter prefix of it that ends where a path element does ("/a/b/c",
// "/a/b", "/a"; none with more elements than this host's deepest Prefix
// path), then the "/" Prefix rules, and scans this host's regexes only while
// one could still beat the next tier; it never depends on the number of
// rules. One Map for every step, rather than a trie with a Map per node,
// keeps what a request reads to a few cache lines on a large config.
//
// Rules that share a path (same Exact path, same Prefix path) form one tier,
// sorted by the rest of the precedence: HTTPRoute conditions (method, then
// the number of header matches, then of query matches), then declaration
// order. A tier is scanned only until a rule's conditions hold; Ingress
// rules have none, so the first rule of the first tier wins at once.
import type { Route } from "../config/types";
import { elementCount } from "../http/path";
import { compileConditions, type CompiledConditions } from "./conditions";
import { precedenceLength, prefixKey, rulePath, TYPE_RANK } from "./paths";
import { lazyFullMatchRegex, lazyRegexPath, type PathRegex } from "./regex";
import type { IsolatedHosts } from "./isolation";
import type { DecidedBy, HostMatch, RouteMatch } from "./types";

/** One rule, with everything precedence compares precomputed. */
export interface Entry {
  readonly route: Route;
  readonly length: number;
  readonly rank: number;
  /**
   * An HTTPRoute rule: an Exact path beats every other match, a longer
   * RegularExpression included (the Gateway API's first criterion). Among
   * Ingress rules a longer regex wins, as ingress-nginx's regex locations do.
   */
  readonly exactFirst: boolean;
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

/** The tiers of one path: its Exact rules and the Prefix rules with it as their prefix, each best first. */
export interface PathTiers {
  exact: Entry[] | undefined;
  prefix: Entry[] | undefined;
}

/**
 * What a path names in its host's Map: its tiers, or, when the path has one
 * rule and it has no conditions (every Ingress path, unless two rules share
 * it), that rule itself, so that a request reads one object less.
 */
export type PathSlot = PathTiers | Entry;

export function isEntry(slot: PathSlot | readonly Entry[]): slot is Entry {
  return (slot as Entry).result !== undefined;
}

export interface HostGroup {
  readonly kind: HostMatch;
  /** The host as written: "foo.bar.com", "*.foo.com", or "" for the rules without host. */
  readonly pattern: string;
  /** A Gateway API wildcard covers one or more labels; an Ingress wildcard exactly one. */
  readonly anyLabels: boolean;
  /** Every rule of this group, in declaration order. */
  readonly entries: readonly Entry[];
  /** By path: the Exact paths, and the Prefix paths without their trailing slash (but "/"). */
  readonly paths: ReadonlyMap<string, PathSlot>;
  /** The "/" Prefix rules, which match every path. */
  readonly rootPrefix: readonly Entry[] | undefined;
  /** HTTPRoute rules (Entry.exactFirst): the request path's Exact rules win before any regex is tried. */
  readonly exactFirst: boolean;
  /** The most elements, and the most characters, of a Prefix path in `paths`: no longer prefix of a request is looked up. */
  readonly prefixElements: number;
  readonly prefixChars: number;
  /** Longest first; then as tiers are sorted. */
  readonly regexes: readonly Entry[];
  /** The defaultBackend as seen from this group, or undefined. */
  readonly fallback: RouteMatch | undefined;
  /** Set on a group listener isolation adds (isolation.ts): the listener whose hosts no route attached to it serves. */
  readonly isolatedBy: IsolatedHosts | undefined;
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
  if (a.exactFirst && a.rank !== b.rank && (a.rank === TYPE_RANK.Exact || b.rank === TYPE_RANK.Exact)) return a.rank === TYPE_RANK.Exact;
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
  isolatedBy?: IsolatedHosts,
): HostGroup {
  const entries: Entry[] = [];
  const paths = new Map<string, PathSlot>();
  let rootPrefix: Entry[] | undefined;
  const regexes: Entry[] = [];
  // A group listener isolation adds has no routes, and is a Gateway API one.
  let anyLabels = isolatedBy !== undefined;
  let prefixElements = 0;
  let prefixChars = 0;
  const tiersOf = (path: string): PathTiers => {
    let tiers = paths.get(path) as PathTiers | undefined;
    if (tiers === undefined) paths.set(path, (tiers = { exact: undefined, prefix: undefined }));
    return tiers;
  };
  for (const { route, index } of routes) {
    if (route.listeners !== undefined) anyLabels = true;
    const entry = makeEntry(route, index, kind);
    entries.push(entry);
    if (route.pathType === "Exact") {
      (tiersOf(rulePath(route.path)).exact ??= []).push(entry);
    } else if (route.pathType === "Prefix") {
      const key = prefixKey(rulePath(route.path));
      if (key === "") {
        (rootPrefix ??= []).push(entry);
      } else {
        (tiersOf(key).prefix ??= []).push(entry);
        prefixElements = Math.max(prefixElements, elementCount(key));
        prefixChars = Math.max(prefixChars, key.length);
      }
    } else {
      regexes.push(entry);
    }
  }
  for (const [path, slot] of paths) {
    const tiers = slot as PathTiers;
    tiers.exact?.sort(byPrecedence);
    tiers.prefix?.sort(byPrecedence);
    const only = tiers.exact === undefined ? tiers.prefix : tiers.prefix === undefined ? tiers.exact : undefined;
    if (only?.length === 1 && only[0]!.conditions === undefined) paths.set(path, only[0]!);
  }
  rootPrefix?.sort(byPrecedence);
  regexes.sort(byPrecedence);
  return Object.freeze({
    kind,
    pattern,
    anyLabels,
    exactFirst: anyLabels,
    entries: Object.freeze(entries),
    paths,
    rootPrefix,
    prefixElements,
    prefixChars,
    regexes: regexes.length === 0 ? NO_ENTRIES : Object.freeze(regexes),
    fallback,
    isolatedBy,
  });
}

/** One empty list for the many groups without regexes. */
const NO_ENTRIES: readonly Entry[] = Object.freeze([]);

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
    exactFirst: route.listeners !== undefined,
    methodScore: c?.method === undefined ? 0 : 1,
    headerCount: c?.headers.length ?? 0,
    queryCount: c?.queryParams.length ?? 0,
    index,
    regex,
    conditions: compileConditions(c),
    result: Object.freeze({ pool: route.pool, route, hostMatch: kind, decidedBy: DECIDED_BY[route.pathType] }),
  });
}
