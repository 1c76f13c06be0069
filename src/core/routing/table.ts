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
import { explainMatch } from "./explain";
import { buildHostGroup, matchHostGroup, type HostGroup } from "./host-group";
import { LazyHostGroups } from "./lazy-groups";
import { normalizeHost } from "./host";
import { findHostGroup, type CompiledRoutes, type HostIndex } from "./lookup";
import type { HostMatch, RouteMatch, Routed, RouteTable } from "./types";

type Indexed = { route: Route; index: number };

/**
 * Routes grouped by lower-case host (undefined: the rules without host), each
 * group as a `T` that `list` turns into its routes with their declaration
 * index, only when the group is built. compileRoutes groups a route list;
 * a prepared config brings its own grouping (compileGroupedRoutes), so a new
 * isolate builds no route object of a host it is not asked for.
 */
export interface HostGrouping<T> {
  readonly byHost: ReadonlyMap<string | undefined, T>;
  readonly list: (group: T) => readonly Indexed[];
  /** Does some route of the group cover several labels with its wildcard (a Gateway API route)? */
  readonly anyLabels: (group: T) => boolean;
}

export function compileRoutes(
  routes: readonly Route[],
  defaultBackend?: DefaultBackend,
  pathNormalization: PathNormalization = DEFAULT_PATH_NORMALIZATION,
  gatewayRoutes: readonly Route[] = [],
): RouteTable {
  return compileGroupedRoutes(groupByHost(routes.map((route, index) => ({ route, index }))), defaultBackend, pathNormalization, gatewayRoutes, routes.length);
}

export function compileGroupedRoutes<T>(
  ingressRoutes: HostGrouping<T>,
  defaultBackend?: DefaultBackend,
  pathNormalization: PathNormalization = DEFAULT_PATH_NORMALIZATION,
  gatewayRoutes: readonly Route[] = [],
  /** How many Ingress routes there are: HTTPRoute rules are declared after them. */
  ingressCount = 0,
): RouteTable {
  const fallbackFor = (hostMatch: HostMatch): RouteMatch | undefined =>
    defaultBackend && Object.freeze({ pool: defaultBackend.pool, hostMatch, decidedBy: "default-backend" as const });
  const fallbacks = { any: fallbackFor("any"), exact: fallbackFor("exact"), wildcard: fallbackFor("wildcard") };

  // Declaration index across both lists: on a full tie the first declared wins.
  const ingress = buildIndex(ingressRoutes, fallbacks);
  const byListener = new Map<string, Indexed[]>();
  gatewayRoutes.forEach((route, i) => {
    for (const address of route.listeners ?? []) {
      const list = byListener.get(address);
      if (list) list.push({ route, index: ingressCount + i });
      else byListener.set(address, [{ route, index: ingressCount + i }]);
    }
  });
  // A request no HTTPRoute rule matches gets the Gateway API's 404, not the
  // Ingress defaultBackend: only hosts no HTTPRoute claims fall back to it.
  const none = { any: undefined, exact: undefined, wildcard: undefined };
  const listeners = new Map<string, HostIndex>();
  for (const [address, list] of byListener) listeners.set(address, buildIndex(groupByHost(list), none));
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
  return Object.freeze({
    route,
    match,
    explain: (host: string, pathname: string, request: RequestFacts = PLAIN_GET) => {
      const normalized = normalizePath(pathname, pathNormalization);
      return explainMatch(compiled, host, pathname, normalized, request, normalized.ok ? match(host, normalized.matchPath, request) : undefined);
    },
  });
}

/** A route list grouped by lower-case host, each group in declaration order. */
function groupByHost(list: readonly Indexed[]): HostGrouping<Indexed[]> {
  // Several rules (from several manifests) may share a host: merge them,
  // keeping each rule's global declaration index for the first-declared tie.
  const byHost = new Map<string | undefined, Indexed[]>();
  for (const item of list) {
    const host = item.route.host?.toLowerCase();
    const group = byHost.get(host);
    if (group) group.push(item);
    else byHost.set(host, [item]);
  }
  return { byHost, list: (group) => group, anyLabels: (group) => group.some((item) => item.route.listeners !== undefined) };
}

function buildIndex<T>(grouping: HostGrouping<T>, fallbacks: Readonly<Record<HostMatch, RouteMatch | undefined>>): HostIndex {
  // Host groups are built on first lookup (lazy-groups.ts): a new isolate
  // compiles the hosts it serves, not all of them. Whether a wildcard covers
  // several labels is known up front, without building its group: lookup needs it.
  const exactHosts = new LazyHostGroups<T>((host, group) => buildHostGroup("exact", host, grouping.list(group), fallbacks.exact));
  const wildcardHosts = new LazyHostGroups<T>((suffix, group) => buildHostGroup("wildcard", `*.${suffix}`, grouping.list(group), fallbacks.wildcard));
  let hostless: HostGroup | undefined;
  let anyLabels = false;
  for (const [host, group] of grouping.byHost) {
    if (host === undefined) hostless = buildHostGroup("any", "", grouping.list(group), fallbacks.any);
    else if (host.startsWith("*.")) {
      anyLabels ||= grouping.anyLabels(group);
      wildcardHosts.defer(host.slice(2), group);
    } else exactHosts.defer(host, group);
  }
  return Object.freeze({ exactHosts, wildcardHosts, hostless, anyLabels });
}
