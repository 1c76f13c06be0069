// The Host an origin receives, most specific first: a filter's rewrite
// (URLRewrite hostname, the upstream-vhost annotation), then the origin's
// `hostHeader`, the pool's `hostHeader`, the client's host when the pool has
// `preserveHost`, else the origin URL's own host. The Worker carries a host
// other than the origin's own with cf.resolveOverride (src/edge/forward.ts).
import type { Origin, Pool } from "../config/types";

/** The Host to send, or undefined for the origin URL's own host (no override needed). */
export function upstreamHostFor(rewritten: string | undefined, clientHostname: string, pool: Pool, origin: Origin): string | undefined {
  const host = rewritten ?? origin.hostHeader ?? pool.hostHeader ?? (pool.preserveHost === true ? clientHostname : undefined);
  if (host === undefined) return undefined;
  return host === originHostname(origin) ? undefined : host;
}

function originHostname(origin: Origin): string {
  try {
    return new URL(origin.url).hostname;
  } catch {
    return "";
  }
}
