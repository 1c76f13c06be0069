// compileRoutes: rules -> host groups looked up by hash, each compiled once
// (host-group.ts). A precise host beats a wildcard, which beats the rules
// without host; once a host group is chosen only its paths decide, then the
// defaultBackend, never another group's paths. That is how ingress-nginx
// resolves it too: nginx picks the server block by server_name (exact name,
// then wildcard, then the catch-all server that holds the host-less rules)
// and only that block's locations are searched.
import type { DefaultBackend, Route } from "../config/types";
import { DEFAULT_PATH_NORMALIZATION, normalizePath, type PathNormalization } from "../http/path";
import { explainMatch } from "./explain";
import { buildHostGroup, matchHostGroup, type HostGroup } from "./host-group";
import { LazyHostGroups } from "./lazy-groups";
import { normalizeHost } from "./host";
import { findHostGroup, type CompiledRoutes } from "./lookup";
import type { HostMatch, RouteMatch, Routed, RouteTable } from "./types";

export function compileRoutes(
  routes: readonly Route[],
  defaultBackend?: DefaultBackend,
  pathNormalization: PathNormalization = DEFAULT_PATH_NORMALIZATION,
): RouteTable {
  // Several rules (from several manifests) may share a host: merge them,
  // keeping each rule's global declaration index for the first-declared tie.
  const byHost = new Map<string | undefined, { route: Route; index: number }[]>();
  routes.forEach((route, index) => {
    const host = route.host?.toLowerCase();
    const list = byHost.get(host);
    if (list) list.push({ route, index });
    else byHost.set(host, [{ route, index }]);
  });

  const fallbackFor = (hostMatch: HostMatch): RouteMatch | undefined =>
    defaultBackend && Object.freeze({ pool: defaultBackend.pool, hostMatch, decidedBy: "default-backend" as const });
  // Built on first lookup (lazy-groups.ts): a new isolate compiles the hosts it serves, not all of them.
  const exactHosts = new LazyHostGroups();
  const wildcardHosts = new LazyHostGroups();
  let hostless: HostGroup | undefined;
  const fallbackAny = fallbackFor("any");
  const fallbackExact = fallbackFor("exact");
  const fallbackWildcard = fallbackFor("wildcard");
  for (const [host, list] of byHost) {
    if (host === undefined) hostless = buildHostGroup("any", "", list, fallbackAny);
    else if (host.startsWith("*.")) wildcardHosts.defer(host.slice(2), () => buildHostGroup("wildcard", host, list, fallbackWildcard));
    else exactHosts.defer(host, () => buildHostGroup("exact", host, list, fallbackExact));
  }
  const compiled: CompiledRoutes = Object.freeze({ exactHosts, wildcardHosts, hostless, defaultBackend, fallback: fallbackAny });

  const match = (host: string, path: string): RouteMatch | undefined => {
    const group = findHostGroup(compiled, normalizeHost(host));
    if (group === undefined) return compiled.fallback;
    return matchHostGroup(group, path)?.result ?? group.fallback;
  };
  // One normalization for matching and forwarding: the origin receives the
  // very path the rules were matched against (plus its ";parameters").
  const route = (host: string, pathname: string): Routed => {
    const normalized = normalizePath(pathname, pathNormalization);
    if (!normalized.ok) return normalized;
    return { ok: true, path: normalized.path, match: match(host, normalized.matchPath) };
  };
  return Object.freeze({
    route,
    match,
    explain: (host: string, pathname: string) => {
      const normalized = normalizePath(pathname, pathNormalization);
      return explainMatch(compiled, host, pathname, normalized, normalized.ok ? match(host, normalized.matchPath) : undefined);
    },
  });
}
