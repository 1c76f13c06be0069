// One hop to one origin: build the upstream request, send it with the pool's
// deadline for response headers, and clean the response. Bodies stream both
// ways; nothing is buffered. Failures come back as values so the caller can
// decide about retries and ejection.
import type { Origin } from "../core/config/types";
import { classifyFetchError } from "../core/http/fetch-failure";
import { cleanResponseHeaders, isWebSocketUpgrade, needsHopByHopStrip, setForwardingHeaders, stripHopByHop, type ForwardedFor } from "../core/http/headers";

export type ForwardResult =
  | { readonly kind: "response"; readonly response: Response }
  | { readonly kind: "timeout" }
  | { readonly kind: "connect-failed"; readonly message: string }
  /** The origin's answer could not be used (see fetch-failure.ts): never retried. */
  | { readonly kind: "bad-response"; readonly message: string };

export interface ForwardOptions extends ForwardedFor {
  /** Path and query of the client's request, as it arrived. */
  readonly pathAndQuery: string;
  /** Deadline for the response headers; the body may take longer. */
  readonly timeoutMs: number;
}

export async function forward(
  request: Request,
  origin: Origin,
  options: ForwardOptions,
  fetchFn: typeof fetch = fetch,
): Promise<ForwardResult> {
  const headers = new Headers(request.headers);
  const webSocket = isWebSocketUpgrade(headers);
  if (webSocket || needsHopByHopStrip(headers)) stripHopByHop(headers, webSocket);
  setForwardingHeaders(headers, options);

  // A timer, not AbortSignal.timeout: the deadline covers the wait for
  // headers only, and must not cut a long download once it has started.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  let upstream: Response;
  try {
    upstream = await fetchFn(origin.url + options.pathAndQuery, {
      method: request.method,
      headers,
      body: request.body,
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
  }

  // A WebSocket handshake answer carries the socket itself; pass it through
  // untouched. So does a response with nothing to clean (the common case).
  if (upstream.status === 101 || upstream.webSocket) return { kind: "response", response: upstream };
  const responseHeaders = cleanResponseHeaders(upstream.headers, origin.url, `${options.proto}://${options.host}`);
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
