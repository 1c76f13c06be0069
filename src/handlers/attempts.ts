// The tries of one proxied request: origins picked (through the sticky
// picker) and sent to per the retry plan, each outcome fed to passive
// ejection and the trace, and the client's answer for the last one. The
// client's own failures (a stalled or aborted upload, a body over the limit)
// say nothing about the origin.
import type { Origin, Pool } from "../core/config/types";
import type { FilterRequest } from "../core/filters/filter";
import { backoffBefore, type RetryPlan } from "../core/request/retry";
import { upstreamHostFor } from "../core/request/upstream-host";
import { forward, isClientFailure, type ForwardOptions, type ForwardResult } from "../edge/forward";
import type { StickyPicker } from "../edge/sticky";
import { bodyTooLarge, RouterError } from "../errors";
import type { ProxyContext } from "./proxy";

export async function sendWithRetries(
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
    return answer(last.result, last.origin, pool, plan, options);
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
function answer(result: ForwardResult, origin: Origin, pool: Pool, plan: RetryPlan, options: ForwardOptions): Response {
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
    case "body-too-large":
      throw bodyTooLarge(options.maxBodyBytes ?? 0);
  }
}

function timeoutError(pool: Pool, plan: RetryPlan, origin: Origin | undefined): RouterError {
  return new RouterError(504, "origin-timeout", "edge-ingress: the origin did not answer in time", {
    detail: { pool: pool.name, origin: origin?.url ?? null, timeoutMs: plan.tryTimeoutMs, requestTimeoutMs: plan.requestTimeoutMs ?? null },
  });
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
