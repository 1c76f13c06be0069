// A config compiled for the request path: built once per config version and
// then only read. Policies carry their state over from the previous runtime
// for pools whose policy is unchanged (keyed by origin, so origins whose pool
// and URL are unchanged keep their place in the rotation).
import { poolAction, type RouteAction } from "./action/action";
import type { Config, Pool } from "./config/types";
import { compileHostPolicies, type HostPolicyTable } from "./config/host-policies";
import { preparedRoutesOf, type PreparedRoutes } from "./config/prepared";
import { PerPool, type PoolLookup } from "./per-pool";
import { compileRoutes, type RouteTable } from "./routing";
import { compileGroupedRoutes, type HostGrouping } from "./routing/table";
import { LazyHostGroups } from "./routing/lazy-groups";
import type { Rows } from "./config/prepared-routes";
import { createPolicy, type Policy, type PolicyDeps } from "./selection";
import { createAffinity, type PoolAffinityPicker } from "./selection/affinity";

export interface Runtime {
  readonly version: string;
  /** When the CLI applied this version (ISO 8601), as stored beside it in KV. */
  readonly appliedAt?: string;
  readonly config: Config;
  readonly table: RouteTable;
  readonly policies: PerPool<Policy>;
  /** The action of an Ingress path or defaultBackend naming each pool, built on the pool's first lookup. */
  readonly poolActions: PoolLookup<RouteAction>;
  /** Per-host policies; undefined when the config has none (then no request pays a lookup). */
  readonly hosts?: HostPolicyTable;
  /** Each pool's lane (its policy and affinity), built on the pool's first lookup. */
  readonly lanes: PerPool<PoolLane>;
  /** Session affinity of rule paths, by Route.source (`${source} canary` for a canary's), over the pool's. */
  readonly routeAffinities: ReadonlyMap<string, PoolAffinityPicker>;
  /** The previous version's policies, by pool, that this one has not built yet: the next version carries their state on. */
  readonly inherited: () => ReadonlyMap<string, Policy>;
}

/**
 * A pool as a request uses it (its lane): the pool, its policy, and its
 * session affinity, which wraps the policy. One object per pool, so that a
 * request finds all three with one lookup.
 */
export interface PoolLane {
  readonly pool: Pool;
  readonly policy: Policy;
  readonly affinity: PoolAffinityPicker | undefined;
}

export function compileRuntime(version: string, config: Config, deps: PolicyDeps, previous?: Runtime, appliedAt?: string): Runtime {
  // State carries over from the policies the previous runtime built, and,
  // for a pool it never built (no request in a whole config version), from
  // what it had inherited for that pool: a burst of reloads does not reset a
  // quiet pool's rotation. Policies are kept, not runtimes, so nothing chains.
  const before = previous ? new Map([...previous.inherited(), ...previous.policies.built()]) : undefined;
  const policies = new PerPool<Policy>(config.pools, (pool) => {
    const policy = createPolicy(pool.policy, deps, before?.get(pool.name));
    before?.delete(pool.name);
    return policy;
  });
  const poolActions = new PerPool<RouteAction>(config.pools, (pool) => poolAction(pool.name, `pools.${pool.name}`));
  const lanes = new PerPool<PoolLane>(config.pools, (pool) => ({
    pool,
    policy: policies.get(pool.name)!,
    affinity: pool.affinity === undefined ? undefined : createAffinity(pool.affinity, deps),
  }));
  // A prepared config's routes are built per host on first lookup: their affinities too, on first use.
  const prepared = preparedRoutesOf(config);
  const routeAffinities = prepared ? new LazyHostGroups(prepared.affinities, (_, spec) => createAffinity(spec, deps)) : new Map<string, PoolAffinityPicker>();
  for (const route of prepared ? [] : config.routes) {
    if (route.affinity !== undefined) routeAffinities.set(route.source, createAffinity(route.affinity, deps));
    if (route.canary?.affinity !== undefined) routeAffinities.set(`${route.source} canary`, createAffinity(route.canary.affinity, deps));
  }
  return Object.freeze({
    version,
    ...(appliedAt === undefined ? {} : { appliedAt }),
    config,
    table: prepared ? compilePrepared(prepared, config) : compileRoutes(config.routes, config.defaultBackend, config.pathNormalization, config.gatewayRoutes, config.listeners),
    policies,
    poolActions,
    ...(config.hostPolicies ? { hosts: compileHostPolicies(config.hostPolicies) } : {}),
    lanes,
    routeAffinities,
    // Those of the previous version's policies this one has not built yet (each is dropped once its pool's policy is built).
    inherited: () => before ?? EMPTY_POLICIES,
  });
}

const EMPTY_POLICIES: ReadonlyMap<string, Policy> = new Map();

/** Only HTTPRoute rules' wildcards cover several labels (routing/table.ts groupByHost). */
function compilePrepared(prepared: PreparedRoutes, config: Config): RouteTable {
  const { list } = prepared;
  const listeners = new Map<string, HostGrouping<Rows>>();
  for (const [address, groups] of prepared.listeners) listeners.set(address, { ...groups, anyLabels: groups.wildcard.size > 0, list });
  return compileGroupedRoutes({ ...prepared, anyLabels: false }, config.defaultBackend, config.pathNormalization, listeners, prepared.count, config.listeners);
}
