// The prepared form of a config: the normalized Config (what parseConfig
// returns) in a compact JSON shape that the Worker turns back into a Config
// without validating it again. `apply` writes it beside the native document
// (fast-stored.ts guards it with a digest), so a new isolate skips the
// schema checks, which cost most of its first request (BENCHMARKS.md).
//
// It has two parts (prepared-packed.ts): a small head, parsed when the
// config is loaded, and the lazy area, a JSON array of items each decoded
// on first use. Routes are grouped by host as the Worker looks them up:
// precise hosts, wildcard suffixes (each group one item, found by binary
// search over the head's sorted keys), and the rules without host (in the
// head); HTTPRoute rules the same, per listener address. Pools are items
// too. So a new isolate does nothing per host, per rule or per pool until
// one is asked for (routing/lazy-groups.ts). What a route holds besides
// host, path, type, pool and source (filters, an HTTPRoute action, a canary,
// affinity, conditions) is a node of the graph (prepared-graph.ts), decoded
// with its route; filters and patterns are compiled again from what they
// were compiled from, without validation.
// Anything the graph cannot carry leaves the config without a prepared form:
// it then takes the full path, never a config with something missing.
import { recordSource, type GroupSource } from "../routing/lazy-groups";
import { isPackedRecord, LazyWriter, lazyItemsOf, PackedValues, type LazyItems, type PackedRecord } from "./prepared-packed";
import { isPlainJson } from "./plain-json";
import { GraphReader, GraphWriter, knowsFilterTypes, Uncarried, type GraphNode } from "./prepared-graph";
import { isPackedPools, packPools, PreparedPools, type PackedPools } from "./prepared-pools";
import { CELLS_PER_ROUTE, decodeRoute, encodeRoutes, rowsOf, type Groups, type Rows } from "./prepared-routes";
import type { Config, PoolAffinity, Route } from "./types";

/**
 * Raised when the shape below changes, or what a recipe's compile step reads
 * (a filter's settings as its schema outputs them, recipes.ts): a Worker that
 * does not know it takes the full path.
 */
export const PREPARED_FORMAT = 5;

/** The head: what a new isolate parses when it loads the config. */
export interface Prepared extends Groups {
  readonly v: number;
  /** How many routes in all. */
  readonly count: number;
  /** HTTPRoute rules: how many (declared after the routes, so their indexes start at `count`); absent when Config.gatewayRoutes is. */
  readonly gc?: number;
  /** HTTPRoute rules grouped by listener address ("http:80"), then by host as the routes are. */
  readonly gl: Readonly<Record<string, Groups>>;
  /** Route affinities by Route.source (`${source} canary` for a canary's), as graph values. */
  readonly a: Readonly<Record<string, unknown>>;
  /** As normalized, each parsed on first lookup; one that is not plain JSON as a graph value. */
  readonly pools: PackedPools;
  /** The other Config fields that are plain JSON, as they are. */
  readonly rest: Readonly<Record<string, unknown>>;
  /** The other Config fields, as graph values. */
  readonly g: Readonly<Record<string, unknown>>;
  /** The graph's nodes. */
  readonly o: readonly GraphNode[];
  /** The filter types the graph compiles. */
  readonly t: readonly string[];
}

/** The head and the lazy area's text (a JSON array). */
export interface EncodedPrepared {
  readonly head: Prepared;
  readonly lazy: string;
}

/** The prepared form of a parsed config, or undefined when the config holds something it cannot carry. */
export function encodePrepared(config: Config): EncodedPrepared | undefined {
  const result = tryEncode(config);
  return typeof result === "string" ? undefined : result;
}

/** Why a config has no prepared form (for tests and diagnostics); undefined when it has one. */
export function unpreparedReason(config: Config): string | undefined {
  const result = tryEncode(config);
  return typeof result === "string" ? result : undefined;
}

/** The Config back from its prepared form, through the stored text as a Worker reads it (for tests and the CLI's checks). */
export function preparedRoundTrip(config: Config): Config | undefined {
  const encoded = encodePrepared(config);
  return encoded && decodePrepared(JSON.parse(JSON.stringify(encoded.head)), lazyItemsOf(new TextEncoder().encode(encoded.lazy), 0));
}

function tryEncode(config: Config): EncodedPrepared | string {
  const graph = new GraphWriter();
  const lazy = new LazyWriter();
  const rest: Record<string, unknown> = {};
  const g: Record<string, unknown> = {};
  try {
    // A pool that is not plain JSON (an affinity's settings left undefined) is a graph value, [id].
    const pools = packPools(
      [...config.pools.keys()],
      [...config.pools.values()].map((pool) => (isPlainJson(pool) ? pool : (graph.value(pool, `pools.${pool.name}`) as unknown[]))),
      lazy,
    );
    for (const [key, value] of Object.entries(config)) {
      if (key === "pools" || key === "routes" || key === "gatewayRoutes") continue;
      if (isPlainJson(value)) rest[key] = value;
      else g[key] = graph.value(value, key);
    }
    const routes = encodeRoutes(config.routes, config.gatewayRoutes, graph, lazy);
    if (typeof routes === "string") return routes;
    const head: Prepared = {
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
    return { head, lazy: lazy.text() };
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
  readonly exact: PackedValues<Rows>;
  /** By the suffix after "*.". */
  readonly wildcard: PackedValues<Rows>;
  readonly hostless: Rows | undefined;
  /** How many Ingress and native routes: HTTPRoute rules are declared after them. */
  readonly count: number;
  /** HTTPRoute rules by listener address, grouped by host as the routes are. */
  readonly listeners: ReadonlyMap<string, { readonly exact: PackedValues<Rows>; readonly wildcard: PackedValues<Rows>; readonly hostless: Rows | undefined }>;
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
 * tests); routing reads preparedRoutesOf(config) instead. `lazy` is the
 * lazy area written with this head.
 */
export function decodePrepared(value: unknown, lazy: LazyItems): Config | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { v, e, w, n, count, gc, gl, a, pools, rest, g, o, t } = value as Partial<Prepared>;
  if (v !== PREPARED_FORMAT || !isPackedRecord(e) || !isPackedRecord(w) || !isRows(n) || !Number.isSafeInteger(count) || !isPackedPools(pools)) return undefined;
  if (!isRecord(rest) || typeof rest.statusPath !== "string" || !isRecord(g) || !isRecord(a) || !isRecord(gl) || !Array.isArray(o) || !knowsFilterTypes(t)) return undefined;
  if (gc !== undefined && !Number.isSafeInteger(gc)) return undefined;
  let poolNames: ReadonlySet<string> | undefined;
  const graph: GraphReader = new GraphReader(o, (): ReadonlySet<string> => (poolNames ??= new Set(poolMap.keys())));
  const poolMap: PreparedPools = new PreparedPools(pools, lazy, graph);
  const built: Route[] = new Array((count as number) + (gc ?? 0));
  const list = (rows: Rows, host: string | undefined) => {
    const group: { route: Route; index: number }[] = [];
    for (let at = 0; at < rows.length; at += CELLS_PER_ROUTE) {
      const index = rows[at] as number;
      group.push({ route: (built[index] ??= decodeRoute(rows, at, host, graph)), index });
    }
    return group;
  };
  const groups = (packed: PackedRecord) => new PackedValues(packed, lazy, rowsOf);
  const other: Record<string, unknown> = {};
  for (const key of Object.keys(g)) other[key] = graph.value(g[key]);
  const config: Config = { ...(rest as unknown as Omit<Config, "pools" | "routes">), ...other, pools: poolMap, routes: [] };
  type Sources = { exact: PackedValues<Rows>; wildcard: PackedValues<Rows>; hostless: Rows | undefined };
  const listeners = new Map<string, Sources>();
  for (const address of Object.keys(gl)) {
    const listener = gl[address] as unknown as Partial<Groups>;
    if (!isRecord(listener) || !isPackedRecord(listener.e) || !isPackedRecord(listener.w) || !isRows(listener.n)) return undefined;
    listeners.set(address, { exact: groups(listener.e), wildcard: groups(listener.w), hostless: listener.n.length > 0 ? listener.n : undefined });
  }
  const main: Sources = { exact: groups(e), wildcard: groups(w), hostless: n.length > 0 ? n : undefined };
  // Every route of a group list, in declaration order (indexes from..to-1).
  const all = (groups: Iterable<Sources>, from: number, to: number) => {
    for (const { exact, wildcard, hostless } of groups) {
      if (hostless) list(hostless, undefined);
      for (const host of exact.keys()) list(exact.get(host) ?? [], host);
      for (const suffix of wildcard.keys()) list(wildcard.get(suffix) ?? [], `*.${suffix}`);
    }
    return built.slice(from, to);
  };
  lazyField(config, "routes", () => all([main], 0, count as number));
  if (gc !== undefined) lazyField(config, "gatewayRoutes", () => all(listeners.values(), count as number, (count as number) + gc));
  const affinities = recordSource(a);
  preparedRoutes.set(config, {
    ...main,
    count: count as number,
    listeners,
    list,
    affinities: {
      get: (source) => graph.value(affinities.get(source)) as PoolAffinity | undefined,
      has: (source) => affinities.has(source),
      get size() {
        return affinities.size;
      },
    },
  });
  return config;
}

function lazyField(config: Config, key: "routes" | "gatewayRoutes", build: () => Route[]): void {
  let routes: Route[] | undefined;
  Object.defineProperty(config, key, { enumerable: true, configurable: false, get: () => (routes ??= build()) });
}

const isRows = (value: unknown): value is Rows => rowsOf(value) !== undefined;

const isRecord = (value: unknown): value is Record<string, Rows & unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
