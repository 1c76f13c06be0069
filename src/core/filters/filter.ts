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

import type { ErrorBackendPlan } from "./error-backend";

/** An answer the router makes itself instead of asking an origin. */
export interface LocalAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Short plain text; "" for none. */
  readonly body: string;
  /**
   * Set when the answer is a refusal (an access list's 403, authentication's
   * 401, 403 or 500): the edge renders it as the router's own error
   * (src/errors.ts) with this code in x-edge-ingress-error.
   */
  readonly error?: RefusalCode;
  /** With `error`: what operators need to know (logged with the error, never sent). Nothing secret. */
  readonly detail?: Readonly<Record<string, unknown>>;
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
  /** CF-Connecting-IP as received; undefined when absent (only off Cloudflare). */
  readonly clientIp: string | undefined;
  /** request.cf.country (ISO 3166-1 alpha-2, "XX" unknown, "T1" Tor), if the runtime gave one. */
  readonly country: string | undefined;
  /** request.cf.asn, if the runtime gave one. */
  readonly asn: number | undefined;
  /** Largest request body the origin may receive (RequestBodyLimit); undefined: no limit. */
  maxBodyBytes?: number | undefined;
  /** Where errors go instead (ErrorBackend); undefined: the origin's answers reach the client. */
  errorBackend?: ErrorBackendPlan | undefined;
  /** BackendTimeouts: the per-try deadline for response headers, instead of the pool's timeoutMs. */
  responseTimeoutMs?: number | undefined;
  /** BackendTimeouts: the longest upload pause, instead of the pool's uploadIdleTimeoutMs. */
  uploadIdleTimeoutMs?: number | undefined;
}

/** The origin's response on its way to the client. */
export interface FilterResponse {
  readonly status: number;
  /** Mutable copy of the response headers. */
  readonly headers: Headers;
  readonly request: FilterRequest;
}

/**
 * Where a filter's request step runs in the fixed order of evaluation
 * (src/core/request/stages.ts): HTTPS redirect, then access lists, then
 * CORS preflights, then authentication, then every other filter in the
 * order written.
 */
export type FilterStage = "https" | "access" | "preflight" | "auth";

/**
 * The router error codes a filter's refusal may carry: each is one of
 * src/errors.ts's RouterErrorCode (the edge passes it on as one).
 */
export type RefusalCode =
  | "forbidden" // 403: an access list refuses the client
  | "auth-required" // 401: credentials missing or wrong, or the auth service said 401
  | "auth-denied" // 403: the auth service refused the request
  | "auth-failed"; // 500: the auth service failed or timed out, or the users' secret is missing or invalid

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

export interface Filter {
  /** The Gateway API filter type, e.g. "RequestHeaderModifier". */
  readonly type: string;
  /** Its place in the fixed order; undefined: an ordinary filter, run in the order written after the staged ones. */
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
