// Pools no request can reach: not named by any rule (an HTTPRoute backend or
// mirror included) or the defaultBackend,
// directly or through a chain of whenAllDown fallbacks. Such a pool is
// probably a typo or left over from a removed rule; it still costs health
// checks, so validate says so (without failing).
import { locatePath, type MergeResult } from "../core/config/manifests";
import type { Config } from "../core/config/types";
import type { Warning } from "./warnings";

export function unusedPoolWarnings(config: Config, merge: MergeResult): Warning[] {
  const reached = new Set<string>();
  const pending = [...config.routes.flatMap((r) => (r.canary ? [r.pool, r.canary.pool] : [r.pool])), ...(config.defaultBackend ? [config.defaultBackend.pool] : [])];
  // HTTPRoute rules reach their backends' pools (weight 0 too: a weight change away) and their mirrors'.
  for (const route of config.gatewayRoutes ?? []) {
    const action = route.action;
    if (action === undefined) continue;
    for (const b of action.backends) {
      if (b.pool !== undefined) pending.push(b.pool);
      for (const f of b.filters) pending.push(...(f.sendsTo ?? []));
    }
    for (const f of action.filters) pending.push(...(f.sendsTo ?? []));
  }
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (reached.has(name)) continue;
    reached.add(name);
    const next = config.pools.get(name)?.whenAllDown;
    if (next?.kind === "fallback") pending.push(next.pool);
  }
  return [...config.pools.keys()]
    .filter((name) => !reached.has(name))
    .map((name) => ({
      at: locatePath(merge, `pools.${name}`),
      message: `no request can reach pool "${name}": no rule or defaultBackend names it, directly or through whenAllDown`,
    }));
}
