// The prepared form of a config: the normalized Config (what parseConfig
// returns) in a compact JSON shape that the Worker turns back into a Config
// without validating it again. `apply` writes it beside the native document
// (fast-stored.ts guards it with a digest), so a new isolate skips the
// schema checks, which cost most of its first request (BENCHMARKS.md).
//
// Routes are grouped by host as the Worker looks them up: a record of
// precise hosts, one of wildcard suffixes, and the rules without host, each
// group a flat array of numbers (six per route) indexing one table of
// interned strings. JSON.parse builds the records' hash tables natively, so a
// new isolate does nothing per host or per rule until a host is asked for
// (routing/lazy-groups.ts). Pools are stored as normalized. A config holding
// anything this codec does not know (a field added later, Gateway API rules
// with compiled filters) gets no prepared form: such a value simply takes the
// full path.
import { recordSource, type GroupSource } from "../routing/lazy-groups";
import type { Config, PathType, Pool, Route } from "./types";

/** Raised when the shape below changes; a Worker that does not know it takes the full path. */
export const PREPARED_FORMAT = 2;

/** Six numbers per route: declaration index, path, path type, pool, then source rule r and path i (r = -1 - k: source is s[k]). */
type Rows = number[];

export interface Prepared {
  readonly v: number;
  /** Interned strings: paths, pool names, sources that are not `rules[r].http.paths[i]`. */
  readonly s: readonly string[];
  /** Routes by precise host (lower-case, as in Route.host). */
  readonly e: Readonly<Record<string, Rows>>;
  /** Routes by wildcard host, keyed by the suffix after "*.". */
  readonly w: Readonly<Record<string, Rows>>;
  /** The routes without host. */
  readonly n: Rows;
  /** How many routes in all. */
  readonly count: number;
  readonly pools: readonly Pool[];
  /** Every other field of Config, as normalized (JSON values only). */
  readonly rest: Readonly<Record<string, unknown>>;
}

const PATH_TYPES: readonly PathType[] = ["Exact", "Prefix", "ImplementationSpecific"];
const ROUTE_KEYS = "host,path,pathType,pool,source";
/** The Config fields besides pools and routes this codec carries as they are. */
const REST_KEYS = new Set(["defaultBackend", "ingresses", "pathNormalization", "statusPath", "warnings"]);
const SOURCE = /^rules\[(\d+)\]\.http\.paths\[(\d+)\]$/;

/** The prepared form of a parsed config, or undefined when the config holds something it cannot carry. */
export function encodePrepared(config: Config): Prepared | undefined {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === "pools" || key === "routes") continue;
    if (!REST_KEYS.has(key)) {
      // gatewayRoutes: [] (no HTTPRoute documents) carries nothing.
      if (Array.isArray(value) && value.length === 0) continue;
      return undefined;
    }
    rest[key] = value;
  }
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const intern = (text: string): number => {
    let id = ids.get(text);
    if (id === undefined) ids.set(text, (id = strings.push(text) - 1));
    return id;
  };
  // Without a prototype, so that a host named "__proto__" is a key like any other.
  const exact: Record<string, Rows> = Object.create(null);
  const wildcard: Record<string, Rows> = Object.create(null);
  const hostless: Rows = [];
  for (const [index, route] of config.routes.entries()) {
    const pathType = PATH_TYPES.indexOf(route.pathType);
    if (Object.keys(route).join(",") !== ROUTE_KEYS || pathType < 0) return undefined;
    const host = route.host;
    // The group key is the host itself: one not in lower case (never made by parseConfig) is not carried.
    if (host !== undefined && host !== host.toLowerCase()) return undefined;
    const rows = host === undefined ? hostless : host.startsWith("*.") ? (wildcard[host.slice(2)] ??= []) : (exact[host] ??= []);
    const source = SOURCE.exec(route.source);
    rows.push(index, intern(route.path), pathType, intern(route.pool), source ? Number(source[1]) : -1 - intern(route.source), source ? Number(source[2]) : 0);
  }
  return { v: PREPARED_FORMAT, s: strings, e: exact, w: wildcard, n: hostless, count: config.routes.length, pools: [...config.pools.values()], rest };
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
  /** The routes of a group (of `host`, as in Route.host) with their declaration index, each built on first use and then kept. */
  readonly list: (rows: Rows, host: string | undefined) => { route: Route; index: number }[];
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
 * `routes` is built when first read (status pages, tests); routing reads
 * preparedRoutesOf(config) instead.
 */
export function decodePrepared(value: unknown): Config | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { v, s, e, w, n, count, pools, rest } = value as Partial<Prepared>;
  if (v !== PREPARED_FORMAT || !Array.isArray(s) || !isRecord(e) || !isRecord(w) || !Array.isArray(n) || !Number.isSafeInteger(count) || !Array.isArray(pools)) return undefined;
  if (!isRecord(rest) || typeof rest.statusPath !== "string") return undefined;
  const built: Route[] = new Array(count);
  const list = (rows: Rows, host: string | undefined) => {
    const group: { route: Route; index: number }[] = [];
    for (let at = 0; at < rows.length; at += 6) {
      const index = rows[at] as number;
      group.push({ route: (built[index] ??= decodeRoute(s, rows, at, host)), index });
    }
    return group;
  };
  const poolMap = new Map<string, Pool>();
  for (const pool of pools) poolMap.set(pool.name, pool);
  let routes: Route[] | undefined;
  const config: Config = { ...(rest as unknown as Omit<Config, "pools" | "routes">), pools: poolMap, routes: [] };
  Object.defineProperty(config, "routes", {
    enumerable: true,
    configurable: false,
    get: () => {
      if (routes) return routes;
      list(n, undefined);
      for (const host of Object.keys(e)) list(e[host]!, host);
      for (const suffix of Object.keys(w)) list(w[suffix]!, `*.${suffix}`);
      return (routes = built);
    },
  });
  preparedRoutes.set(config, { exact: recordSource(e), wildcard: recordSource(w), hostless: n.length > 0 ? n : undefined, list });
  return config;
}

const isRecord = (value: unknown): value is Record<string, Rows & unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function decodeRoute(s: readonly string[], rows: Rows, at: number, host: string | undefined): Route {
  const sourceRule = rows[at + 4] as number;
  // Same property order in every route, host always present: one hidden class (see parse.ts).
  return {
    host,
    path: s[rows[at + 1] as number] as string,
    pathType: PATH_TYPES[rows[at + 2] as number] as PathType,
    pool: s[rows[at + 3] as number] as string,
    source: sourceRule < 0 ? (s[-1 - sourceRule] as string) : `rules[${sourceRule}].http.paths[${rows[at + 5] as number}]`,
  };
}
