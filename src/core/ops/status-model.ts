// What the status page shows, as one plain value: the JSON answer is this
// value and the HTML page renders it. Built only from what the isolate
// already holds (its compiled config, the health snapshot it read with it,
// its own counters): a page view reads no KV.
import type { Pool } from "../config/types";
import { splitOriginKey, type HealthSnapshot, type PassiveEjector } from "../health";
import type { Runtime } from "../runtime";
import type { IsolateStats } from "./isolate-stats";
import { describeOriginHealth, originHealth, type OriginHealth } from "./origin-health";
import { probeIntervalMinutes } from "./budget";

/** The page stays small and cheap to render whatever the config's size; JSON and HTML say what was left out. */
export const MAX_SHOWN_POOLS = 200;
export const MAX_SHOWN_ROUTES = 200;

export interface OriginTraffic {
  readonly requests: number;
  readonly errors: number;
  readonly byClass: Readonly<Record<"1xx" | "2xx" | "3xx" | "4xx" | "5xx", number>>;
  /** Upper bounds of the latency buckets holding each quantile, ms; null with no samples. */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  readonly ejections: number;
}

export interface OriginModel extends OriginHealth {
  readonly url: string;
  readonly weight: number;
  /** The same sentence `edge-ingress status` prints. */
  readonly summary: string;
  /** Passively ejected in this isolate right now. */
  readonly ejected: boolean;
  /** This isolate's traffic to the origin; null when it sent none. */
  readonly traffic: OriginTraffic | null;
}

export interface PoolModel {
  readonly name: string;
  readonly policy: string;
  readonly whenAllDown: string;
  readonly healthCheck: { readonly method: string; readonly path: string; readonly everyMinutes: number } | null;
  readonly origins: readonly OriginModel[];
}

export interface StatusModel {
  readonly generatedAt: string;
  readonly statusPath: string;
  readonly config: { readonly version: string; readonly appliedAt: string | null; readonly servingSince: string | null } | null;
  readonly summary: { readonly pools: number; readonly origins: number; readonly down: number; readonly ejected: number };
  readonly isolate: {
    readonly note: string;
    readonly startedAt: string;
    readonly requests: number;
    readonly routerErrors: Readonly<Record<string, number>>;
  };
  readonly pools: readonly PoolModel[];
  readonly poolsTotal: number;
  /** The last changes between up and down, newest first, as the cron runs recorded them. */
  readonly changes: readonly { readonly at: string; readonly pool: string; readonly origin: string; readonly to: "up" | "down"; readonly reason: string }[];
  /** Passive ejections in this isolate, newest first. */
  readonly ejections: readonly { readonly at: string; readonly until: string; readonly pool: string; readonly origin: string }[];
  readonly routes: readonly { readonly host: string; readonly path: string; readonly pathType: string; readonly rule: string; readonly pool: string }[];
  readonly routesTotal: number;
}

export interface StatusInput {
  readonly runtime: Runtime | undefined;
  readonly health: HealthSnapshot;
  readonly stats: IsolateStats;
  readonly ejector: PassiveEjector;
  readonly statusPath: string;
  readonly nowMs: number;
  /** When this isolate started serving the current version. */
  readonly servingSinceMs: number | undefined;
  /** Probes one cron run sends (after the webhook's share). */
  readonly probesPerRun: number;
}

export const ISOLATE_NOTE =
  "Traffic figures and ejections are from the isolate that answered this page only: Cloudflare runs many, each with its own counters. Health comes from the cron run, shared by all.";

export function buildStatusModel(input: StatusInput): StatusModel {
  const { runtime, health, stats } = input;
  const iso = (ms: number) => new Date(ms).toISOString();
  const allPools = runtime ? [...runtime.config.pools.values()] : [];
  const checked = allPools.reduce((n, p) => n + (p.healthCheck ? p.origins.length : 0), 0);
  const everyMinutes = probeIntervalMinutes(checked, input.probesPerRun);
  const pools = allPools.map((pool) => poolModel(pool, input, everyMinutes));
  const down = pools.reduce((n, p) => n + p.origins.filter((o) => o.state === "down").length, 0);
  const ejected = pools.reduce((n, p) => n + p.origins.filter((o) => o.ejected).length, 0);
  // Pools needing attention first, then in config order.
  const troubled = (p: PoolModel) => p.origins.some((o) => o.state === "down" || o.ejected);
  const ordered = [...pools.filter(troubled), ...pools.filter((p) => !troubled(p))];
  const routes = runtime?.config.routes ?? [];
  return {
    generatedAt: iso(input.nowMs),
    statusPath: input.statusPath,
    config: runtime
      ? { version: runtime.version, appliedAt: runtime.appliedAt ?? null, servingSince: input.servingSinceMs === undefined ? null : iso(input.servingSinceMs) }
      : null,
    summary: { pools: pools.length, origins: pools.reduce((n, p) => n + p.origins.length, 0), down, ejected },
    isolate: { note: ISOLATE_NOTE, startedAt: iso(stats.startedAtMs), requests: stats.requests, routerErrors: stats.errorsByCode() },
    pools: ordered.slice(0, MAX_SHOWN_POOLS),
    poolsTotal: pools.length,
    changes: (health.changes ?? []).map((c) => {
      const { pool, url } = splitOriginKey(c.key);
      return { at: iso(c.atMs), pool, origin: url, to: c.up ? ("up" as const) : ("down" as const), reason: c.reason };
    }),
    ejections: stats.recentEjections().map((e) => {
      const { pool, url } = splitOriginKey(e.key);
      return { at: iso(e.atMs), until: iso(e.untilMs), pool, origin: url };
    }),
    routes: routes.slice(0, MAX_SHOWN_ROUTES).map((r) => ({ host: r.host ?? "*", path: r.path, pathType: r.pathType, rule: r.source, pool: r.pool })),
    routesTotal: routes.length,
  };
}

function poolModel(pool: Pool, input: StatusInput, everyMinutes: number): PoolModel {
  const rule = pool.whenAllDown;
  return {
    name: pool.name,
    policy: pool.policy,
    whenAllDown: rule.kind === "fallback" ? `fall back to pool ${rule.pool}` : rule.kind,
    healthCheck: pool.healthCheck ? { method: pool.healthCheck.method, path: pool.healthCheck.path, everyMinutes } : null,
    origins: pool.origins.map((origin) => {
      const health = originHealth(pool, origin, input.health);
      return {
        url: origin.url,
        weight: origin.weight,
        ...health,
        summary: describeOriginHealth(health),
        ejected: input.ejector.isEjected(origin.key),
        traffic: traffic(input.stats, origin.key),
      };
    }),
  };
}

function traffic(stats: IsolateStats, key: string): OriginTraffic | null {
  const c = stats.origin(key);
  if (!c) return null;
  const q = (p: number) => c.latency.quantileMs(p) ?? null;
  const [, c1, c2, c3, c4, c5] = c.byClass;
  return {
    requests: c.requests,
    errors: c.errors,
    byClass: { "1xx": c1 ?? 0, "2xx": c2 ?? 0, "3xx": c3 ?? 0, "4xx": c4 ?? 0, "5xx": c5 ?? 0 },
    p50Ms: q(0.5),
    p95Ms: q(0.95),
    p99Ms: q(0.99),
    ejections: c.ejections,
  };
}
