// The one error type of the router, rendered in one place. Every response
// the router makes itself (rather than relaying an origin's) is short plain
// text that says what happened and what to do, marked by the
// `x-edge-ingress-error` header so nobody mistakes it for the origin's.
// What only operators need (which pool, which origin, why) goes in `detail`,
// which is logged and never sent: pool names and origin addresses describe
// the inside of the network.

export type RouterErrorCode =
  | "no-route" // 404: no rule matched and no defaultBackend
  | "no-config" // 503: nothing was ever applied to KV
  | "all-origins-down" // 503: whenAllDown is "503"
  | "origin-unreachable" // 502: connection failed (after a retry where allowed)
  | "origin-bad-response" // 502: the origin's answer (or TLS handshake) was unusable; never retried
  | "origin-timeout" // 504: no response headers within the pool's timeoutMs
  | "origin-bad-response" // 502: the origin's answer could not be read
  | "upload-stalled" // 408: the client stopped sending its body for longer than uploadIdleTimeoutMs
  | "upload-aborted" // 400: the client's body broke off before it was complete
  | "body-too-large" // 413: the request body is over the rule's RequestBodyLimit (proxy-body-size)
  | "bad-request" // 501: a request the router cannot forward (CONNECT, TRACE)
  | "no-backend" // 500: the matched HTTPRoute rule has no valid backend (the Gateway API says 500)
  | "bad-path" // 400: a request path normalization refuses (encoded "/", NUL, ...)
  | "forbidden" // 403: an access list (client address, country, ASN) refuses the request; no origin is asked
  | "auth-required" // 401: authentication is configured and the request's credentials are missing or wrong (or the auth service said 401)
  | "auth-denied" // 403: the auth service refused the request
  | "auth-failed" // 500: the auth service failed or timed out, or the basic-auth secret is missing or invalid
  | "internal"; // 500: a bug; details go to the log, never to the client

export const ERROR_HEADER = "x-edge-ingress-error";

export interface RouterErrorOptions {
  /** Extra response headers, e.g. Retry-After. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Logged with the error, never sent to the client. Nothing secret: no request headers. */
  readonly detail?: Readonly<Record<string, unknown>>;
}

export class RouterError extends Error {
  readonly headers: Readonly<Record<string, string>>;
  readonly detail: Readonly<Record<string, unknown>> | undefined;

  constructor(
    readonly status: number,
    readonly code: RouterErrorCode,
    message: string,
    options: RouterErrorOptions = {},
  ) {
    super(message);
    this.name = "RouterError";
    this.headers = options.headers ?? {};
    this.detail = options.detail;
  }
}

/** 413, as nginx answers a body over client_max_body_size. */
export function bodyTooLarge(maxBodyBytes: number): RouterError {
  return new RouterError(413, "body-too-large", `edge-ingress: the request body is larger than this route accepts (${maxBodyBytes} bytes)`);
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
