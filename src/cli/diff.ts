// A readable diff between the config in KV and the one about to be written:
// pools added, removed and changed (policy, origins, weights, health check,
// timeouts), routes added, removed and changed, the defaultBackend, the
// Ingresses with their annotations and tls, and Gateway listeners and
// HTTPRoute rules.
import type { Config, HealthCheckSpec, Origin, Pool, Route, WhenAllDown } from "../core/config/types";
import { DEFAULT_STATUS_PATH } from "../core/config/status-path";
import { routeIdentity } from "../core/routing";
import { describeHeaderValue } from "./credentials";
import { diffGateway } from "./diff-gateway";
import { diffIngresses } from "./diff-ingresses";

export function diffConfigs(before: Config | undefined, after: Config): string[] {
  const lines = [...diffPools(before?.pools ?? new Map(), after.pools), ...diffRoutes(before?.routes ?? [], after.routes)];
  const was = before?.defaultBackend?.pool;
  const now = after.defaultBackend?.pool;
  if (was !== now) lines.push(`~ defaultBackend: ${was ?? "none"} -> ${now ?? "none"}`);
  lines.push(...diffIngresses(before?.ingresses ?? [], after.ingresses ?? []));
  lines.push(...diffGateway(before, after));
  const statusPathBefore = before?.statusPath ?? DEFAULT_STATUS_PATH;
  if (statusPathBefore !== after.statusPath) lines.push(`~ statusPath: ${statusPathBefore} -> ${after.statusPath}`);
  return lines;
}

function diffPools(before: ReadonlyMap<string, Pool>, after: ReadonlyMap<string, Pool>): string[] {
  const lines: string[] = [];
  for (const [name, pool] of after) {
    const old = before.get(name);
    if (!old) {
      lines.push(`+ pool ${name} (${pool.policy}): ${pool.origins.map(describeOrigin).join(", ")}`);
      continue;
    }
    for (const change of poolChanges(old, pool)) lines.push(`~ pool ${name}: ${change}`);
  }
  for (const name of before.keys()) if (!after.has(name)) lines.push(`- pool ${name}`);
  return lines;
}

function poolChanges(old: Pool, pool: Pool): string[] {
  const changes: string[] = [];
  if (old.policy !== pool.policy) changes.push(`policy ${old.policy} -> ${pool.policy}`);
  const oldOrigins = new Map(old.origins.map((o) => [o.url, o]));
  const newUrls = new Set(pool.origins.map((o) => o.url));
  for (const origin of pool.origins) {
    const was = oldOrigins.get(origin.url);
    if (!was) changes.push(`+ origin ${describeOrigin(origin)}`);
    else if (was.weight !== origin.weight) changes.push(`origin ${origin.url} weight ${was.weight} -> ${origin.weight}`);
  }
  for (const origin of old.origins) if (!newUrls.has(origin.url)) changes.push(`- origin ${origin.url}`);
  if (old.timeoutMs !== pool.timeoutMs) changes.push(`timeoutMs ${old.timeoutMs} -> ${pool.timeoutMs}`);
  if (old.uploadIdleTimeoutMs !== pool.uploadIdleTimeoutMs) changes.push(`uploadIdleTimeoutMs ${old.uploadIdleTimeoutMs} -> ${pool.uploadIdleTimeoutMs}`);
  if (whenAllDown(old.whenAllDown) !== whenAllDown(pool.whenAllDown)) {
    changes.push(`whenAllDown ${whenAllDown(old.whenAllDown)} -> ${whenAllDown(pool.whenAllDown)}`);
  }
  changes.push(...healthCheckChanges(old.healthCheck, pool.healthCheck));
  for (const key of ["consecutiveFailures", "cooldownMs", "on5xx"] as const) {
    if (old.passiveEjection[key] !== pool.passiveEjection[key]) {
      changes.push(`passiveEjection.${key} ${old.passiveEjection[key]} -> ${pool.passiveEjection[key]}`);
    }
  }
  return changes;
}

function healthCheckChanges(old: HealthCheckSpec | undefined, now: HealthCheckSpec | undefined): string[] {
  if (!old && !now) return [];
  if (!old) {
    const headers = Object.entries(now!.headers).map(([name, value]) => `${name}: ${describeHeaderValue(name, value)}`);
    return [`+ healthCheck ${describeHealthCheck(now!)}${headers.length === 0 ? "" : `, headers ${headers.join(", ")}`}`];
  }
  if (!now) return ["- healthCheck (origins are no longer probed)"];
  const changes: string[] = [];
  for (const key of ["path", "method", "bodyContains", "timeoutMs", "healthyThreshold", "unhealthyThreshold"] as const) {
    const was = old[key];
    const is = now[key];
    if (was !== is) changes.push(`healthCheck.${key} ${show(was)} -> ${show(is)}`);
  }
  const ranges = (s: HealthCheckSpec) => s.expectedStatus.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(",");
  if (ranges(old) !== ranges(now)) changes.push(`healthCheck.expectedStatus ${ranges(old)} -> ${ranges(now)}`);
  changes.push(...headerChanges(old.headers, now.headers));
  return changes;
}

/**
 * Header by header, names compared case-insensitively. Values are printed as
 * describeHeaderValue allows: a secret by its name, a credential redacted.
 */
function headerChanges(old: HealthCheckSpec["headers"], now: HealthCheckSpec["headers"]): string[] {
  const changes: string[] = [];
  const byName = (headers: HealthCheckSpec["headers"]) => new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), { name, value }]));
  const before = byName(old);
  const after = byName(now);
  for (const [key, { name, value }] of after) {
    const was = before.get(key);
    if (!was) changes.push(`+ healthCheck.headers.${name} ${describeHeaderValue(name, value)}`);
    else if (JSON.stringify(was.value) !== JSON.stringify(value)) {
      const from = describeHeaderValue(name, was.value);
      const to = describeHeaderValue(name, value);
      // Two redactions of the same length would read as no change.
      changes.push(`healthCheck.headers.${name} ${from} -> ${to}${from === to ? " (changed)" : ""}`);
    }
  }
  for (const [key, { name }] of before) if (!after.has(key)) changes.push(`- healthCheck.headers.${name}`);
  return changes;
}

function diffRoutes(before: readonly Route[], after: readonly Route[]): string[] {
  const lines: string[] = [];
  const oldById = new Map(before.map((r) => [routeIdentity(r), r]));
  const newById = new Map(after.map((r) => [routeIdentity(r), r]));
  for (const [id, route] of newById) {
    const old = oldById.get(id);
    if (!old) lines.push(`+ route ${describeRoute(route)} -> ${route.pool}`);
    else if (old.pool !== route.pool) lines.push(`~ route ${describeRoute(route)}: ${old.pool} -> ${route.pool}`);
  }
  for (const [id, route] of oldById) if (!newById.has(id)) lines.push(`- route ${describeRoute(route)} -> ${route.pool}`);
  // Same rules, another order: it decides ties between regexes, so say it.
  if (lines.length === 0 && before.map(routeIdentity).join("\n") !== after.map(routeIdentity).join("\n")) {
    lines.push("~ rules reordered (order decides between equally long paths of the same type)");
  }
  return lines;
}

export function describeRoute(route: Route): string {
  return `${route.host ?? "*"} ${route.pathType} ${route.path}`;
}

export function describeOrigin(origin: Origin): string {
  return origin.weight === 1 ? origin.url : `${origin.url} (weight ${origin.weight})`;
}

export function whenAllDown(w: WhenAllDown): string {
  return w.kind === "fallback" ? `fallback to ${w.pool}` : w.kind;
}

export function describeHealthCheck(spec: HealthCheckSpec): string {
  return `${spec.method} ${spec.path}${spec.bodyContains === undefined ? "" : ` containing ${JSON.stringify(spec.bodyContains)}`}`;
}

function show(value: unknown): string {
  return value === undefined ? "none" : typeof value === "string" ? JSON.stringify(value) : String(value);
}
