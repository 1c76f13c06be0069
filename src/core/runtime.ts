// A config compiled for the request path: built once per config version and
// then only read. Policies carry their state over from the previous runtime
// for pools whose policy is unchanged (keyed by origin, so origins whose pool
// and URL are unchanged keep their place in the rotation).
import { poolAction, type RouteAction } from "./action/action";
import type { Config } from "./config/types";
import { compileHostPolicies, type HostPolicyTable } from "./config/host-policies";
import { preparedRoutesOf, type PreparedRoutes } from "./config/prepared";
import { compileRoutes, type RouteTable } from "./routing";
import { compileGroupedRoutes } from "./routing/table";
import { createPolicy, type Policy, type PolicyDeps } from "./selection";
import { createAffinity, type PoolAffinityPicker } from "./selection/affinity";

export interface Runtime {
  readonly version: string;
  /** When the CLI applied this version (ISO 8601), as stored beside it in KV. */
  readonly appliedAt?: string;
  readonly config: Config;
  readonly table: RouteTable;
  readonly policies: ReadonlyMap<string, Policy>;
  /** The action of an Ingress path or defaultBackend naming each pool, built once. */
  readonly poolActions: ReadonlyMap<string, RouteAction>;
  /** Per-host policies; undefined when the config has none (then no request pays a lookup). */
  readonly hosts?: HostPolicyTable;
  /** Session affinity of the pools that have it, wrapping their policies. */
  readonly affinities: ReadonlyMap<string, PoolAffinityPicker>;
  /** Session affinity of rule paths, by Route.source (`${source} canary` for a canary's), over the pool's. */
  readonly routeAffinities: ReadonlyMap<string, PoolAffinityPicker>;
}

export function compileRuntime(version: string, config: Config, deps: PolicyDeps, previous?: Runtime, appliedAt?: string): Runtime {
  const policies = new Map<string, Policy>();
  const poolActions = new Map<string, RouteAction>();
  const affinities = new Map<string, PoolAffinityPicker>();
  for (const pool of config.pools.values()) {
    if (pool.affinity !== undefined) affinities.set(pool.name, createAffinity(pool.affinity, deps));
    policies.set(pool.name, createPolicy(pool.policy, deps, previous?.policies.get(pool.name)));
    poolActions.set(pool.name, poolAction(pool.name, `pools.${pool.name}`));
  }
  const routeAffinities = new Map<string, PoolAffinityPicker>();
  // A prepared config's routes are built per host on first lookup; they carry no affinity (prepared.ts).
  const prepared = preparedRoutesOf(config);
  for (const route of prepared ? [] : config.routes) {
    if (route.affinity !== undefined) routeAffinities.set(route.source, createAffinity(route.affinity, deps));
    if (route.canary?.affinity !== undefined) routeAffinities.set(`${route.source} canary`, createAffinity(route.canary.affinity, deps));
  }
  return Object.freeze({
    version,
    ...(appliedAt === undefined ? {} : { appliedAt }),
    config,
    table: prepared ? compilePrepared(prepared, config) : compileRoutes(config.routes, config.defaultBackend, config.pathNormalization, config.gatewayRoutes),
    policies,
    poolActions,
    ...(config.hostPolicies ? { hosts: compileHostPolicies(config.hostPolicies) } : {}),
    affinities,
    routeAffinities,
  });
}

function compilePrepared(prepared: PreparedRoutes, config: Config): RouteTable {
  return compileGroupedRoutes({ ...prepared, anyLabels: false }, config.defaultBackend, config.pathNormalization, config.gatewayRoutes);
}
