// What a failed fetch() to an origin means, from the only things workerd
// shows a Worker: the error's message and its `retryable` flag. Checked
// against workerd (wrangler 4.86): a refused, reset or early-closed connection
// throws "Network connection lost." with `retryable: true`; an answer it
// cannot parse (a head over 128 KiB, a malformed status line or header field)
// and a failed TLS handshake throw "internal error; reference = ..." without
// it, the detail going to workerd's own log only; an invalid Content-Length
// throws "invalid Content-Length header value". Locally a failed DNS lookup
// looks like the second kind too; on Cloudflare it is an answer (530, error
// 1016), not an exception.

export type FetchFailure =
  /** Nothing came back from the origin: safe to try another one. */
  | "connect-failed"
  /**
   * The origin's answer (or its TLS handshake) was unusable. Not retried: the
   * origin may have acted on the request, and another replica of the same
   * app would most likely answer the same way.
   */
  | "bad-response";

export function classifyFetchError(error: unknown): FetchFailure {
  if (typeof error !== "object" || error === null) return "connect-failed";
  if ((error as { retryable?: unknown }).retryable === true) return "connect-failed";
  const message = String((error as { message?: unknown }).message ?? "");
  if (message.startsWith("internal error") || message.startsWith("invalid Content-Length header value")) return "bad-response";
  return "connect-failed";
}
