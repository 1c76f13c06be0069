// compileRoutes: rules -> host groups looked up by hash, each compiled once
// (host-group.ts). A precise host beats a wildcard, which beats the rules
// without host; once a host group is chosen only its rules decide, then the
// defaultBackend, never another group's rules. That is how ingress-nginx
// resolves it too: nginx picks the server block by server_name (exact name,
// then wildcard, then the catch-all server that holds the host-less rules)
// and only that block's locations are searched; Envoy-based Gateway API
// implementations pick one virtual host the same way.
import type { DefaultBackend, Listener, Route } from "../config/types";
import { DEFAULT_PATH_NORMALIZATION, normalizePath, type PathNormalization } from "../http/path";
import { PLAIN_GET, type RequestFacts } from "./conditions";
import { buildHostGroup, type HostGroup } from "./host-group";
import { isolate, IsolatedHosts } from "./isolation";
import { matchHostGroup } from "./host-match";
import { LazyHostGroups, type GroupSource } from "./lazy-groups";
import { normalizeHost } from "./host";
import { findHostGroup, type CompiledRoutes, type HostIndex } from "./lookup";
import type { HostMatch, RouteMatch, Routed, RouteTable } from "./types";

type Indexed = { route: Route; index: number };

/**
 * Routes grouped by host, each group as a `T` that `list` turns into its
 * routes with their declaration index, only when the group is built.
 * compileRoutes groups a route list; a prepared config brings its groups
 * (compileGroupedRoutes), so a new isolate does no work per host or per rule
 * for hosts it is not asked for.
 */
export interface HostGrouping<T> {
  /** By lower-case host. */
  readonly exact: GroupSource<T>;
  /** By the lower-case suffix after "*.". */
  readonly wildcard: GroupSource<T>;
  readonly hostless: T | undefined;
  /** Some wildcard covers several labels (a Gateway API route's). */
  readonly anyLabels: boolean;
  /** `host` is the group's as written in Route.host: "a.example.com", "*.example.com", or undefined. */
  readonly list: (group: T, host: string | undefined) => readonly Indexed[];
}

export function compileRoutes(
  routes: readonly Route[],
  defaultBackend?: DefaultBackend,
  pathNormalization: PathNormalization = DEFAULT_PATH_NORMALIZATION,
  gatewayRoutes: readonly Route[] = [],
  listeners: readonly Listener[] = [],
): RouteTable {
  return compileGroupedRoutes(groupByHost(routes.map((route, index) => ({ route, index }))), defaultBackend, pathNormalization, gatewayRoutes, routes.length, listeners);
}

/** HTTPRoute rules already grouped by listener address, then by host (a prepared config's). */
export type ListenerGroupings<T> = ReadonlyMap<string, HostGrouping<T>>;

export function compileGroupedRoutes<T>(
  ingressRoutes: HostGrouping<T>,
  defaultBackend?: DefaultBackend,
  pathNormalization: PathNormalization = DEFAULT_PATH_NORMALIZATION,
  gatewayRoutes: readonly Route[] | ListenerGroupings<T> = [],
  /** How many Ingress routes there are: HTTPRoute rules are declared after them. */
  ingressCount = 0,
  /** The Gateways' listeners: each address's HTTPRoute rules are isolated by them (isolation.ts). */
  gatewayListeners: readonly Listener[] = [],
): RouteTable {
  const fallbackFor = (hostMatch: HostMatch): RouteMatch | undefined =>
    defaultBackend && Object.freeze({ pool: defaultBackend.pool, hostMatch, decidedBy: "default-backend" as const });
  const fallbacks = { any: fallbackFor("any"), exact: fallbackFor("exact"), wildcard: fallbackFor("wildcard") };

  // Declaration index across both lists: on a full tie the first declared wins.
  const ingress = buildIndex(ingressRoutes, fallbacks);
  // A request no HTTPRoute rule matches gets the Gateway API's 404, not the
  // Ingress defaultBackend: only hosts no HTTPRoute claims fall back to it.
  const none = { any: undefined, exact: undefined, wildcard: undefined };
  const listeners = new Map<string, HostIndex>();
  if (Array.isArray(gatewayRoutes)) {
    const byListener = new Map<string, Indexed[]>();
    gatewayRoutes.forEach((route, i) => {
      for (const address of route.listeners ?? []) {
        const list = byListener.get(address);
        if (list) list.push({ route, index: ingressCount + i });
        else byListener.set(address, [{ route, index: ingressCount + i }]);
      }
    });
    for (const [address, list] of byListener) listeners.set(address, buildIndex(isolated(groupByHost(list), address, gatewayListeners), none));
  } else for (const [address, grouping] of gatewayRoutes as ListenerGroupings<T>) listeners.set(address, buildIndex(isolated(grouping, address, gatewayListeners), none));
  const compiled: CompiledRoutes = Object.freeze({ ...ingress, listeners, defaultBackend, fallback: fallbacks.any });

  const match = (host: string, path: string, request: RequestFacts = PLAIN_GET): RouteMatch | undefined => {
    const group = findHostGroup(compiled, normalizeHost(host), request);
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

/** A route list grouped by lower-case host, each group in declaration order. */
function groupByHost(list: readonly Indexed[]): HostGrouping<Indexed[]> {
  // Several rules (from several manifests) may share a host: merge them,
  // keeping each rule's global declaration index for the first-declared tie.
  const exact = new Map<string, Indexed[]>();
  const wildcard = new Map<string, Indexed[]>();
  let hostless: Indexed[] | undefined;
  let anyLabels = false;
  for (const item of list) {
    const host = item.route.host?.toLowerCase();
    if (host === undefined) {
      (hostless ??= []).push(item);
      continue;
    }
    const isWildcard = host.startsWith("*.");
    if (isWildcard && item.route.listeners !== undefined) anyLabels = true;
    const byHost = isWildcard ? wildcard : exact;
    const key = isWildcard ? host.slice(2) : host;
    const group = byHost.get(key);
    if (group) group.push(item);
    else byHost.set(key, [item]);
  }
  return { exact, wildcard, hostless, anyLabels, list: (group) => group };
}

/** An address's HTTPRoute grouping with the groups listener isolation adds (isolation.ts). */
function isolated<T>(grouping: HostGrouping<T>, address: string, listeners: readonly Listener[]): HostGrouping<T | IsolatedHosts> {
  const sources = isolate(grouping, listeners.filter((l) => l.address === address));
  const { list } = grouping;
  return {
    ...grouping,
    ...sources,
    // An added wildcard group covers one or more labels, as every HTTPRoute one does: the lookup must strip labels past the first to find it.
    anyLabels: grouping.anyLabels || sources.wildcard !== grouping.wildcard,
    list: (group, host) => (group instanceof IsolatedHosts ? [] : list(group, host)),
  };
}

function buildIndex<T>(grouping: HostGrouping<T>, fallbacks: Readonly<Record<HostMatch, RouteMatch | undefined>>): HostIndex {
  // Host groups are built on first lookup (lazy-groups.ts): a new isolate
  // compiles the hosts it serves, not all of them.
  const { list } = grouping;
  const listener = (group: T) => (group instanceof IsolatedHosts ? group : undefined);
  return Object.freeze({
    exactHosts: new LazyHostGroups<T>(grouping.exact, (host, group) => buildHostGroup("exact", host, list(group, host), fallbacks.exact, listener(group))),
    wildcardHosts: new LazyHostGroups<T>(grouping.wildcard, (suffix, group) =>
      buildHostGroup("wildcard", `*.${suffix}`, list(group, `*.${suffix}`), fallbacks.wildcard, listener(group)),
    ),
    hostless: grouping.hostless === undefined ? undefined : buildHostGroup("any", "", list(grouping.hostless, undefined), fallbacks.any),
    anyLabels: grouping.anyLabels,
  });
}
