// Routes in the prepared form (prepared.ts): seven cells per route, in the
// group of its host, each group one item of the lazy area
// (prepared-packed.ts), so a host's routes are decoded together on its first
// lookup, strings and all. A route holding more than host, path, type, pool
// and source has its other fields as graph values (prepared-graph.ts).
import type { GraphReader, GraphWriter } from "./prepared-graph";
import { packRecord, type LazyWriter, type PackedRecord } from "./prepared-packed";
import type { PathType, Route } from "./types";

/**
 * Seven cells per route: declaration index, path, path type (an index into
 * PATH_TYPES), pool, then the source (rule r and path i of
 * `rules[r].http.paths[i]`, or the source itself and 0), then the other
 * fields as a record of graph values, or 0.
 */
export type Rows = unknown[];
export const CELLS_PER_ROUTE = 7;

/** Routes by host: precise hosts, wildcard suffixes (after "*."), each group an item; and the routes without host, in the head. */
export interface Groups {
  readonly e: PackedRecord;
  readonly w: PackedRecord;
  readonly n: Rows;
}

export interface EncodedRoutes extends Groups {
  readonly gl: Readonly<Record<string, Groups>>;
  readonly a: Readonly<Record<string, unknown>>;
}

const PATH_TYPES: readonly PathType[] = ["Exact", "Prefix", "ImplementationSpecific", "RegularExpression"];
const BASE_KEYS = "host,path,pathType,pool,source";
const SOURCE = /^rules\[(\d+)\]\.http\.paths\[(\d+)\]$/;

// Without a prototype, so that a host named "__proto__" is a key like any other.
const groups = (): { e: Record<string, Rows>; w: Record<string, Rows>; n: Rows } => ({ e: Object.create(null), w: Object.create(null), n: [] });

type Unpacked = ReturnType<typeof groups>;

/** The routes, then the HTTPRoute rules (indexes after the routes'), or why they cannot be carried. */
export function encodeRoutes(routes: readonly Route[], gatewayRoutes: readonly Route[] = [], graph: GraphWriter, lazy: LazyWriter): EncodedRoutes | string {
  const a: Record<string, unknown> = Object.create(null);
  /** The route's cells, or why it cannot be carried. */
  const row = (route: Route, index: number, gateway: boolean): Rows | string => {
    const keys = Object.keys(route);
    const pathType = PATH_TYPES.indexOf(route.pathType);
    const { host, path, pool, source } = route;
    if (keys.slice(0, 5).join(",") !== BASE_KEYS || Reflect.ownKeys(route).length !== keys.length) return `route ${index} has fields other than ${BASE_KEYS} first`;
    if (pathType < 0 || typeof path !== "string" || typeof pool !== "string" || typeof source !== "string") return `route ${index} has a path, type, pool or source of the wrong type`;
    // The group key is the host itself: one not in lower case (never made by parseConfig) is not carried.
    if (host !== undefined && (typeof host !== "string" || host !== host.toLowerCase())) return `route ${index} has a host not in lower case`;
    // An Ingress route with listeners would make its wildcards cover several labels (routing/table.ts): never made by parseConfig.
    if (!gateway && route.listeners !== undefined) return `route ${index} is an Ingress route with listeners`;
    let other: Record<string, unknown> | 0 = 0;
    if (keys.length > 5) {
      other = Object.create(null) as Record<string, unknown>;
      for (const key of keys.slice(5)) other[key] = graph.value(route[key as keyof Route], `${source}.${key}`);
    }
    if (!gateway && route.affinity !== undefined) a[source] = graph.value(route.affinity, `${source}.affinity`);
    if (!gateway && route.canary?.affinity !== undefined) a[`${source} canary`] = graph.value(route.canary.affinity, `${source}.canary.affinity`);
    const sourceRule = SOURCE.exec(source);
    return [index, path, pathType, pool, sourceRule ? Number(sourceRule[1]) : source, sourceRule ? Number(sourceRule[2]) : 0, other];
  };
  const add = (into: Unpacked, host: string | undefined, cells: Rows) => {
    const rows = host === undefined ? into.n : host.startsWith("*.") ? (into.w[host.slice(2)] ??= []) : (into.e[host] ??= []);
    rows.push(...cells);
  };
  const main = groups();
  for (const [index, route] of routes.entries()) {
    const cells = row(route, index, false);
    if (typeof cells === "string") return cells;
    add(main, route.host, cells);
  }
  const gl: Record<string, Unpacked> = Object.create(null);
  for (const [i, route] of gatewayRoutes.entries()) {
    const index = routes.length + i;
    const listeners = route.listeners;
    if (!Array.isArray(listeners) || listeners.length === 0 || !listeners.every((l) => typeof l === "string")) return `HTTPRoute rule ${i} has no listeners`;
    const cells = row(route, index, true);
    if (typeof cells === "string") return cells;
    for (const address of new Set(listeners)) add((gl[address] ??= groups()), route.host, cells);
  }
  const pack = (into: Unpacked): Groups => ({ e: packGroups(into.e, lazy), w: packGroups(into.w, lazy), n: into.n });
  const packedListeners: Record<string, Groups> = Object.create(null);
  for (const [address, listener] of Object.entries(gl)) packedListeners[address] = pack(listener);
  return { ...pack(main), gl: packedListeners, a };
}

function packGroups(groups: Readonly<Record<string, Rows>>, lazy: LazyWriter): PackedRecord {
  const keys = Object.keys(groups);
  return packRecord(keys, keys.map((key) => groups[key]), lazy);
}

/** A group's cells as its item holds them; undefined for anything else. */
export const rowsOf = (item: unknown): Rows | undefined => (Array.isArray(item) && item.length % CELLS_PER_ROUTE === 0 ? item : undefined);

/** The route of `rows[at..]`, its other fields decoded from the graph. */
export function decodeRoute(rows: Rows, at: number, host: string | undefined, graph: GraphReader): Route {
  const rule = rows[at + 4];
  // Same property order in every route, host always present: one hidden class (see parse.ts).
  const route: Route = {
    host,
    path: rows[at + 1] as string,
    pathType: PATH_TYPES[rows[at + 2] as number] as PathType,
    pool: rows[at + 3] as string,
    source: typeof rule === "number" ? `rules[${rule}].http.paths[${rows[at + 5] as number}]` : (rule as string),
  };
  const other = rows[at + 6];
  if (other === 0 || typeof other !== "object" || other === null) return route;
  return graph.assign(route as unknown as Record<string, unknown>, other as Readonly<Record<string, unknown>>) as unknown as Route;
}
