// One hop to one origin: send the upstream request the decision built
// (src/core/request/decide.ts), with its deadlines, and clean the response. Bodies stream both ways; nothing is
// buffered. Failures come back as values so the caller can decide about
// retries and ejection, and tell the client's failures from the origin's.
import type { Origin } from "../core/config/types";
import { classifyFetchError } from "../core/http/fetch-failure";
import { cleanResponseHeaders } from "../core/http/headers";
import { BadResponseError, finalResponseAfterInterim, isInterimStatus } from "../core/http/interim";
import { announcedLength, watchUpload } from "./upload";

export type ForwardResult =
  | { readonly kind: "response"; readonly response: Response }
  /** The origin sent no response headers within timeoutMs of the request being sent, or stopped reading the body. */
  | { readonly kind: "timeout" }
  | { readonly kind: "connect-failed"; readonly message: string }
  /** The origin's answer cannot be relayed (see fetch-failure.ts and interim.ts): never retried. */
  | { readonly kind: "bad-response"; readonly message: string }
  /** The client's doing, not the origin's: its upload paused past uploadIdleTimeoutMs, or broke off. */
  | { readonly kind: "upload-stalled" }
  | { readonly kind: "upload-aborted" }
  /** The body went past the rule's RequestBodyLimit: cut off there. */
  | { readonly kind: "body-too-large" };

/** Results that say nothing about the origin's health. */
export const isClientFailure = (result: ForwardResult): boolean => result.kind === "upload-stalled" || result.kind === "upload-aborted" || result.kind === "body-too-large";

export interface ForwardOptions {
  /** The upstream headers: hop-by-hop fields and Expect stripped, forwarding fields set, filters applied. */
  readonly headers: Headers;
  /** Path (normalized as it was matched, see src/core/http/path.ts, then rewritten by filters) and query. */
  readonly pathAndQuery: string;
  /** The Host the origin must receive (URLRewrite hostname); undefined: the origin's own. */
  readonly upstreamHost: string | undefined;
  /** "https://www.example.com": where the client sent the request, for Location rewriting. */
  readonly clientOrigin: string;
  /** Deadline for the response headers, counted from when the request has been sent; the body may take longer. 0: none. */
  readonly timeoutMs: number;
  /** Aborts the try when the whole request's deadline (HTTPRoute timeouts.request) passes. */
  readonly deadline?: AbortSignal;
  /** Longest pause in the upload, on either side. */
  readonly uploadIdleTimeoutMs: number;
  /** Largest body to relay (RequestBodyLimit); undefined: no limit. */
  readonly maxBodyBytes?: number | undefined;
  /** The body to send: the client's stream, or null. */
  readonly body: ReadableStream<Uint8Array> | null;
}

type AttemptFailure = "timeout" | "upload-stalled" | "upload-aborted" | "body-too-large";

/** One try's deadlines and what ended it: one object per try, not a closure per step. */
class Attempt {
  readonly controller = new AbortController();
  failure: AttemptFailure | undefined = undefined;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(private readonly timeoutMs: number) {}

  fail(kind: AttemptFailure): void {
    this.failure ??= kind;
    this.controller.abort();
  }

  /** The response-header deadline starts once the request has been sent. */
  startDeadline(): void {
    if (this.timeoutMs > 0) this.timer = setTimeout(() => this.fail("timeout"), this.timeoutMs);
  }

  stopDeadline(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}

export async function forward(
  request: Request,
  origin: Origin,
  options: ForwardOptions,
  fetchFn: typeof fetch = fetch,
): Promise<ForwardResult> {
  // Timers, not AbortSignal.timeout: the deadline covers the wait for
  // headers only, and must not cut a long download once it has started.
  const attempt = new Attempt(options.timeoutMs);
  // The whole request's deadline (HTTPRoute timeouts.request), when it has one.
  const requestDeadline = options.deadline;
  const onRequestDeadline = requestDeadline ? () => attempt.fail("timeout") : undefined;
  if (requestDeadline && onRequestDeadline) {
    requestDeadline.addEventListener("abort", onRequestDeadline);
    if (requestDeadline.aborted) onRequestDeadline();
  }
  const upload = options.body
    ? watchUpload(options.body, announcedLength(request.headers), {
        idleTimeoutMs: options.uploadIdleTimeoutMs,
        onSent: () => attempt.startDeadline(),
        onStall: (side) => attempt.fail(side === "client" ? "upload-stalled" : "timeout"),
        onClientError: () => attempt.fail("upload-aborted"),
        maxBytes: options.maxBodyBytes,
        onTooLarge: () => attempt.fail("body-too-large"),
      })
    : undefined;
  if (!upload) attempt.startDeadline();

  let upstream: Response;
  try {
    const { url, cf } = target(origin, options);
    upstream = await fetchFn(url, {
      ...(cf === undefined ? undefined : { cf }),
      method: request.method,
      headers: options.headers,
      body: upload?.body ?? null,
      // The client must see the origin's redirects, and cookies or auth must
      // never follow a redirect to a host that is not a configured origin.
      redirect: "manual",
      signal: attempt.controller.signal,
    });
    // Still waiting for the final response's headers: under the deadline.
    if (isInterimStatus(upstream.status)) upstream = await finalResponseAfterInterim(upstream.body, request.method);
  } catch (error) {
    if (attempt.failure) return { kind: attempt.failure };
    if (error instanceof BadResponseError) return { kind: "bad-response", message: error.message };
    return { kind: classifyFetchError(error), message: (error as Error).message };
  } finally {
    attempt.stopDeadline();
    if (requestDeadline && onRequestDeadline) requestDeadline.removeEventListener("abort", onRequestDeadline);
    upload?.stop();
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
function target(origin: Origin, options: ForwardOptions): { url: string; cf?: { resolveOverride: string } } {
  if (options.upstreamHost === undefined) return { url: origin.url + options.pathAndQuery };
  const url = new URL(origin.url);
  const resolveOverride = url.hostname;
  url.hostname = options.upstreamHost;
  return { url: url.href.replace(/\/$/, "") + options.pathAndQuery, cf: { resolveOverride } };
}
