// Rewrites a Location that names the origin's own address, as nginx's
// `proxy_redirect default` does: an origin that builds absolute redirects from
// the URL it was reached at would otherwise send clients to an internal host
// they cannot reach (and tell them its address). Only an exact match of
// scheme, host and port (and the base path, when the origin URL has one) is
// rewritten; relative Locations and other hosts are the origin's business.

/**
 * The Location the client should see, or undefined to keep it as it is.
 * `originUrl` is the configured origin (normalized, base path without a
 * trailing slash); `clientOrigin` is the scheme and host the client used,
 * e.g. "https://www.example.com".
 */
export function rewriteLocation(location: string, originUrl: string, clientOrigin: string): string | undefined {
  // Absolute ("http://...") or protocol-relative ("//host/...") only.
  if (!/^([a-z][a-z0-9+.-]*:)?\/\//i.test(location)) return undefined;
  let origin: URL;
  let target: URL;
  try {
    origin = new URL(originUrl);
    target = new URL(location, origin);
  } catch {
    return undefined;
  }
  // URL normalizes case and default ports, so http://Host:80 equals http://host.
  if (target.protocol !== origin.protocol || target.host !== origin.host) return undefined;
  const base = origin.pathname === "/" ? "" : origin.pathname;
  if (base && target.pathname !== base && !target.pathname.startsWith(`${base}/`)) return undefined;
  return `${clientOrigin}${target.pathname.slice(base.length) || "/"}${target.search}${target.hash}`;
}
