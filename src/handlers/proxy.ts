// The request path: match -> availability -> pick -> forward, with one retry
// for safe requests on a connection failure and live-traffic feedback into
// passive ejection. Glue only: each step's logic lives in src/core.
import type { Origin, Pool } from "../core/config/types";
import { availableOrigins, type HealthSnapshot, type PassiveEjector } from "../core/health";
import { requestHasBody } from "../core/http/body";
import type { Runtime } from "../core/runtime";
import { RouterError } from "../errors";
import { forward, isClientFailure, type ForwardOptions, type ForwardResult } from "../edge/forward";
import type { Logger } from "../log";
import type { ProxyTrace } from "./trace";

/** Methods that are safe to send twice (RFC 9110 section 9.2.1) and so may be retried on another origin. */
const RETRYABLE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Methods fetch() sends without a body: workerd refuses an empty body stream
 * on them and drops a non-empty one without a word. Passing none keeps the
 * upload watch from waiting on bytes the runtime will never read.
 */
const BODYLESS_IN_FETCH = new Set(["GET", "HEAD"]);

/** Seconds a client is told to wait when a pool answers 503: about one cron interval. */
const RETRY_AFTER_SECONDS = 60;

export interface ProxyContext {
  readonly runtime: Runtime;
  readonly health: HealthSnapshot;
  readonly ejector: PassiveEjector;
  readonly requestId: string;
  readonly log: Logger;
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
  // Matched and forwarded in one normalized spelling (README, Matching rules).
  const routed = ctx.runtime.table.route(host, url.pathname);
  if (!routed.ok) throw new RouterError(400, "bad-path", `edge-ingress: bad request path: ${routed.reason}`);
  const match = routed.match;
  ctx.trace?.matched(host, routed.path, match);
  if (!match) {
    throw new RouterError(404, "no-route", `edge-ingress: no rule matches host ${JSON.stringify(host)} and path ${JSON.stringify(url.pathname)}, and there is no defaultBackend`);
  }
  const { pool, candidates } = choosePool(ctx, match.pool);
  const policy = ctx.runtime.policies.get(pool.name);
  if (!policy) throw new RouterError(500, "internal", "edge-ingress: internal error (no policy for pool)");

  // Whether there is a body is read from the headers, not from how the
  // runtime represents it (see core/http/body.ts). The client's stream is
  // passed on as it is wherever fetch() can send one.
  const hasBody = requestHasBody(request.headers);
  const options: ForwardOptions = {
    pathAndQuery: routed.path + url.search,
    timeoutMs: pool.timeoutMs,
    uploadIdleTimeoutMs: pool.uploadIdleTimeoutMs,
    body: BODYLESS_IN_FETCH.has(request.method) ? null : request.body,
    clientIp: request.headers.get("cf-connecting-ip") ?? undefined,
    proto: url.protocol.slice(0, -1),
    host,
    requestId: ctx.requestId,
  };

  // Retry a connection failure once, on another origin, when sending the
  // request again cannot do harm: a safe method and no body.
  const first = policy.pick(candidates);
  const others = candidates.filter((o) => o !== first);
  const mayRetry = RETRYABLE.has(request.method) && !hasBody && others.length > 0;
  const result = await tryOrigin(request, first, pool, options, ctx, mayRetry);
  if (result.kind !== "connect-failed" || !mayRetry) return answer(result, first, pool);
  const second = policy.pick(others);
  return answer(await tryOrigin(request, second, pool, { ...options, body: null }, ctx, false), second, pool);
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
      throw new RouterError(503, "all-origins-down", "edge-ingress: no origin is available; try again later", {
        headers: { "retry-after": String(RETRY_AFTER_SECONDS) },
        detail: { pool: pool.name },
      });
    }
    pool = pools.get(rule.pool);
  }
  throw new RouterError(500, "internal", "edge-ingress: internal error (pool not found)");
}

/** One attempt, and what it says about the origin: the client's own failures say nothing. */
async function tryOrigin(request: Request, origin: Origin, pool: Pool, options: ForwardOptions, ctx: ProxyContext, mayRetry: boolean) {
  const result = await forward(request, origin, options, ctx.fetch);
  const spec = pool.passiveEjection;
  if (result.kind === "response") {
    if (spec.on5xx && result.response.status >= 500) ctx.ejector.recordFailure(origin, spec);
    else ctx.ejector.recordSuccess(origin);
  } else if (!isClientFailure(result)) {
    ctx.ejector.recordFailure(origin, spec);
    ctx.log.error({
      event: "origin.failed",
      requestId: ctx.requestId,
      pool: pool.name,
      origin: origin.url,
      reason: result.kind,
      ...("message" in result ? { message: result.message } : {}),
      retried: mayRetry && result.kind === "connect-failed",
    });
  }
  ctx.trace?.tried(pool, origin, result, ctx.ejector);
  return result;
}

/**
 * The client's answer. Error texts are generic: pool names and origin
 * addresses describe the inside of the network, so they go to the log only
 * (RouterError.detail), and the error code tells the cases apart.
 */
function answer(result: ForwardResult, origin: Origin, pool: Pool): Response {
  const detail = { pool: pool.name, origin: origin.url };
  switch (result.kind) {
    case "response":
      return result.response;
    case "timeout":
      throw new RouterError(504, "origin-timeout", "edge-ingress: the origin did not answer in time", { detail: { ...detail, timeoutMs: pool.timeoutMs } });
    case "connect-failed":
      throw new RouterError(502, "origin-unreachable", "edge-ingress: could not connect to the origin", { detail: { ...detail, message: result.message } });
    case "bad-response":
      throw new RouterError(502, "origin-bad-response", "edge-ingress: the origin sent a response that cannot be relayed", { detail: { ...detail, message: result.message } });
    case "upload-stalled":
      throw new RouterError(408, "upload-stalled", "edge-ingress: the request body stopped arriving; send it again", {
        detail: { ...detail, uploadIdleTimeoutMs: pool.uploadIdleTimeoutMs },
      });
    case "upload-aborted":
      throw new RouterError(400, "upload-aborted", "edge-ingress: the request body ended before it was complete", { detail });
  }
}
