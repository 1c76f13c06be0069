// The request decision for a request described in words (host, path with
// query, method, headers, scheme): what the CLI's explain and test ask,
// through the very function the Worker runs, and what comes out of it in
// terms a user checks (status, pool, Location, what the origin receives).
import { parseAsWorkerd } from "../http/path";
import type { Runtime } from "../runtime";
import { decide, type Decision } from "./decide";
import { upstreamHostFor } from "./upstream-host";

export interface SimulatedRequest {
  readonly host: string;
  /** Path, optionally with "?query", as on the request line. */
  readonly path: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly scheme?: "http" | "https";
  /** CF-Connecting-IP, request.cf.country and request.cf.asn, for access lists; unknown when absent. */
  readonly clientIp?: string;
  readonly country?: string;
  readonly asn?: number;
}

export interface Outcome {
  /** The status the router answers itself; undefined when the origin answers. */
  readonly status: number | undefined;
  /** Where the request goes; undefined when the router answers. */
  readonly pool: string | undefined;
  /** Every pool a weighted rule may send the request to (weight above 0). */
  readonly pools: readonly string[];
  readonly location: string | undefined;
  /** Path and query the origin receives (after rewrites, before the origin's base path). */
  readonly upstreamPath: string | undefined;
  /** The Host the origin receives: a rewrite's, else the first origin's own. */
  readonly upstreamHost: string | undefined;
  /** Headers the router's filters set on the response (origin headers are not known here). */
  readonly responseHeaders: Headers;
}

export function simulate(runtime: Runtime, request: SimulatedRequest, random: () => number = () => 0): { decision: Decision; url: URL } {
  const url = parseAsWorkerd(`${request.scheme ?? "http"}://${request.host}${request.path}`);
  const headers = new Headers({ host: request.host, ...(request.headers ?? {}) });
  return { decision: decide(runtime, { method: (request.method ?? "GET").toUpperCase(), url, headers, clientIp: request.clientIp, country: request.country, asn: request.asn, requestId: "edge-ingress-cli" }, random), url };
}

export function outcomeOf(runtime: Runtime, decision: Decision): Outcome {
  const none = { pool: undefined, pools: [], location: undefined, upstreamPath: undefined, upstreamHost: undefined, responseHeaders: new Headers() };
  switch (decision.kind) {
    case "bad-path":
      return { ...none, status: 400 };
    case "no-route":
      return { ...none, status: 404 };
    case "no-backend":
      return { ...none, status: 500 };
    case "answer":
      return { ...none, status: decision.answer.status, location: decision.answer.headers.location, responseHeaders: new Headers(decision.answer.headers) };
    case "forward": {
      const responseHeaders = new Headers();
      for (const f of decision.responseFilters) f.onResponse?.({ status: 200, headers: responseHeaders, request: decision.upstream });
      const pool = runtime.config.pools.get(decision.pool);
      const origin = pool?.origins[0];
      return {
        status: undefined,
        pool: decision.pool,
        pools: [...decision.action.backends, ...(decision.action.canary ? [decision.action.canary.backend] : [])]
          .filter((b) => b.weight > 0 && b.pool !== undefined)
          .map((b) => b.pool as string),
        location: undefined,
        upstreamPath: decision.upstream.path + decision.upstream.search,
        upstreamHost: pool && origin ? (upstreamHostFor(decision.upstream.upstreamHost, decision.upstream.hostname, pool, origin) ?? new URL(origin.url).host) : decision.upstream.upstreamHost,
        responseHeaders,
      };
    }
  }
}
