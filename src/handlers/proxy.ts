// The request path: decide (route, filters, backend; src/core/request) ->
// availability -> pick -> forward, with retries per the retry plan and
// live-traffic feedback into passive ejection; then the response filters,
// and mirrored copies sent without waiting. Glue only: each step's logic
// lives in src/core.
import type { Origin, Pool } from "../core/config/types";
import type { Filter, FilterRequest, LocalAnswer } from "../core/filters/filter";
import type { HealthSnapshot, PassiveEjector } from "../core/health";
import { requestHasBody } from "../core/http/body";
import { decide, type IncomingRequest } from "../core/request/decide";
import { choosePool } from "../core/request/origins";
import { backoffBefore, retryPlan, type RetryPlan } from "../core/request/retry";
import type { Runtime } from "../core/runtime";
import { RouterError } from "../errors";
import { forward, isClientFailure, type ForwardOptions, type ForwardResult } from "../edge/forward";
import { sendMirrors } from "../edge/mirror";
import { upstreamHostFor } from "../core/request/upstream-host";
import { stickyPicker, withSetCookie, type StickyPicker } from "../edge/sticky";
import type { Logger } from "../log";
import type { ProxyTrace } from "./trace";

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
  /** Uniform in [0, 1): weighted backends and mirror fractions. */
  readonly random?: () => number;
  readonly fetch?: typeof fetch;
  /** Keeps mirrored copies running after the response is sent (the invocation's ExecutionContext). */
  readonly background?: { waitUntil(promise: Promise<unknown>): void };
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
  // request.url carries the Host the client asked for (workerd builds it from
  // the Host header); the header itself may be rewritten by local tooling.
  const url = new URL(request.url);
  const incoming: IncomingRequest = {
    method: request.method,
    url,
    headers: request.headers,
    clientIp: request.headers.get("cf-connecting-ip") ?? undefined,
    requestId: ctx.requestId,
    // Access lists by country and network read these; off Cloudflare they may be missing (then unknown).
    // Read only when asked: the runtime parses request.cf from JSON on first access, about 30 µs
    // of CPU per request in workerd given a cf object the size of the one Cloudflare sends.
    get country() {
      const country = (request.cf as { country?: unknown } | undefined)?.country;
      return typeof country === "string" ? country : undefined;
    },
    get asn() {
      const asn = (request.cf as { asn?: unknown } | undefined)?.asn;
      return typeof asn === "number" ? asn : undefined;
    },
  };
  const decision = decide(ctx.runtime, incoming, ctx.random ?? Math.random);
  if (decision.kind !== "bad-path") ctx.trace?.matched(url.host, decision.routedPath, decision.kind === "no-route" ? undefined : decision.match);
  switch (decision.kind) {
    case "bad-path":
      throw new RouterError(400, "bad-path", `edge-ingress: bad request path: ${decision.reason}`);
    case "no-route":
      throw new RouterError(404, "no-route", `edge-ingress: no rule matches host ${JSON.stringify(decision.host)} and path ${JSON.stringify(decision.path)}, and there is no defaultBackend`);
    case "answer":
      // A refusal is the router's own error, in its one format (errors.ts).
      if (decision.answer.error !== undefined) {
        throw new RouterError(decision.answer.status, decision.answer.error, decision.answer.body, { headers: decision.answer.headers, detail: { rule: decision.action.rule.source } });
      }
      return localResponse(decision.answer, ctx.requestId);
    case "no-backend":
      throw new RouterError(500, "no-backend", "edge-ingress: the matched rule has no valid backend for this request", {
        detail: { rule: decision.action.rule.source, backend: decision.backend?.name ?? null },
      });
  }

  const choice = choosePool(ctx.runtime.config.pools, decision.pool, ctx.health, ctx.ejector);
  if (choice.kind === "all-down") {
    throw new RouterError(503, "all-origins-down", "edge-ingress: no origin is available; try again later", {
      headers: { "retry-after": String(RETRY_AFTER_SECONDS) },
      detail: { pool: choice.pool.name },
    });
  }
  if (choice.kind === "no-pool") throw new RouterError(500, "internal", "edge-ingress: internal error (pool not found)");
  const { pool, candidates } = choice;
  const policy = ctx.runtime.policies.get(pool.name);
  if (!policy) throw new RouterError(500, "internal", "edge-ingress: internal error (no policy for pool)");

  // Whether there is a body is read from the headers, not from how the
  // runtime represents it (see core/http/body.ts).
  const hasBody = requestHasBody(request.headers);
  const upstream = decision.upstream;
  let body = BODYLESS_IN_FETCH.has(request.method) ? null : request.body;
  if (upstream.mirrors.length > 0 && ctx.background) {
    const [mine, copy] = body === null ? [null, null] : body.tee();
    body = mine;
    ctx.background.waitUntil(sendMirrors(ctx.runtime, upstream, copy, { health: ctx.health, ejector: ctx.ejector, fetch: ctx.fetch }));
  }
  const plan = retryPlan(decision.action, pool, request.method, hasBody);
  const options: ForwardOptions = {
    headers: upstream.headers,
    pathAndQuery: upstream.path + upstream.search,
    upstreamHost: upstream.upstreamHost,
    clientOrigin: `${url.protocol}//${url.host}`,
    timeoutMs: plan.tryTimeoutMs,
    uploadIdleTimeoutMs: pool.uploadIdleTimeoutMs,
    body,
  };
  const sticky = stickyPicker(ctx.runtime, pool.name, policy, { headers: request.headers, clientIp: incoming.clientIp, url, route: decision.match.route, backend: decision.backend });
  const response = await sendWithRetries(request, candidates, sticky, pool, options, plan, ctx, upstream);
  return withSetCookie(applyResponseFilters(response, decision.responseFilters, upstream), sticky.setCookie);
}

async function sendWithRetries(
  request: Request,
  candidates: readonly Origin[],
  picker: StickyPicker,
  pool: Pool,
  options: ForwardOptions,
  plan: RetryPlan,
  ctx: ProxyContext,
  upstream: FilterRequest,
): Promise<Response> {
  const deadline = plan.requestTimeoutMs ? new AbortController() : undefined;
  const timer = deadline ? setTimeout(() => deadline.abort(), plan.requestTimeoutMs) : undefined;
  try {
    const tried = new Set<Origin>();
    let last: { result: ForwardResult; origin: Origin } | undefined;
    for (let tryIndex = 1; tryIndex <= plan.maxTries; tryIndex++) {
      // Another origin when there is one left untried; the default plan retries only on another origin.
      const untried = tryIndex === 1 ? candidates : candidates.filter((o) => !tried.has(o));
      if (tryIndex > 1 && plan.connectFailuresOnly && untried.length === 0) break;
      const wait = backoffBefore(plan, tryIndex);
      if (wait > 0) await sleep(wait, deadline?.signal);
      if (deadline?.signal.aborted) break;
      const origin = picker.pick(untried.length > 0 ? untried : candidates);
      tried.add(origin);
      const mayRetry = tryIndex < plan.maxTries;
      // A body can be sent once: a retried request has none (retryPlan only retries those).
      const upstreamHost = upstreamHostFor(upstream.upstreamHost, upstream.hostname, pool, origin);
      const tryOptions: ForwardOptions = { ...options, upstreamHost, body: tryIndex > 1 ? null : options.body, deadline: deadline?.signal };
      const result = await tryOrigin(request, origin, pool, tryOptions, ctx, mayRetry);
      last = { result, origin };
      if (result.kind === "response") {
        if (!mayRetry || !plan.retryOn.has(result.response.status)) return result.response;
        await result.response.body?.cancel();
        continue;
      }
      if (result.kind === "connect-failed" || (result.kind === "timeout" && !plan.connectFailuresOnly && !deadline?.signal.aborted)) continue;
      break;
    }
    if (last === undefined || deadline?.signal.aborted) throw timeoutError(pool, plan, last?.origin);
    return answer(last.result, last.origin, pool, plan);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
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
function answer(result: ForwardResult, origin: Origin, pool: Pool, plan: RetryPlan): Response {
  const detail = { pool: pool.name, origin: origin.url };
  switch (result.kind) {
    case "response":
      return result.response;
    case "timeout":
      throw timeoutError(pool, plan, origin);
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

function timeoutError(pool: Pool, plan: RetryPlan, origin: Origin | undefined): RouterError {
  return new RouterError(504, "origin-timeout", "edge-ingress: the origin did not answer in time", {
    detail: { pool: pool.name, origin: origin?.url ?? null, timeoutMs: plan.tryTimeoutMs, requestTimeoutMs: plan.requestTimeoutMs ?? null },
  });
}

function applyResponseFilters(response: Response, filters: readonly Filter[], request: FilterRequest): Response {
  if (filters.length === 0 || response.status === 101) return response;
  const headers = new Headers(response.headers);
  for (const filter of filters) filter.onResponse?.({ status: response.status, headers, request });
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function localResponse(answer: LocalAnswer, requestId: string): Response {
  const headers = new Headers(answer.headers);
  headers.set("x-request-id", requestId);
  if (answer.body !== "") headers.set("content-type", "text/plain; charset=utf-8");
  return new Response(answer.body === "" ? null : answer.body, { status: answer.status, headers });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
