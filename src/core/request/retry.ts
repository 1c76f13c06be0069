// The retry plan of one request: how many tries, on which outcomes, with
// what wait between them and what deadline for each. A request is retried
// only when sending it twice cannot do harm: a method RFC 9110 section 9.2.2
// calls idempotent and no body (a streamed body cannot be sent again).
import type { RouteAction } from "../action/action";
import type { Pool } from "../config/types";

/** Methods that are safe to send twice by default (RFC 9110 section 9.2.1), as before HTTPRoute retries. */
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
/** With an HTTPRoute `retry`, idempotent methods too (RFC 9110 section 9.2.2). */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);
/** Shared by every plan without an HTTPRoute `retry` (read only). */
const NO_STATUSES: ReadonlySet<number> = new Set();
/** The longest wait between two tries, whatever the backoff doubling reaches. */
export const MAX_BACKOFF_MS = 10_000;

export interface RetryPlan {
  /** Tries in all, the first included; 1 means no retry. */
  readonly maxTries: number;
  /** Statuses that make a try fail (and count against passive ejection only as on5xx says). */
  readonly retryOn: ReadonlySet<number>;
  /** Deadline for each try's response headers; 0: none. */
  readonly tryTimeoutMs: number;
  /** Deadline for all tries together; undefined: none. */
  readonly requestTimeoutMs: number | undefined;
  /** Base wait before retry n (1-based): base * 2^(n-1), capped at MAX_BACKOFF_MS. */
  readonly backoffMs: number;
  /** Without an HTTPRoute `retry`, the one retry goes to another origin and only after a connection failure. */
  readonly connectFailuresOnly: boolean;
}

export function retryPlan(action: RouteAction, pool: Pool, method: string, hasBody: boolean): RetryPlan {
  const tryTimeoutMs = action.backendTimeoutMs ?? pool.timeoutMs;
  const base = { tryTimeoutMs, requestTimeoutMs: action.requestTimeoutMs };
  const policy = action.retry;
  if (policy === undefined) {
    const may = SAFE.has(method) && !hasBody;
    return { ...base, maxTries: may ? 2 : 1, retryOn: NO_STATUSES, backoffMs: 0, connectFailuresOnly: true };
  }
  const may = IDEMPOTENT.has(method) && !hasBody;
  return {
    ...base,
    maxTries: may ? 1 + policy.attempts : 1,
    retryOn: new Set(policy.codes),
    backoffMs: policy.backoffMs,
    connectFailuresOnly: false,
  };
}

/** How long to wait before try number `tryIndex` (2 is the first retry). */
export function backoffBefore(plan: RetryPlan, tryIndex: number): number {
  if (plan.backoffMs <= 0 || tryIndex < 2) return 0;
  return Math.min(MAX_BACKOFF_MS, plan.backoffMs * 2 ** (tryIndex - 2));
}
