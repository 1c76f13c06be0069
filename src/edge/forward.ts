// One hop to one origin: build the upstream request, send it with the pool's
// deadlines, and clean the response. Bodies stream both ways; nothing is
// buffered. Failures come back as values so the caller can decide about
// retries and ejection, and tell the client's failures from the origin's.
import type { Origin } from "../core/config/types";
import { classifyFetchError } from "../core/http/fetch-failure";
import { cleanResponseHeaders, isWebSocketUpgrade, needsHopByHopStrip, setForwardingHeaders, stripHopByHop, type ForwardedFor } from "../core/http/headers";
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
  | { readonly kind: "upload-aborted" };

/** Results that say nothing about the origin's health. */
export const isClientFailure = (result: ForwardResult): boolean => result.kind === "upload-stalled" || result.kind === "upload-aborted";

export interface ForwardOptions extends ForwardedFor {
  /** Path (normalized as it was matched, see src/core/http/path.ts) and query of the client's request. */
  readonly pathAndQuery: string;
  /** Deadline for the response headers, counted from when the request has been sent; the body may take longer. */
  readonly timeoutMs: number;
  /** Longest pause in the upload, on either side. */
  readonly uploadIdleTimeoutMs: number;
  /** The body to send: the client's stream, or null. */
  readonly body: ReadableStream<Uint8Array> | null;
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
  // The runtime can relay no 100 (Continue) to the client, so the origin
  // must not be asked for one; the edge answers the client's expectation.
  headers.delete("expect");
  setForwardingHeaders(headers, options);

  // Timers, not AbortSignal.timeout: the deadline covers the wait for
  // headers only, and must not cut a long download once it has started.
  const controller = new AbortController();
  let failure: "timeout" | "upload-stalled" | "upload-aborted" | undefined;
  const fail = (kind: NonNullable<typeof failure>) => {
    failure ??= kind;
    controller.abort();
  };
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const startDeadline = () => {
    deadline = setTimeout(() => fail("timeout"), options.timeoutMs);
  };
  const upload = options.body
    ? watchUpload(options.body, announcedLength(request.headers), {
        idleTimeoutMs: options.uploadIdleTimeoutMs,
        onSent: startDeadline,
        onStall: (side) => fail(side === "client" ? "upload-stalled" : "timeout"),
        onClientError: () => fail("upload-aborted"),
      })
    : undefined;
  if (!upload) startDeadline();

  let upstream: Response;
  try {
    upstream = await fetchFn(origin.url + options.pathAndQuery, {
      method: request.method,
      headers,
      body: upload?.body ?? null,
      // The client must see the origin's redirects, and cookies or auth must
      // never follow a redirect to a host that is not a configured origin.
      redirect: "manual",
      signal: controller.signal,
    });
    // Still waiting for the final response's headers: under the deadline.
    if (isInterimStatus(upstream.status)) upstream = await finalResponseAfterInterim(upstream.body, request.method);
  } catch (error) {
    if (failure) return { kind: failure };
    if (error instanceof BadResponseError) return { kind: "bad-response", message: error.message };
    return { kind: classifyFetchError(error), message: (error as Error).message };
  } finally {
    clearTimeout(deadline);
    upload?.stop();
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
