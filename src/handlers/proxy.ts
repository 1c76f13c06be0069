// The request path: decide (route, filters, backend; src/core/request) ->
// availability -> pick -> forward, with retries per the retry plan and
// live-traffic feedback into passive ejection; then the response filters,
// and mirrored copies sent without waiting. Glue only: each step's logic
// lives in src/core.
import type { Origin, Pool } from "../core/config/types";
import type { Filter, FilterRequest, LocalAnswer } from "../core/filters/filter";
import type { HealthSnapshot, PassiveEjector } from "../core/health";
import { decide } from "../core/request/decide";
import { choosePool } from "../core/request/origins";
import { backoffBefore, retryPlan, type RetryPlan } from "../core/request/retry";
import type { Runtime } from "../core/runtime";
import { RouterError } from "../errors";
import { forward, type ForwardOptions, type ForwardResult } from "../edge/forward";
import { sendMirrors } from "../edge/mirror";

/** Seconds a client is told to wait when a pool answers 503: about one cron interval. */
const RETRY_AFTER_SECONDS = 60;

export interface ProxyContext {
  readonly runtime: Runtime;
  readonly health: HealthSnapshot;
  readonly ejector: PassiveEjector;
  readonly requestId: string;
  readonly random?: () => number;
  readonly fetch?: typeof fetch;
  /** Keeps mirrored copies running after the response is sent. */
  readonly waitUntil?: (promise: Promise<unknown>) => void;
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
  const incoming = {
    method: request.method,
    url,
    headers: request.headers,
    clientIp: request.headers.get("cf-connecting-ip") ?? undefined,
    requestId: ctx.requestId,
  };
  const decision = decide(ctx.runtime, incoming, ctx.random ?? Math.random);
  switch (decision.kind) {
    case "no-route":
      throw new RouterError(404, "no-route", `edge-ingress: no rule matches host ${JSON.stringify(decision.host)} and path ${JSON.stringify(decision.path)}, and there is no defaultBackend`);
    case "answer":
      return localResponse(decision.answer, ctx.requestId);
    case "no-backend":
      throw new RouterError(500, "no-backend", `edge-ingress: the matched rule has no valid backend for this request (${decision.backend ? `no pool named ${JSON.stringify(decision.backend.name)}` : "no backendRefs with weight above 0"})`);
  }

  const choice = choosePool(ctx.runtime.config.pools, decision.pool, ctx.health, ctx.ejector);
  if (choice.kind === "all-down") {
    throw new RouterError(503, "all-origins-down", `edge-ingress: every origin of pool "${choice.pool.name}" is down; try again later`, {
      "retry-after": String(RETRY_AFTER_SECONDS),
    });
  }
  if (choice.kind === "no-pool") throw new RouterError(500, "internal", "edge-ingress: internal error (pool not found)");
  const { pool, candidates } = choice;
  const policy = ctx.runtime.policies.get(pool.name);
  if (!policy) throw new RouterError(500, "internal", "edge-ingress: internal error (no policy for pool)");

  const upstream = decision.upstream;
  let body = request.body;
  if (upstream.mirrors.length > 0 && ctx.waitUntil) {
    const [mine, copy] = body === null ? [null, null] : body.tee();
    body = mine;
    ctx.waitUntil(sendMirrors(ctx.runtime, upstream, copy, { health: ctx.health, ejector: ctx.ejector, fetch: ctx.fetch }));
  }
  const plan = retryPlan(decision.action, pool, request.method, body !== null);
  const options: ForwardOptions = {
    method: request.method,
    headers: upstream.headers,
    body,
    pathAndQuery: upstream.path + upstream.search,
    upstreamHost: upstream.upstreamHost,
    timeoutMs: plan.tryTimeoutMs,
    clientOrigin: `${url.protocol}//${url.host}`,
  };
  const response = await sendWithRetries(candidates, policy.pick.bind(policy), pool, options, plan, ctx);
  return applyResponseFilters(response, decision.responseFilters, upstream);
}

async function sendWithRetries(
  candidates: readonly Origin[],
  pick: (candidates: readonly Origin[]) => Origin,
  pool: Pool,
  options: ForwardOptions,
  plan: RetryPlan,
  ctx: ProxyContext,
): Promise<Response> {
  const deadline = plan.requestTimeoutMs ? new AbortController() : undefined;
  const timer = deadline ? setTimeout(() => deadline.abort(), plan.requestTimeoutMs) : undefined;
  try {
    const tried = new Set<Origin>();
    let last: ForwardResult = { kind: "connect-failed", message: "no try" };
    for (let tryIndex = 1; tryIndex <= plan.maxTries; tryIndex++) {
      const wait = backoffBefore(plan, tryIndex);
      if (wait > 0) await sleep(wait, deadline?.signal);
      if (deadline?.signal.aborted) throw timeoutError(pool, plan);
      // Another origin when there is one left untried; else any.
      const untried = candidates.filter((o) => !tried.has(o));
      if (plan.connectFailuresOnly && tryIndex > 1 && untried.length === 0) break;
      const origin = pick(untried.length > 0 ? untried : candidates);
      tried.add(origin);
      last = await tryOrigin(origin, pool, { ...options, ...(deadline ? { deadline: deadline.signal } : {}) }, ctx);
      if (last.kind === "response") {
        if (!plan.retryOn.has(last.response.status) || tryIndex === plan.maxTries) return last.response;
        await last.response.body?.cancel();
        continue;
      }
      if (last.kind === "timeout") {
        if (deadline?.signal.aborted || plan.connectFailuresOnly) throw timeoutError(pool, plan);
        continue;
      }
      if (last.kind === "bad-response") throw badResponseError(pool);
    }
    if (last.kind === "timeout") throw timeoutError(pool, plan);
    throw new RouterError(502, "origin-unreachable", `edge-ingress: could not connect to an origin of pool "${pool.name}"`);
  } finally {
    clearTimeout(timer);
  }
}

async function tryOrigin(origin: Origin, pool: Pool, options: ForwardOptions, ctx: ProxyContext): Promise<ForwardResult> {
  const result = await forward(origin, options, ctx.fetch);
  const spec = pool.passiveEjection;
  if (result.kind !== "response") ctx.ejector.recordFailure(origin, spec);
  else if (spec.on5xx && result.response.status >= 500) ctx.ejector.recordFailure(origin, spec);
  else ctx.ejector.recordSuccess(origin);
  return result;
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

function timeoutError(pool: Pool, plan: RetryPlan): RouterError {
  const within = plan.requestTimeoutMs !== undefined ? `${plan.requestTimeoutMs} ms (the rule's request timeout)` : `${plan.tryTimeoutMs} ms`;
  return new RouterError(504, "origin-timeout", `edge-ingress: the origin of pool "${pool.name}" did not answer within ${within}`);
}

function badResponseError(pool: Pool): RouterError {
  return new RouterError(502, "origin-bad-response", `edge-ingress: the answer of an origin of pool "${pool.name}" could not be used (headers over 128 KiB, a malformed header or status line, or a failed TLS handshake); not retried`);
}
