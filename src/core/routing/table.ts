// compileRoutes: rules -> host groups looked up by hash, each compiled once
// (host-group.ts). A precise host beats a wildcard, which beats the rules
// without host; once a host group is chosen only its rules decide, then the
// defaultBackend, never another group's rules. That is how ingress-nginx
// resolves it too: nginx picks the server block by server_name (exact name,
// then wildcard, then the catch-all server that holds the host-less rules)
// and only that block's locations are searched; Envoy-based Gateway API
// implementations pick one virtual host the same way.
import type { DefaultBackend, Route } from "../config/types";
import { DEFAULT_PATH_NORMALIZATION, normalizePath, type PathNormalization } from "../http/path";
import { PLAIN_GET, type RequestFacts } from "./conditions";
import { buildHostGroup, matchHostGroup, type HostGroup } from "./host-group";
import { LazyHostGroups } from "./lazy-groups";
import { normalizeHost } from "./host";
import { findHostGroup, type CompiledRoutes, type HostIndex } from "./lookup";
import type { HostMatch, RouteMatch, Routed, RouteTable } from "./types";

type Indexed = { route: Route; index: number };

export function compileRoutes(
  routes: readonly Route[],
  defaultBackend?: DefaultBackend,
  pathNormalization: PathNormalization = DEFAULT_PATH_NORMALIZATION,
  gatewayRoutes: readonly Route[] = [],
): RouteTable {
  const fallbackFor = (hostMatch: HostMatch): RouteMatch | undefined =>
    defaultBackend && Object.freeze({ pool: defaultBackend.pool, hostMatch, decidedBy: "default-backend" as const });
  const fallbacks = { any: fallbackFor("any"), exact: fallbackFor("exact"), wildcard: fallbackFor("wildcard") };

  // Declaration index across both lists: on a full tie the first declared wins.
  const ingress = buildIndex(routes.map((route, index) => ({ route, index })), fallbacks);
  const byListener = new Map<string, Indexed[]>();
  gatewayRoutes.forEach((route, i) => {
    for (const address of route.listeners ?? []) {
      const list = byListener.get(address);
      if (list) list.push({ route, index: routes.length + i });
      else byListener.set(address, [{ route, index: routes.length + i }]);
    }
  });
  // A request no HTTPRoute rule matches gets the Gateway API's 404, not the
  // Ingress defaultBackend: only hosts no HTTPRoute claims fall back to it.
  const none = { any: undefined, exact: undefined, wildcard: undefined };
  const listeners = new Map<string, HostIndex>();
  for (const [address, list] of byListener) listeners.set(address, buildIndex(list, none));
  const compiled: CompiledRoutes = Object.freeze({ ...ingress, listeners, defaultBackend, fallback: fallbacks.any });

  const match = (host: string, path: string, request: RequestFacts = PLAIN_GET): RouteMatch | undefined => {
    const group = findHostGroup(compiled, normalizeHost(host), request.listener);
    if (group === undefined) return compiled.fallback;
    return matchHostGroup(group, path, request)?.result ?? group.fallback;
  };
  // One normalization for matching and forwarding: the origin receives the
  // very path the rules were matched against (plus its ";parameters").
  const route = (host: string, pathname: string, request?: RequestFacts): Routed => {
    const normalized = normalizePath(pathname, pathNormalization);
    if (!normalized.ok) return normalized;
    return { ok: true, path: normalized.path, match: match(host, normalized.matchPath, request) };
  };
  return Object.freeze({ route, match, compiled, pathNormalization });
}

function buildIndex(list: readonly Indexed[], fallbacks: Readonly<Record<HostMatch, RouteMatch | undefined>>): HostIndex {
  // Several rules (from several manifests) may share a host: merge them,
  // keeping each rule's global declaration index for the first-declared tie.
  const byHost = new Map<string | undefined, Indexed[]>();
  for (const item of list) {
    const host = item.route.host?.toLowerCase();
    const group = byHost.get(host);
    if (group) group.push(item);
    else byHost.set(host, [item]);
  }
  // Precise hosts are built on first lookup (lazy-groups.ts): a new isolate
  // compiles the hosts it serves, not all of them. Wildcards are few, and
  // lookup needs to know up front whether one covers several labels.
  const exactHosts = new LazyHostGroups();
  const wildcardHosts = new Map<string, HostGroup>();
  let hostless: HostGroup | undefined;
  let anyLabels = false;
  for (const [host, group] of byHost) {
    if (host === undefined) hostless = buildHostGroup("any", "", group, fallbacks.any);
    else if (host.startsWith("*.")) {
      const built = buildHostGroup("wildcard", host, group, fallbacks.wildcard);
      anyLabels ||= built.anyLabels;
      wildcardHosts.set(host.slice(2), built);
    } else exactHosts.defer(host, () => buildHostGroup("exact", host, group, fallbacks.exact));
  }
  return Object.freeze({ exactHosts, wildcardHosts, hostless, anyLabels });
}
