// Whether a request carries a body, decided from its header section as
// HTTP/1.1 framing does (RFC 9112 section 6.3): a body is announced by
// Transfer-Encoding or by a Content-Length other than 0. The runtime's own
// representation is no guide: workerd gives `GET` with `Content-Length: 0`
// an empty stream, and `wrangler dev` gives one to `OPTIONS` without any
// length, while both have nothing to send.
export function requestHasBody(headers: Headers): boolean {
  if (headers.has("transfer-encoding")) return true;
  const length = headers.get("content-length");
  if (length === null) return false;
  // Anything but a clean zero (including a malformed value) counts as a body: never resend it.
  return !/^\s*0+\s*$/.test(length);
}
