// The request path: match -> availability -> pick -> forward, with one retry
// for safe requests on a connection failure and live-traffic feedback into
// passive ejection. Glue only: each step's logic lives in src/core.
import type { Origin, Pool } from "../core/config/types";
import { availableOrigins, type HealthSnapshot, type PassiveEjector } from "../core/health";
import type { Runtime } from "../core/runtime";
import { RouterError } from "../errors";
import { forward, type ForwardOptions } from "../edge/forward";
import type { ProxyTrace } from "./trace";

/** Methods that are safe to send twice (RFC 9110 section 9.2.1) and so may be retried on another origin. */
const RETRYABLE = new Set(["GET", "HEAD", "OPTIONS"]);

/** Seconds a client is told to wait when a pool answers 503: about one cron interval. */
const RETRY_AFTER_SECONDS = 60;

export interface ProxyContext {
  readonly runtime: Runtime;
  readonly health: HealthSnapshot;
  readonly ejector: PassiveEjector;
  readonly requestId: string;
  readonly fetch?: typeof fetch;
  /** Told what routing and each attempt decided, for logs and metrics. */
  readonly trace?: ProxyTrace;
}

/** Methods fetch() refuses to send (Fetch standard "forbidden methods"). */
const UNFORWARDABLE = new Set(["CONNECT", "TRACE", "TRACK"]);

export async function proxyRequest(request: Request, ctx: ProxyContext): Promise<Response> {
  // Refused up front: sending one would fail inside fetch(), which must not
  // count against a healthy origin (a client could eject origins at will).
  if (UNFORWARDABLE.has(request.method.toUpperCase())) {
    throw new RouterError(501, "bad-request", `edge-ingress: method ${request.method} is not supported`);
  }
  const url = new URL(request.url);
  // request.url carries the Host the client asked for (workerd builds it from
  // the Host header); the header itself may be rewritten by local tooling.
  const host = url.host;
  const match = ctx.runtime.table.match(host, url.pathname);
  ctx.trace?.matched(host, url.pathname, match);
  if (!match) {
    throw new RouterError(404, "no-route", `edge-ingress: no rule matches host ${JSON.stringify(host)} and path ${JSON.stringify(url.pathname)}, and there is no defaultBackend`);
  }
  const { pool, candidates } = choosePool(ctx, match.pool);

  const options: ForwardOptions = {
    pathAndQuery: url.pathname + url.search,
    timeoutMs: pool.timeoutMs,
    clientIp: request.headers.get("cf-connecting-ip") ?? undefined,
    proto: url.protocol.slice(0, -1),
    host,
    requestId: ctx.requestId,
  };
  const policy = ctx.runtime.policies.get(pool.name);
  if (!policy) throw new RouterError(500, "internal", "edge-ingress: internal error (no policy for pool)");

  const first = policy.pick(candidates);
  const result = await tryOrigin(request, first, pool, options, ctx);
  if (result.kind === "response") return result.response;
  if (result.kind === "timeout") throw timeoutError(pool);

  // Retry a connection failure once, on another origin, when sending the
  // request again cannot do harm: a safe method and no body already consumed.
  const others = candidates.filter((o) => o !== first);
  if (RETRYABLE.has(request.method) && request.body === null && others.length > 0) {
    const second = policy.pick(others);
    const retry = await tryOrigin(request, second, pool, options, ctx);
    if (retry.kind === "response") return retry.response;
    if (retry.kind === "timeout") throw timeoutError(pool);
  }
  throw new RouterError(502, "origin-unreachable", `edge-ingress: could not connect to an origin of pool "${pool.name}"`);
}

/** Applies health and whenAllDown: fail-open, 503, or a fallback pool (chains were checked for loops at parse time). */
function choosePool(ctx: ProxyContext, name: string): { pool: Pool; candidates: readonly Origin[] } {
  const pools = ctx.runtime.config.pools;
  let pool = pools.get(name);
  for (let hops = 0; pool && hops <= pools.size; hops++) {
    const available = availableOrigins(pool, ctx.health, ctx.ejector);
    if (!available.allDown) return { pool, candidates: available.origins };
    const rule = pool.whenAllDown;
    if (rule.kind === "fail-open") return { pool, candidates: pool.origins };
    if (rule.kind === "503") {
      throw new RouterError(503, "all-origins-down", `edge-ingress: every origin of pool "${pool.name}" is down; try again later`, {
        "retry-after": String(RETRY_AFTER_SECONDS),
      });
    }
    pool = pools.get(rule.pool);
  }
  throw new RouterError(500, "internal", "edge-ingress: internal error (pool not found)");
}

async function tryOrigin(request: Request, origin: Origin, pool: Pool, options: ForwardOptions, ctx: ProxyContext) {
  const result = await forward(request, origin, options, ctx.fetch);
  const spec = pool.passiveEjection;
  if (result.kind !== "response") ctx.ejector.recordFailure(origin, spec);
  else if (spec.on5xx && result.response.status >= 500) ctx.ejector.recordFailure(origin, spec);
  else ctx.ejector.recordSuccess(origin);
  ctx.trace?.tried(pool, origin, result, ctx.ejector);
  return result;
}

function timeoutError(pool: Pool): RouterError {
  return new RouterError(504, "origin-timeout", `edge-ingress: the origin of pool "${pool.name}" did not answer within ${pool.timeoutMs} ms`);
}
