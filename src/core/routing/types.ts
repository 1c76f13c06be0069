// What the rest of the code sees of routing: a table compiled once per config
// version, asked one question per request (match), plus explain for the CLI.
import type { Route } from "../config/types";
import type { RequestFacts } from "./conditions";

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

export interface RouteTable {
  /**
   * `host` is the raw Host header (port, case and a trailing dot are ignored);
   * `path` is the pathname as it arrived (`new URL(request.url).pathname`), not
   * decoded. `request` gives method, headers, query and listener for
   * HTTPRoute conditions (default: a plain GET on port 80). Undefined means
   * no rule and no defaultBackend: the caller answers 404.
   */
  match(host: string, path: string, request?: RequestFacts): RouteMatch | undefined;
  /** Why match() answers what it does, for the CLI. Not for the request path. */
  explain(host: string, path: string, request?: RequestFacts): Explanation;
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
  | "no-match";

export interface Explanation {
  /** The Host header as given, then as compared. */
  readonly hostHeader: string;
  readonly host: string;
  readonly path: string;
  /** The host group chosen; undefined when no host rule and no host-less rule applies. */
  readonly hostGroup?: { readonly kind: HostMatch; readonly pattern: string };
  /** Why that host group, e.g. "host bar.foo.com matched wildcard *.foo.com; precise hosts beat wildcards". */
  readonly hostReason: string;
  /** Every rule of the chosen host group, in declaration order. */
  readonly routes: readonly ExplainedRoute[];
  /** Exactly what match() returns. */
  readonly match: RouteMatch | undefined;
  readonly step: DecisionStep;
  /** e.g. "longest path: /aaa/bbb (8) over /aaa (4)". */
  readonly decision: string;
  /** A human rendering of all of the above, one line each. */
  readonly lines: readonly string[];
}
