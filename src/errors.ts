// The one error type of the router, rendered in one place. Every response
// the router makes itself (rather than relaying an origin's) is short plain
// text that says what happened and what to do, marked by the
// `x-edge-ingress-error` header so nobody mistakes it for the origin's.

export type RouterErrorCode =
  | "no-route" // 404: no rule matched and no defaultBackend
  | "no-config" // 503: nothing was ever applied to KV
  | "all-origins-down" // 503: whenAllDown is "503"
  | "origin-unreachable" // 502: connection failed (after a retry where allowed)
  | "origin-bad-response" // 502: the origin's answer (or TLS handshake) was unusable; never retried
  | "origin-timeout" // 504: no response headers within the pool's timeoutMs
  | "bad-request" // 501: a request the router cannot forward (CONNECT, TRACE)
  | "internal"; // 500: a bug; details go to the log, never to the client

export const ERROR_HEADER = "x-edge-ingress-error";

export class RouterError extends Error {
  constructor(
    readonly status: number,
    readonly code: RouterErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "RouterError";
  }
}

export function renderError(error: RouterError, requestId?: string): Response {
  const headers = new Headers(error.headers);
  headers.set("content-type", "text/plain; charset=utf-8");
  headers.set("cache-control", "no-store");
  // The message may quote the request's host and path: never let a browser sniff it into HTML.
  headers.set("x-content-type-options", "nosniff");
  headers.set(ERROR_HEADER, error.code);
  if (requestId) headers.set("x-request-id", requestId);
  return new Response(`${error.message}\n`, { status: error.status, headers });
}
