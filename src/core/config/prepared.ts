// The prepared form of a config: the normalized Config (what parseConfig
// returns) in a compact JSON shape that the Worker turns back into a Config
// without validating it again. `apply` writes it beside the native document
// (fast-stored.ts guards it with a digest), so a new isolate skips the
// schema checks, which cost most of its first request (BENCHMARKS.md).
//
// Routes are grouped by host as the Worker looks them up: a record of
// precise hosts, one of wildcard suffixes, and the rules without host, each
// group a flat array of numbers (six per route) indexing one table of
// interned strings; HTTPRoute rules the same, per listener address. JSON.parse
// builds the records' hash tables natively, so a new isolate does nothing per
// host or per rule until a host is asked for (routing/lazy-groups.ts). What a
// route holds besides host, path, type, pool and source (filters, an
// HTTPRoute action, a canary, affinity, conditions) is a node of the graph
// (prepared-graph.ts), decoded with its route; filters and patterns are
// compiled again from what they were compiled from, without validation.
// Anything the graph cannot carry leaves the config without a prepared form:
// it then takes the full path, never a config with something missing.
import { recordSource, type GroupSource } from "../routing/lazy-groups";
import { isPlainJson } from "./plain-json";
import { GraphReader, GraphWriter, knowsFilterTypes, Uncarried, type GraphNode } from "./prepared-graph";
import { decodeRoute, encodeRoutes, type Groups, type Rows } from "./prepared-routes";
import type { Config, Pool, PoolAffinity, Route } from "./types";

/**
 * Raised when the shape below changes, or what a recipe's compile step reads
 * (a filter's settings as its schema outputs them, recipes.ts): a Worker that
 * does not know it takes the full path.
 */
export const PREPARED_FORMAT = 3;

export interface Prepared extends Groups {
  readonly v: number;
  /** Interned strings: paths, pool names, sources that are not `rules[r].http.paths[i]`. */
  readonly s: readonly string[];
  /** How many routes in all. */
  readonly count: number;
  /** HTTPRoute rules: how many (declared after the routes, so their indexes start at `count`); absent when Config.gatewayRoutes is. */
  readonly gc?: number;
  /** HTTPRoute rules grouped by listener address ("http:80"), then by host as the routes are. */
  readonly gl: Readonly<Record<string, Groups>>;
  /** A route's other fields, as graph values, by the route's index. */
  readonly x: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Route affinities by Route.source (`${source} canary` for a canary's), as graph values. */
  readonly a: Readonly<Record<string, unknown>>;
  /** As normalized; one that is not plain JSON as a graph value. */
  readonly pools: readonly (Pool | [number])[];
  /** The other Config fields that are plain JSON, as they are. */
  readonly rest: Readonly<Record<string, unknown>>;
  /** The other Config fields, as graph values. */
  readonly g: Readonly<Record<string, unknown>>;
  /** The graph's nodes. */
  readonly o: readonly GraphNode[];
  /** The filter types the graph compiles. */
  readonly t: readonly string[];
}

/** The prepared form of a parsed config, or undefined when the config holds something it cannot carry. */
export function encodePrepared(config: Config): Prepared | undefined {
  const result = tryEncode(config);
  return typeof result === "string" ? undefined : result;
}

/** Why a config has no prepared form (for tests and diagnostics); undefined when it has one. */
export function unpreparedReason(config: Config): string | undefined {
  const result = tryEncode(config);
  return typeof result === "string" ? result : undefined;
}

function tryEncode(config: Config): Prepared | string {
  const graph = new GraphWriter();
  const rest: Record<string, unknown> = {};
  const g: Record<string, unknown> = {};
  try {
    // A pool that is not plain JSON (an affinity's settings left undefined) is a graph value, [id].
    const pools = [...config.pools.values()].map((pool) => (isPlainJson(pool) ? pool : (graph.value(pool, `pools.${pool.name}`) as [number])));
    for (const [key, value] of Object.entries(config)) {
      if (key === "pools" || key === "routes" || key === "gatewayRoutes") continue;
      if (isPlainJson(value)) rest[key] = value;
      else g[key] = graph.value(value, key);
    }
    const routes = encodeRoutes(config.routes, config.gatewayRoutes, graph);
    if (typeof routes === "string") return routes;
    return {
      v: PREPARED_FORMAT,
      ...routes,
      ...(config.gatewayRoutes && { gc: config.gatewayRoutes.length }),
      count: config.routes.length,
      pools,
      rest,
      g,
      o: graph.nodes,
      t: [...graph.filterTypes],
    };
  } catch (error) {
    if (error instanceof Uncarried) return error.message;
    throw error;
  }
}

/**
 * The routes of a decoded prepared form, grouped as the Worker looks them
 * up, none built yet: compileRuntime builds the Route objects of a host on
 * that host's first request.
 */
export interface PreparedRoutes {
  readonly exact: GroupSource<Rows>;
  /** By the suffix after "*.". */
  readonly wildcard: GroupSource<Rows>;
  readonly hostless: Rows | undefined;
  /** How many Ingress and native routes: HTTPRoute rules are declared after them. */
  readonly count: number;
  /** HTTPRoute rules by listener address, grouped by host as the routes are. */
  readonly listeners: ReadonlyMap<string, { readonly exact: GroupSource<Rows>; readonly wildcard: GroupSource<Rows>; readonly hostless: Rows | undefined }>;
  /** The routes of a group (of `host`, as in Route.host) with their declaration index, each built on first use and then kept. */
  readonly list: (rows: Rows, host: string | undefined) => { route: Route; index: number }[];
  /** Route affinities by Route.source (`${source} canary` for a canary's), each decoded on first use. */
  readonly affinities: GroupSource<PoolAffinity>;
}

const preparedRoutes = new WeakMap<Config, PreparedRoutes>();

/** The grouped routes of a Config that decodePrepared made; undefined for any other Config. */
export function preparedRoutesOf(config: Config): PreparedRoutes | undefined {
  return preparedRoutes.get(config);
}

/**
 * The Config back from a prepared form that a digest showed `apply` wrote.
 * Only the outline is checked (a wrong shape would be a bug or a newer
 * writer, never a user's edit): undefined sends the value to the full path.
 * `routes` and `gatewayRoutes` are built when first read (status pages,
 * tests); routing reads preparedRoutesOf(config) instead.
 */
export function decodePrepared(value: unknown): Config | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { v, s, e, w, n, count, gc, gl, x, a, pools, rest, g, o, t } = value as Partial<Prepared>;
  if (v !== PREPARED_FORMAT || !Array.isArray(s) || !isRecord(e) || !isRecord(w) || !Array.isArray(n) || !Number.isSafeInteger(count) || !Array.isArray(pools)) return undefined;
  if (!isRecord(rest) || typeof rest.statusPath !== "string" || !isRecord(g) || !isRecord(x) || !isRecord(a) || !isRecord(gl) || !Array.isArray(o) || !knowsFilterTypes(t)) return undefined;
  if (gc !== undefined && !Number.isSafeInteger(gc)) return undefined;
  const poolMap = new Map<string, Pool>();
  let poolNames: ReadonlySet<string> | undefined;
  const graph = new GraphReader(o, () => (poolNames ??= new Set(poolMap.keys())));
  for (const value of pools) {
    const pool = (Array.isArray(value) ? graph.value(value) : value) as Pool;
    poolMap.set(pool.name, pool);
  }
  const built: Route[] = new Array((count as number) + (gc ?? 0));
  const list = (rows: Rows, host: string | undefined) => {
    const group: { route: Route; index: number }[] = [];
    for (let at = 0; at < rows.length; at += 6) {
      const index = rows[at] as number;
      group.push({ route: (built[index] ??= decodeRoute(s, rows, at, host, x, graph)), index });
    }
    return group;
  };
  const other: Record<string, unknown> = {};
  for (const key of Object.keys(g)) other[key] = graph.value(g[key]);
  const config: Config = { ...(rest as unknown as Omit<Config, "pools" | "routes">), ...other, pools: poolMap, routes: [] };
  const listeners = new Map<string, { exact: GroupSource<Rows>; wildcard: GroupSource<Rows>; hostless: Rows | undefined }>();
  for (const address of Object.keys(gl)) {
    const groups = gl[address] as unknown as Partial<Groups>;
    if (!isRecord(groups) || !isRecord(groups.e) || !isRecord(groups.w) || !Array.isArray(groups.n)) return undefined;
    listeners.set(address, { exact: recordSource(groups.e), wildcard: recordSource(groups.w), hostless: groups.n.length > 0 ? groups.n : undefined });
  }
  // Every route of a group list, in declaration order (indexes from..to-1).
  const all = (groups: Iterable<Partial<Groups>>, from: number, to: number) => {
    for (const { e: exact, w: wildcard, n: hostless } of groups) {
      list(hostless as Rows, undefined);
      for (const host of Object.keys(exact!)) list(exact![host]!, host);
      for (const suffix of Object.keys(wildcard!)) list(wildcard![suffix]!, `*.${suffix}`);
    }
    return built.slice(from, to);
  };
  lazyField(config, "routes", () => all([{ e, w, n }], 0, count as number));
  if (gc !== undefined) lazyField(config, "gatewayRoutes", () => all(Object.values(gl), count as number, (count as number) + gc));
  const affinities = recordSource(a);
  preparedRoutes.set(config, {
    exact: recordSource(e),
    wildcard: recordSource(w),
    hostless: n.length > 0 ? n : undefined,
    count: count as number,
    listeners,
    list,
    affinities: { get: (source) => graph.value(affinities.get(source)) as PoolAffinity | undefined, get size() { return affinities.size; } },
  });
  return config;
}

function lazyField(config: Config, key: "routes" | "gatewayRoutes", build: () => Route[]): void {
  let routes: Route[] | undefined;
  Object.defineProperty(config, key, { enumerable: true, configurable: false, get: () => (routes ??= build()) });
}

const isRecord = (value: unknown): value is Record<string, Rows & unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
