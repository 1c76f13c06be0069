// Gateway API hostnames: a precise name or "*." plus a name, where the
// wildcard covers one or more labels ("*.example.com" matches
// "a.example.com" and "a.b.example.com", never "example.com"). A route
// attaches to a listener only where their hostnames intersect, and then
// serves the more specific of the two (HTTPRouteSpec.hostnames).
import { got } from "../config/messages";
import { isDnsSubdomain } from "../config/ingress-schema";

export function gatewayHostnameProblem(host: string): string | undefined {
  const name = host.startsWith("*.") ? host.slice(2) : host;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return `must be a DNS name, not an IP address, got ${got(host)}`;
  if (!isDnsSubdomain(name)) {
    return `must be a lower-case DNS name, optionally starting with "*." (e.g. "api.example.com", "*.example.com"), without port, got ${got(host)}`;
  }
  return undefined;
}

/** Does wildcard `*.suffix` (given as the suffix) cover `host` (precise or a wildcard's suffix)? */
function covers(suffix: string, host: string): boolean {
  return host.endsWith(`.${suffix}`);
}

/**
 * The hostnames a route serves on a listener: undefined on either side
 * means any host. Returns [] when they do not intersect; [undefined] for
 * any host.
 */
export function intersectHostnames(listener: string | undefined, route: readonly string[]): (string | undefined)[] {
  if (route.length === 0) return [listener];
  if (listener === undefined) return [...new Set(route)];
  const out = new Set<string>();
  for (const r of route) {
    const both = intersect(listener, r);
    if (both !== undefined) out.add(both);
  }
  return [...out];
}

function intersect(a: string, b: string): string | undefined {
  const aw = a.startsWith("*.");
  const bw = b.startsWith("*.");
  if (!aw && !bw) return a === b ? a : undefined;
  if (aw && !bw) return covers(a.slice(2), b) ? b : undefined;
  if (!aw && bw) return covers(b.slice(2), a) ? a : undefined;
  // Both wildcards: the longer one, if the shorter covers it.
  const as = a.slice(2);
  const bs = b.slice(2);
  if (as === bs) return a;
  if (covers(as, bs)) return b;
  if (covers(bs, as)) return a;
  return undefined;
}

/** Does listener hostname `listener` match every host of hostname `host` (precise or wildcard)? */
export function hostnameCovers(listener: string, host: string): boolean {
  if (!listener.startsWith("*.")) return host === listener;
  const suffix = listener.slice(2);
  const name = host.startsWith("*.") ? host.slice(2) : host;
  return (host.startsWith("*.") && name === suffix) || covers(suffix, name);
}

/**
 * Listener isolation (GatewayHTTPListenerIsolation): a request is served by
 * the routes of the most specific listener whose hostname matches its host,
 * on its address. So a route reaching hostname `host` through `listener`
 * serves nothing there when another listener on that address, more specific
 * than `listener`, matches every host of `host`: the most specific such
 * listener is returned (the one that owns them). Hosts of `host` that only
 * part of a more specific listener matches are taken from it when the table
 * is compiled (routing/isolation.ts).
 */
export function isolatingListener<L extends { readonly hostname: string | undefined }>(
  sameAddress: readonly L[],
  listener: L,
  host: string | undefined,
): L | undefined {
  if (host === undefined) return undefined;
  let owner: L | undefined;
  for (const other of sameAddress) {
    const name = other.hostname;
    if (name === undefined || name === listener.hostname || !hostnameCovers(name, host)) continue;
    if (listener.hostname !== undefined && !hostnameCovers(listener.hostname, name)) continue;
    // Those covering `host` nest: the most specific is the one every other one covers.
    if (owner === undefined || hostnameCovers(owner.hostname as string, name)) owner = other;
  }
  return owner;
}
