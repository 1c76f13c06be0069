// Carries out an ErrorBackend (src/core/filters/error-backend.ts): one try
// on the error pool, for a request the rule's pool could not take (sent as
// it is) or in place of an origin answer whose status is listed (sent with
// ingress-nginx's X-Code headers, no body (the client's went to the first
// origin), and none of the client's other headers: its Cookie and
// Authorization are for the rule's service, not for an error page service). The error pool's answer, or its failure, is the client's.
import type { Origin } from "../core/config/types";
import { errorBackendHeaders, type ErrorBackendPlan } from "../core/filters/error-backend";
import type { FilterRequest } from "../core/filters/filter";
import type { HealthSnapshot, PassiveEjector } from "../core/health";
import { choosePool } from "../core/request/origins";
import type { Runtime } from "../core/runtime";
import { bodyTooLarge, RouterError } from "../errors";
import { forward } from "./forward";

export interface ErrorBackendContext {
  readonly runtime: Runtime;
  readonly health: HealthSnapshot;
  readonly ejector: PassiveEjector;
  readonly requestId: string;
  readonly clientOrigin: string;
  readonly fetch?: typeof fetch;
}

/** The kind of sending: the request itself (its pool could not take it), or an origin's status to replace. */
export type ErrorBackendSend =
  | { readonly kind: "unavailable"; readonly body: ReadableStream<Uint8Array> | null }
  | { readonly kind: "status"; readonly status: number; readonly service: string };

/** Router errors that mean the rule's pool could not take the request ("no active endpoints"). */
export const isUnavailable = (error: unknown): boolean =>
  error instanceof RouterError && (error.code === "origin-unreachable" || error.code === "all-origins-down");

export async function sendToErrorBackend(plan: ErrorBackendPlan, method: string, upstream: FilterRequest, send: ErrorBackendSend, ctx: ErrorBackendContext): Promise<Response> {
  const choice = choosePool(ctx.runtime.lanes, plan.pool, ctx.health, ctx.ejector);
  if (choice.kind !== "origins") throw new RouterError(503, "all-origins-down", "edge-ingress: no origin is available; try again later", { detail: { errorBackend: plan.pool } });
  const { pool, policy } = choice.lane;
  const origin: Origin = policy.pick(choice.candidates);
  const headers = send.kind === "unavailable" ? upstream.headers : errorHeaders(plan, send, upstream, ctx.requestId);
  const body = send.kind === "unavailable" ? send.body : null;
  const result = await forward(new Request("http://error-backend.invalid/", { method, headers }), origin, {
    headers,
    pathAndQuery: upstream.path + upstream.search,
    upstreamHost: undefined,
    clientOrigin: ctx.clientOrigin,
    timeoutMs: pool.timeoutMs,
    uploadIdleTimeoutMs: pool.uploadIdleTimeoutMs,
    // The rule's body limit holds here too: a chunked body is cut off at it.
    maxBodyBytes: upstream.maxBodyBytes,
    body,
  }, ctx.fetch);
  if (result.kind === "response") return result.response;
  if (result.kind === "body-too-large") throw bodyTooLarge(upstream.maxBodyBytes ?? 0);
  const detail = { errorBackend: plan.pool, origin: origin.url, reason: result.kind };
  if (result.kind === "timeout") throw new RouterError(504, "origin-timeout", "edge-ingress: the origin did not answer in time", { detail });
  throw new RouterError(502, "origin-unreachable", "edge-ingress: could not connect to the origin", { detail });
}

const FORWARDING = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-real-ip", "accept", "accept-language", "user-agent"];

function errorHeaders(plan: ErrorBackendPlan, send: { status: number; service: string }, upstream: FilterRequest, requestId: string): Headers {
  const headers = new Headers();
  for (const name of FORWARDING) {
    const value = upstream.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  for (const [name, value] of Object.entries(errorBackendHeaders(plan, send.status, send.service, upstream.clientPath + upstream.search, upstream.clientHeaders.get("accept"), requestId))) headers.set(name, value);
  return headers;
}
