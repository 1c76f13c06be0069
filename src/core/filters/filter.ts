// The one interface every filter implements, as Envoy's HTTP filters and
// Caddy's handlers do: compiled once per config version into a small frozen
// object with an optional request step (which may answer locally and stop
// the chain: a redirect, a CORS preflight) and an optional response step
// (which edits the origin's response headers). Filters never talk to an
// origin themselves; the request decision (src/core/request) does, after
// every request step has run. A filter that must wait (authentication asks
// an auth service or pays a password hash) has an asynchronous request step
// instead: the decision goes async only when it reaches one, so a rule of
// synchronous filters never waits on a promise.

import type { BasicCredentials } from "../policy/basic-auth";
import type { Htpasswd } from "../policy/htpasswd";

/** An answer the router makes itself instead of asking an origin. */
export interface LocalAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Short plain text; "" for none. */
  readonly body: string;
  /**
   * Set when the answer is a refusal (401, 403, 500 of authentication): the
   * edge renders it as the router's error, with this code in
   * x-edge-ingress-error, and logs `detail`.
   */
  readonly error?: { readonly code: string; readonly detail?: Readonly<Record<string, unknown>> };
}

/** A copy of the request for another pool, sent without waiting for it. */
export interface MirrorTarget {
  /** The pool that receives the copy. */
  readonly pool: string;
}

/**
 * The request on its way to an origin, as filters see and change it. The
 * client's own request stays readable (clientHeaders, clientPath); what the
 * origin will receive is `path`, `search`, `upstreamHost` and `headers`.
 */
export interface FilterRequest {
  readonly method: string;
  /** "http" or "https": the scheme the client used. */
  readonly scheme: string;
  /** The client's host, lower-case, without port. */
  readonly hostname: string;
  /** The port the client addressed (from Host, else the scheme's default). */
  readonly port: number;
  /** The path as it arrived. */
  readonly clientPath: string;
  /** The path the origin will receive (before its base path). */
  path: string;
  /** "" or the query with its "?", as it arrived. */
  readonly search: string;
  /** The Host the origin will receive; undefined means the origin's own host. */
  upstreamHost: string | undefined;
  /** The client's headers, untouched. */
  readonly clientHeaders: Headers;
  /** The headers the origin will receive (a copy, forwarding headers already set). */
  readonly headers: Headers;
  /** The PathPrefix value the matched rule matched with, for ReplacePrefixMatch; undefined otherwise. */
  readonly matchedPrefix: string | undefined;
  /** Mirrors requested so far. */
  readonly mirrors: MirrorTarget[];
  /** Uniform in [0, 1): injected, so tests can seed fractions. */
  readonly random: () => number;
}

/** The origin's response on its way to the client. */
export interface FilterResponse {
  readonly status: number;
  /** Mutable copy of the response headers. */
  readonly headers: Headers;
  readonly request: FilterRequest;
}

/**
 * What an asynchronous request step may use besides the request: the
 * Worker's secrets, fetch for an auth service, the isolate's password
 * verification cache, and the log. Given by the edge (src/handlers/proxy.ts).
 */
export interface RequestServices {
  /** A Worker secret (`wrangler secret put NAME`) as text, or undefined when unset. */
  secret(name: string): string | undefined;
  readonly fetch: typeof fetch;
  /** Per-isolate verification cache: "cached" when this user's password was verified before, "verified" when just hashed, "refused". */
  verifyPassword(htpasswd: Htpasswd, credentials: BasicCredentials): "cached" | "verified" | "refused";
  /** One JSON log line (never anything secret). */
  log(line: { readonly event: string; readonly [field: string]: unknown }): void;
  readonly requestId: string;
}

/**
 * Where a filter runs in the rule's request steps, whatever the order it was
 * written in: HTTPS redirect, then access lists, then authentication, then
 * the other filters in the order written (README, "Order of evaluation").
 */
export type FilterStage = "https" | "access" | "auth" | "other";
const STAGE_ORDER: Readonly<Record<FilterStage, number>> = { https: 0, access: 1, auth: 2, other: 3 };

/** The filters in evaluation order: by stage, keeping the written order within a stage. */
export function inStageOrder(filters: readonly Filter[]): Filter[] {
  return filters
    .map((filter, index) => ({ filter, index }))
    .sort((a, b) => STAGE_ORDER[a.filter.stage ?? "other"] - STAGE_ORDER[b.filter.stage ?? "other"] || a.index - b.index)
    .map((x) => x.filter);
}

export interface Filter {
  /** The Gateway API filter type, e.g. "RequestHeaderModifier". */
  readonly type: string;
  /** Default "other". */
  readonly stage?: FilterStage;
  /**
   * Runs before any origin is chosen. Returns a LocalAnswer to stop the
   * chain and answer the client, or undefined to go on. Never throws.
   */
  onRequest?(request: FilterRequest): LocalAnswer | undefined;
  /**
   * The asynchronous request step (a filter has this or onRequest, not
   * both): same contract, may wait. A rejection is a router bug (500).
   */
  onRequestAsync?(request: FilterRequest, services: RequestServices): Promise<LocalAnswer | undefined>;
  /** Edits the response headers. Runs on origin responses only, never on the router's own answers. Never throws. */
  onResponse?(response: FilterResponse): void;
  /** What the filter does, one short line each, for `explain`. */
  describe(): readonly string[];
  /** The Host this filter makes the origin receive, if it rewrites it: `validate` says what the platform needs for that. */
  readonly rewritesHost?: string;
  /** Pools this filter sends requests to besides the rule's backends (a mirror's), so they count as reachable. */
  readonly sendsTo?: readonly string[];
}

/** Freezes a compiled filter (and gives its methods their parameter types). */
export function frozenFilter(filter: Filter): Filter {
  return Object.freeze(filter);
}
