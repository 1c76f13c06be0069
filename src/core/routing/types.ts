// What the rest of the code sees of routing: a table compiled once per config
// version, asked one question per request (match); explain.ts answers the
// CLI's why from the same compiled form.
import type { Route } from "../config/types";
import type { PathNormalization } from "../http/path";
import type { RequestFacts } from "./conditions";
import type { CompiledRoutes } from "./lookup";

/** Which host group decided: a precise host, a `*.suffix` wildcard, or the rules without host. */
export type HostMatch = "exact" | "wildcard" | "any";

/** Which rule kind won; "default-backend" when no path of the chosen host group matched. */
export type DecidedBy = "exact-path" | "longest-prefix" | "regex" | "default-backend";

/** The outcome of routing one request. Preallocated and frozen: compare by value, never mutate. */
export interface RouteMatch {
  readonly pool: string;
  /** The winning rule; undefined when the defaultBackend answered. */
  readonly route?: Route;
  readonly hostMatch: HostMatch;
  readonly decidedBy: DecidedBy;
}

/** A request routed: the normalized path to forward and the match, or why the path is refused (400). */
export type Routed =
  | { readonly ok: true; readonly path: string; readonly match: RouteMatch | undefined }
  | { readonly ok: false; readonly reason: string };

export interface RouteTable {
  /**
   * What the Worker and the CLI ask: normalizes `pathname` (as
   * `new URL(request.url).pathname` gives it) with the config's
   * pathNormalization, then matches. `host` is the raw Host header (port,
   * case and a trailing dot are ignored). `request` gives method, headers,
   * query and listener for HTTPRoute conditions (default: a plain GET on
   * port 80). A match of undefined means no rule and no defaultBackend: the
   * caller answers 404.
   */
  route(host: string, pathname: string, request?: RequestFacts): Routed;
  /** Matching alone, on a path already normalized and without ";parameters" (normalizePath's matchPath). */
  match(host: string, matchPath: string, request?: RequestFacts): RouteMatch | undefined;
  /** The host groups route() looks in, and its path normalization: what explainRoute (explain.ts, CLI only) reads. */
  readonly compiled: CompiledRoutes;
  readonly pathNormalization: PathNormalization;
}

/** One rule of the chosen host group, as explain saw it against the request path. */
export interface ExplainedRoute {
  readonly route: Route;
  /** The path matched and so did every condition. */
  readonly matched: boolean;
  /** HTTPRoute conditions, one line each saying whether it held; empty for Ingress rules. */
  readonly conditions: readonly string[];
  /** The length precedence compares: the path (Prefix without its trailing slash; the pattern for regexes). */
  readonly length: number;
}

/** The precedence step that decided, in the order the Ingress spec applies them. */
export type DecisionStep =
  | "only-match"
  | "longest-path"
  | "path-type"
  | "method"
  | "header-count"
  | "query-count"
  | "first-declared"
  | "default-backend"
  | "no-match"
  | "bad-path";

export interface Explanation {
  /** The Host header as given, then as compared. */
  readonly hostHeader: string;
  readonly host: string;
  /** The path as given. */
  readonly path: string;
  /** The path routing sees: normalized, without ";parameters"; undefined when the path is refused. */
  readonly matchPath?: string;
  /** Why the path is refused (the Worker answers 400), if it is. */
  readonly refused?: string;
  /** The host group chosen; undefined when no host rule and no host-less rule applies. */
  readonly hostGroup?: { readonly kind: HostMatch; readonly pattern: string };
  /** Why that host group, e.g. "host bar.foo.com matched wildcard *.foo.com; precise hosts beat wildcards". */
  readonly hostReason: string;
  /** Every rule of the chosen host group, in declaration order. */
  readonly routes: readonly ExplainedRoute[];
  /** Exactly the match route() returns (undefined for a refused path too). */
  readonly match: RouteMatch | undefined;
  readonly step: DecisionStep;
  /** e.g. "longest path: /aaa/bbb (8) over /aaa (4)". */
  readonly decision: string;
  /** A human rendering of all of the above, one line each. */
  readonly lines: readonly string[];
}
