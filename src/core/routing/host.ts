// Host comparison per the Ingress spec: "host" is matched case-insensitively
// against the request's Host with the port removed (RFC 9110 section 7.2; DNS
// names are case-insensitive, RFC 4343). A trailing dot names the same
// absolute domain (RFC 1034 section 3.1), so "example.com." is "example.com".

const OPEN_BRACKET = 0x5b;
const DOT = 0x2e;

/**
 * Lower-case, port stripped, trailing dot stripped. An IPv6 literal keeps its
 * brackets ("[::1]:8080" -> "[::1]"), as URL.hostname does. Allocates only
 * when something has to change.
 */
export function normalizeHost(hostHeader: string): string {
  let end = hostHeader.length;
  if (hostHeader.charCodeAt(0) === OPEN_BRACKET) {
    const close = hostHeader.indexOf("]");
    if (close !== -1) end = close + 1;
  } else {
    // One colon separates the port; several mean a bare IPv6 address (not a
    // valid Host header, but leave it whole rather than cut it apart).
    const colon = hostHeader.indexOf(":");
    if (colon !== -1 && colon === hostHeader.lastIndexOf(":")) end = colon;
  }
  if (end > 0 && hostHeader.charCodeAt(end - 1) === DOT) end--;
  let needsLowerCase = false;
  for (let i = 0; i < end; i++) {
    const c = hostHeader.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || c > 0x7f) {
      needsLowerCase = true;
      break;
    }
  }
  const host = end === hostHeader.length ? hostHeader : hostHeader.slice(0, end);
  return needsLowerCase ? host.toLowerCase() : host;
}

/**
 * The key a `*.suffix` rule is stored under for this (normalized) host: the
 * host minus its first label, which must not be empty. A wildcard covers
 * exactly one label (Ingress spec: "*.foo.com" matches "bar.foo.com", not
 * "baz.bar.foo.com" nor "foo.com"), so one lookup by this key suffices.
 */
export function wildcardKey(host: string): string | undefined {
  const dot = host.indexOf(".");
  return dot > 0 ? host.slice(dot + 1) : undefined;
}
