// Routes in the prepared form (prepared.ts): six numbers per route in the
// group of its host, and, for a route holding more than host, path, type,
// pool and source, its other fields as graph values (prepared-graph.ts).
import type { GraphReader, GraphWriter } from "./prepared-graph";
import { packGroups, packText, type PackedRecord, type PackedStrings, type PackedText, type Rows } from "./prepared-packed";
import type { PathType, Route } from "./types";

/** Six numbers per route: declaration index, path, path type, pool, then source rule r and path i (r = -1 - k: source is s[k]). */
export type { Rows };

/** Routes by host: precise hosts, wildcard suffixes (after "*."), and the routes without host. */
export interface Groups {
  readonly e: PackedRecord;
  readonly w: PackedRecord;
  readonly n: Rows;
}

export interface EncodedRoutes extends Groups {
  /** The interned strings, packed (prepared-packed.ts). */
  readonly s: PackedText;
  readonly gl: Readonly<Record<string, Groups>>;
  readonly x: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly a: Readonly<Record<string, unknown>>;
}

const PATH_TYPES: readonly PathType[] = ["Exact", "Prefix", "ImplementationSpecific", "RegularExpression"];
const BASE_KEYS = "host,path,pathType,pool,source";
const SOURCE = /^rules\[(\d+)\]\.http\.paths\[(\d+)\]$/;

// Without a prototype, so that a host named "__proto__" is a key like any other.
const groups = (): { e: Record<string, Rows>; w: Record<string, Rows>; n: Rows } => ({ e: Object.create(null), w: Object.create(null), n: [] });

/** The routes, then the HTTPRoute rules (indexes after the routes'), or why they cannot be carried. */
export function encodeRoutes(routes: readonly Route[], gatewayRoutes: readonly Route[] = [], graph: GraphWriter): EncodedRoutes | string {
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const intern = (text: string): number => {
    let id = ids.get(text);
    if (id === undefined) ids.set(text, (id = strings.push(text) - 1));
    return id;
  };
  const x: Record<string, Record<string, unknown>> = Object.create(null);
  const a: Record<string, unknown> = Object.create(null);
  /** The route's row, or why it cannot be carried. */
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
    if (keys.length > 5) {
      const other: Record<string, unknown> = Object.create(null);
      for (const key of keys.slice(5)) other[key] = graph.value(route[key as keyof Route], `${source}.${key}`);
      x[index] = other;
    }
    if (!gateway && route.affinity !== undefined) a[source] = graph.value(route.affinity, `${source}.affinity`);
    if (!gateway && route.canary?.affinity !== undefined) a[`${source} canary`] = graph.value(route.canary.affinity, `${source}.canary.affinity`);
    const sourceRule = SOURCE.exec(source);
    return [index, intern(path), pathType, intern(pool), sourceRule ? Number(sourceRule[1]) : -1 - intern(source), sourceRule ? Number(sourceRule[2]) : 0];
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
  const packedListeners: Record<string, Groups> = Object.create(null);
  for (const [address, listener] of Object.entries(gl)) packedListeners[address] = pack(listener);
  return { s: packText(strings), ...pack(main), gl: packedListeners, x, a };
}

type Unpacked = ReturnType<typeof groups>;

const pack = (into: Unpacked): Groups => ({ e: packGroups(into.e), w: packGroups(into.w), n: into.n });

/** The route of `rows[at..]`, its other fields decoded from the graph. */
export function decodeRoute(s: PackedStrings, rows: Rows, at: number, host: string | undefined, x: EncodedRoutes["x"], graph: GraphReader): Route {
  const index = rows[at] as number;
  const sourceRule = rows[at + 4] as number;
  // Same property order in every route, host always present: one hidden class (see parse.ts).
  const route: Route = {
    host,
    path: s.at(rows[at + 1] as number),
    pathType: PATH_TYPES[rows[at + 2] as number] as PathType,
    pool: s.at(rows[at + 3] as number),
    source: sourceRule < 0 ? s.at(-1 - sourceRule) : `rules[${sourceRule}].http.paths[${rows[at + 5] as number}]`,
  };
  if (!Object.hasOwn(x, index)) return route;
  return graph.assign(route as unknown as Record<string, unknown>, x[index] as Readonly<Record<string, unknown>>) as unknown as Route;
}
