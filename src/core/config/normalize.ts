// Defaults in one place: raw pool (as written) -> normalized Pool.
import { got, joinPath } from "./messages";
import { normalizeProbeHeaders } from "./probe-headers";
import { originUrlProblem, type RawHealthCheck, type RawPool } from "./schema";
import type { HealthCheckSpec, Origin, PassiveEjectionSpec, Pool, Problem, StatusRange, WhenAllDown } from "./types";

export const DEFAULT_POOL_TIMEOUT_MS = 30_000;
/** As nginx's client_body_timeout and proxy_send_timeout (60 s each). */
export const DEFAULT_UPLOAD_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_PASSIVE_EJECTION: PassiveEjectionSpec = Object.freeze({
  consecutiveFailures: 5,
  cooldownMs: 30_000,
  on5xx: false,
});

export function normalizePool(name: string, raw: RawPool, problems: Problem[], strictProbeHeaders = true): Pool {
  const origins: Origin[] = [];
  const urls = new Set<string>();
  raw.origins.forEach((o, i) => {
    if (originUrlProblem(o.url) !== undefined) return; // reported by the schema
    // The URL parser lower-cases the host and drops default ports; a trailing
    // slash of the base path is dropped so that base + "/x" never gives "//x".
    const url = new URL(o.url).href.replace(/\/+$/, "");
    if (urls.has(url)) {
      problems.push({ path: joinPath(["pools", name, "origins", i, "url"]), message: `lists the same origin twice, got ${got(o.url)}` });
      return;
    }
    urls.add(url);
    origins.push({ url, weight: o.weight ?? 1, key: `${name} ${url}`, ...(o.hostHeader === undefined ? {} : { hostHeader: o.hostHeader }) });
  });

  if (raw.hostHeader !== undefined && raw.preserveHost === true) {
    problems.push({ path: joinPath(["pools", name, "preserveHost"]), message: "cannot be true beside hostHeader: the origins receive one Host or the other" });
  }
  const pe = raw.passiveEjection;
  const pool: Pool = {
    name,
    policy: raw.policy ?? "round-robin",
    origins,
    timeoutMs: raw.timeoutMs ?? DEFAULT_POOL_TIMEOUT_MS,
    uploadIdleTimeoutMs: raw.uploadIdleTimeoutMs ?? DEFAULT_UPLOAD_IDLE_TIMEOUT_MS,
    whenAllDown: whenAllDown(raw.whenAllDown),
    passiveEjection: pe
      ? {
          consecutiveFailures: pe.consecutiveFailures ?? DEFAULT_PASSIVE_EJECTION.consecutiveFailures,
          cooldownMs: pe.cooldownMs ?? DEFAULT_PASSIVE_EJECTION.cooldownMs,
          on5xx: pe.on5xx ?? DEFAULT_PASSIVE_EJECTION.on5xx,
        }
      : DEFAULT_PASSIVE_EJECTION,
    ...(raw.hostHeader === undefined ? {} : { hostHeader: raw.hostHeader }),
    ...(raw.preserveHost === undefined ? {} : { preserveHost: raw.preserveHost }),
    ...(raw.healthCheck ? { healthCheck: normalizeHealthCheck(raw.healthCheck, ["pools", name, "healthCheck"], problems, strictProbeHeaders) } : {}),
  };
  return pool;
}

function whenAllDown(raw: string | 503 | undefined): WhenAllDown {
  if (raw === undefined || raw === "fail-open") return { kind: "fail-open" };
  if (raw === 503 || raw === "503") return { kind: "503" };
  return { kind: "fallback", pool: raw };
}

function normalizeHealthCheck(raw: RawHealthCheck, at: readonly string[], problems: Problem[], strictProbeHeaders: boolean): HealthCheckSpec {
  const path = joinPath(at);
  const method = raw.method ?? "GET";
  if (method === "HEAD" && raw.bodyContains !== undefined) {
    problems.push({ path: `${path}.bodyContains`, message: "cannot be checked with method HEAD (a HEAD response has no body)" });
  }
  const expectedStatus = (raw.expectedStatus ?? ["200-399"]).map((s, i) => statusRange(s, `${path}.expectedStatus[${i}]`, problems));
  return {
    path: raw.path ?? "/",
    method,
    expectedStatus,
    ...(raw.bodyContains === undefined ? {} : { bodyContains: raw.bodyContains }),
    timeoutMs: raw.timeoutMs ?? 5_000,
    healthyThreshold: raw.healthyThreshold ?? 2,
    unhealthyThreshold: raw.unhealthyThreshold ?? 2,
    headers: normalizeProbeHeaders(raw.headers ?? {}, [...at, "headers"], problems, strictProbeHeaders),
  };
}

function statusRange(spec: number | string, path: string, problems: Problem[]): StatusRange {
  if (typeof spec === "number") return { from: spec, to: spec };
  const [from, to = from] = spec.split("-").map(Number) as [number, number?];
  if (to < from) problems.push({ path, message: `range must go from low to high, got ${got(spec)}` });
  return { from, to };
}
