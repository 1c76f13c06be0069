// The prepared form of a config: the normalized Config (what parseConfig
// returns) in a compact JSON shape that the Worker turns back into a Config
// without validating it again. `apply` writes it beside the native document
// (fast-stored.ts guards it with a digest), so a new isolate skips the
// schema checks, which cost most of its first request (BENCHMARKS.md).
//
// Routes are flat: one array of numbers, six per route, indexing one table
// of interned strings (a host shared by 50 rules is stored once). Pools are
// stored as normalized. A config holding anything this codec does not know
// (a field added later, Gateway API rules with compiled filters) gets no
// prepared form: such a value simply takes the full path.
import type { Config, PathType, Pool, Route } from "./types";

/** Raised when the shape below changes; a Worker that does not know it takes the full path. */
export const PREPARED_FORMAT = 1;

export interface Prepared {
  readonly v: number;
  /** Interned strings: hosts, paths, pool names, sources that are not `rules[r].http.paths[i]`. */
  readonly s: readonly string[];
  /** Six numbers per route: host (-1: none), path, path type, pool, then source rule r and path i (r = -1 - k: source is s[k]). */
  readonly r: readonly number[];
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
  const rows: number[] = [];
  for (const route of config.routes) {
    if (Object.keys(route).join(",") !== ROUTE_KEYS) return undefined;
    const source = SOURCE.exec(route.source);
    rows.push(
      route.host === undefined ? -1 : intern(route.host),
      intern(route.path),
      PATH_TYPES.indexOf(route.pathType),
      intern(route.pool),
      source ? Number(source[1]) : -1 - intern(route.source),
      source ? Number(source[2]) : 0,
    );
  }
  return { v: PREPARED_FORMAT, s: strings, r: rows, pools: [...config.pools.values()], rest };
}

/**
 * The routes of a decoded prepared form, grouped by host without building
 * them: a new isolate builds the Route objects of a host when its first
 * request asks for it (see compileRuntime), not the whole config's.
 */
export interface PreparedRoutes {
  /** Route numbers (declaration order) by lower-case host; undefined: the rules without host. */
  readonly byHost: ReadonlyMap<string | undefined, number[]>;
  /** The route with that number, built on first use and then kept. */
  readonly route: (index: number) => Route;
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
  const { v, s, r, pools, rest } = value as Partial<Prepared>;
  if (v !== PREPARED_FORMAT || !Array.isArray(s) || !Array.isArray(r) || r.length % 6 !== 0 || !Array.isArray(pools)) return undefined;
  if (typeof rest !== "object" || rest === null || typeof rest.statusPath !== "string") return undefined;
  const count = r.length / 6;
  // Grouped by interned host number first (one Map entry per host, not per route).
  const byHostId = new Map<number, number[]>();
  for (let i = 0, at = 0; i < count; i++, at += 6) {
    if (PATH_TYPES[r[at + 2] as number] === undefined) return undefined;
    const host = r[at] as number;
    const group = byHostId.get(host);
    if (group) group.push(i);
    else byHostId.set(host, [i]);
  }
  const byHost = new Map<string | undefined, number[]>();
  for (const [id, group] of byHostId) {
    const host = id < 0 ? undefined : (s[id] as string).toLowerCase();
    // Hosts are stored lower-case; were two to differ in case only, their rules merge in declaration order.
    const merged = byHost.get(host);
    byHost.set(host, merged ? [...merged, ...group].sort((a, b) => a - b) : group);
  }
  const built: Route[] = new Array(count);
  const route = (i: number): Route => (built[i] ??= decodeRoute(s, r, i * 6));
  const poolMap = new Map<string, Pool>();
  for (const pool of pools) poolMap.set(pool.name, pool);
  let routes: Route[] | undefined;
  const config: Config = { ...(rest as Omit<Config, "pools" | "routes">), pools: poolMap, routes: [] };
  Object.defineProperty(config, "routes", {
    enumerable: true,
    configurable: false,
    get: () => (routes ??= Array.from({ length: count }, (_, i) => route(i))),
  });
  preparedRoutes.set(config, { byHost, route });
  return config;
}

function decodeRoute(s: readonly string[], r: readonly number[], at: number): Route {
  const host = r[at] as number;
  const sourceRule = r[at + 4] as number;
  // Same property order in every route, host always present: one hidden class (see parse.ts).
  return {
    host: host < 0 ? undefined : (s[host] as string),
    path: s[r[at + 1] as number] as string,
    pathType: PATH_TYPES[r[at + 2] as number]!,
    pool: s[r[at + 3] as number] as string,
    source: sourceRule < 0 ? (s[-1 - sourceRule] as string) : `rules[${sourceRule}].http.paths[${r[at + 5] as number}]`,
  };
}
