// The normalized configuration: what the rest of the code reads after parsing.
// Every default is filled in and every cross-reference checked, so nothing
// downstream re-validates. The raw, as-written shape lives in schema.ts.
import type { PathNormalization } from "../http/path";

export type { PathNormalization };

export type PolicyName = "random" | "round-robin" | "least-recent";

import type { RouteAction } from "../action/action";

/**
 * Exact and Prefix (Gateway API PathPrefix) as the Ingress spec; a regex is
 * ImplementationSpecific (Ingress: anchored at the start, case-insensitive,
 * as ingress-nginx) or RegularExpression (Gateway API: the whole path,
 * case-sensitive).
 */
export type PathType = "Exact" | "Prefix" | "ImplementationSpecific" | "RegularExpression";

/** A Gateway API header or query parameter condition. */
export interface ValueCondition {
  /** Header names lower-case (they compare case-insensitively); query parameter names as written. */
  readonly name: string;
  readonly type: "Exact" | "RegularExpression";
  readonly value: string;
}

/** The conditions of an HTTPRouteMatch besides the path, checked among the rules the host and path select. */
export interface MatchConditions {
  readonly method: string | undefined;
  readonly headers: readonly ValueCondition[];
  readonly queryParams: readonly ValueCondition[];
}

export interface Origin {
  /** Absolute http(s) URL, normalized by the URL parser; may carry a base path (no trailing slash). */
  readonly url: string;
  /** Relative share of traffic, a positive integer (default 1). */
  readonly weight: number;
  /** Identity of this origin inside its pool: `${pool} ${url}`. Keys policy, health and ejection state. */
  readonly key: string;
  /** The Host this origin receives (beats the pool's hostHeader and preserveHost); undefined: see the pool. */
  readonly hostHeader?: string;
}

/** An inclusive range of HTTP status codes, e.g. 200-399. */
export interface StatusRange {
  readonly from: number;
  readonly to: number;
}

export interface HealthCheckSpec {
  /** Path (and optional query) probed on each origin, appended to its base path. Default "/". */
  readonly path: string;
  /** Default GET. */
  readonly method: "GET" | "HEAD";
  /** Default [200-399]. */
  readonly expectedStatus: readonly StatusRange[];
  /** If set, a probe fails unless the body contains this text. */
  readonly bodyContains?: string;
  /** Per-probe deadline for the whole probe, headers and body. Default 5000. */
  readonly timeoutMs: number;
  /** Consecutive good probes that bring a down origin back. Default 2. */
  readonly healthyThreshold: number;
  /** Consecutive failed probes that take an up origin down. Default 2. */
  readonly unhealthyThreshold: number;
  /** Extra request headers for the probe (e.g. auth), each given as text or read from a Worker secret. Never logged. */
  readonly headers: Readonly<Record<string, HeaderValue>>;
}

/** A probe header's value: the text itself, or the name of a Worker secret read when each probe is sent. */
export type HeaderValue = string | { readonly secret: string };

export interface PassiveEjectionSpec {
  /** Consecutive live-traffic failures that eject an origin in this isolate. Default 5. */
  readonly consecutiveFailures: number;
  /** How long an ejected origin is skipped before it is tried again. Default 30000. */
  readonly cooldownMs: number;
  /** Count 5xx responses as failures, not only connection errors. Default false. */
  readonly on5xx: boolean;
}

export type WhenAllDown =
  /** Use every origin, as Envoy's panic mode does (default). */
  | { readonly kind: "fail-open" }
  /** Answer 503 with Retry-After. */
  | { readonly kind: "503" }
  /** Send the request to another pool. */
  | { readonly kind: "fallback"; readonly pool: string };

export interface Pool {
  readonly name: string;
  readonly policy: PolicyName;
  readonly origins: readonly Origin[];
  /** Deadline for an origin's response headers, counted from when the request (body included) has been sent; past it the router answers 504. Default 30000. */
  readonly timeoutMs: number;
  /** Longest pause in a request body upload: waiting on the client, 408 (not the origin's fault); waiting on the origin to read, 504. Default 60000. */
  readonly uploadIdleTimeoutMs: number;
  readonly healthCheck?: HealthCheckSpec;
  readonly whenAllDown: WhenAllDown;
  readonly passiveEjection: PassiveEjectionSpec;
  /** The Host the pool's origins receive; undefined: the origin URL's host (or the client's, with preserveHost). */
  readonly hostHeader?: string;
  /** Send the client's host as Host (ingress-nginx's default); false or undefined: the origin URL's host. */
  readonly preserveHost?: boolean;
}

/** One path rule, flattened out of IngressSpec rules (host copied onto each path). */
export interface Route {
  /** Lower-case host, `*.suffix` for a wildcard, or undefined for a rule without host. */
  readonly host?: string | undefined;
  /** The path as written in the config (Prefix rules keep their trailing slash here). */
  readonly path: string;
  readonly pathType: PathType;
  /** Name of the pool this path sends to. */
  readonly pool: string;
  /** Where the rule was declared, for explain and diagnostics, e.g. `rules[0].http.paths[1]`. */
  readonly source: string;
  /** HTTPRoute matches only: method, headers and query parameters. */
  readonly conditions?: MatchConditions;
  /** HTTPRoute rules only; an Ingress path's action is its pool and nothing else. */
  readonly action?: RouteAction;
  /**
   * HTTPRoute rules only: the listener addresses ("http:80") the rule is
   * attached to. Such a rule's wildcard host covers one or more labels (the
   * Gateway API); an Ingress wildcard covers exactly one.
   */
  readonly listeners?: readonly string[];
}

export interface DefaultBackend {
  readonly pool: string;
  readonly source: string;
}

/**
 * What an Ingress manifest said besides its rules: its annotations and tls,
 * as written. Kept in the stored config so that changing only an annotation
 * is a new version, which apply shows and writes.
 */
export interface IngressRecord {
  readonly name: string;
  readonly namespace?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly tls?: readonly IngressTls[];
}

export interface IngressTls {
  readonly hosts?: readonly string[];
  readonly secretName?: string;
}

export interface Config {
  readonly pools: ReadonlyMap<string, Pool>;
  /** Ingress and native rules, one per path. */
  readonly routes: readonly Route[];
  readonly defaultBackend?: DefaultBackend;
  /** HTTPRoute rules, one per (listener hostname, match); empty without Gateway API documents. */
  readonly gatewayRoutes?: readonly Route[];
  /** Gateway listeners, for explain and status. */
  readonly listeners?: readonly Listener[];
  /** What is valid but probably not meant (a backendRef naming no pool answers 500): the CLI prints them. */
  readonly warnings?: readonly Problem[];
  /** The Ingress manifests the config was merged from, in order; absent for a config of native documents only. */
  readonly ingresses?: readonly IngressRecord[];
  /**
   * How request paths are normalized before matching and forwarding.
   * parseConfig always sets it; absent means the default (reject escaped slashes, merge slashes).
   */
  readonly pathNormalization?: PathNormalization;
  /** Path prefix of the status page, with a trailing slash. Default "/.well-known/edge-ingress/". */
  readonly statusPath: string;
}

/** A Gateway listener: the Worker is the Gateway. */
export interface Listener {
  /** `namespace/name` of its Gateway. */
  readonly gateway: string;
  readonly name: string;
  readonly protocol: "HTTP" | "HTTPS";
  readonly port: number;
  /** Lower-case; undefined matches every host. */
  readonly hostname: string | undefined;
  /** "http:80": what requests are matched against. */
  readonly address: string;
}

/** One problem found in a config: where (a dotted path) and what. */
export interface Problem {
  /** e.g. `pools.api.origins[1].url`; prefixed with the file name by the CLI. */
  readonly path: string;
  /** e.g. `must be an absolute http(s) URL, got "api:8080"`. */
  readonly message: string;
}
