// One hop to one origin: send the upstream request the decision built, with
// a deadline for the response headers, and clean the response. Bodies stream
// both ways; nothing is buffered. Failures come back as values so the caller
// can decide about retries and ejection.
import type { Origin } from "../core/config/types";
import { classifyFetchError } from "../core/http/fetch-failure";
import { cleanResponseHeaders } from "../core/http/headers";

export type ForwardResult =
  | { readonly kind: "response"; readonly response: Response }
  | { readonly kind: "timeout" }
  | { readonly kind: "connect-failed"; readonly message: string }
  /** The origin's answer could not be used (see fetch-failure.ts): never retried. */
  | { readonly kind: "bad-response"; readonly message: string };

export interface ForwardOptions {
  readonly method: string;
  /** The upstream headers, hop-by-hop fields stripped and forwarding fields set (src/core/request/decide.ts). */
  readonly headers: Headers;
  readonly body: ReadableStream | null;
  /** Path and query the origin receives (after rewrites), appended to the origin's base path. */
  readonly pathAndQuery: string;
  /** The Host the origin must receive (URLRewrite hostname); undefined: the origin's own. */
  readonly upstreamHost: string | undefined;
  /** Deadline for the response headers; the body may take longer. 0: none. */
  readonly timeoutMs: number;
  /** Aborts the try when the whole request's deadline passes. */
  readonly deadline?: AbortSignal;
  /** "https://www.example.com": where the client sent the request, for Location rewriting. */
  readonly clientOrigin: string;
}

export async function forward(origin: Origin, options: ForwardOptions, fetchFn: typeof fetch = fetch): Promise<ForwardResult> {
  // A timer, not AbortSignal.timeout: the deadline covers the wait for
  // headers only, and must not cut a long download once it has started.
  const controller = new AbortController();
  let timedOut = false;
  const abort = () => {
    timedOut = true;
    controller.abort();
  };
  const timer = options.timeoutMs > 0 ? setTimeout(abort, options.timeoutMs) : undefined;
  options.deadline?.addEventListener("abort", abort);
  if (options.deadline?.aborted) abort();
  let upstream: Response;
  try {
    const { url, init } = target(origin, options);
    upstream = await fetchFn(url, {
      ...init,
      method: options.method,
      headers: options.headers,
      body: options.body,
      // The client must see the origin's redirects, and cookies or auth must
      // never follow a redirect to a host that is not a configured origin.
      redirect: "manual",
      signal: controller.signal,
    });
  } catch (error) {
    if (timedOut) return { kind: "timeout" };
    return { kind: classifyFetchError(error), message: (error as Error).message };
  } finally {
    clearTimeout(timer);
    options.deadline?.removeEventListener("abort", abort);
  }

  // A WebSocket handshake answer carries the socket itself; pass it through
  // untouched. So does a response with nothing to clean (the common case).
  if (upstream.status === 101 || upstream.webSocket) return { kind: "response", response: upstream };
  const responseHeaders = cleanResponseHeaders(upstream.headers, origin.url, options.clientOrigin);
  if (!responseHeaders) return { kind: "response", response: upstream };
  return {
    kind: "response",
    response: new Response(upstream.body, {
      status: upstream.status,
      statusText: upstream.statusText,
      headers: responseHeaders,
    }),
  };
}

/**
 * The URL to fetch. The Host an origin receives is the fetched URL's host
 * (workerd ignores a Host header on a subrequest), so a Host rewrite fetches
 * a URL with the wanted host and tells Cloudflare to connect to the origin's
 * own host instead (`cf.resolveOverride`; both must be hostnames in the
 * zone, which `edge-ingress validate` points out).
 */
function target(origin: Origin, options: ForwardOptions): { url: string; init: RequestInit } {
  if (options.upstreamHost === undefined) return { url: origin.url + options.pathAndQuery, init: {} };
  const url = new URL(origin.url);
  const resolveOverride = url.hostname;
  url.hostname = options.upstreamHost;
  return { url: url.href.replace(/\/$/, "") + options.pathAndQuery, init: { cf: { resolveOverride } } as RequestInit };
}
