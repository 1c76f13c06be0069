// The request path: decide (route, filters, backend; src/core/request) ->
// availability -> pick -> forward, with retries per the retry plan and
// live-traffic feedback into passive ejection; then the response filters,
// and mirrored copies sent without waiting. Glue only: each step's logic
// lives in src/core.
import type { Filter, FilterRequest, LocalAnswer, RequestServices } from "../core/filters/filter";
import type { HealthSnapshot, PassiveEjector } from "../core/health";
import { requestHasBody } from "../core/http/body";
import { decide, type IncomingRequest } from "../core/request/decide";
import { choosePool } from "../core/request/origins";
import { retryPlan } from "../core/request/retry";
import type { Runtime } from "../core/runtime";
import { bodyTooLarge, RouterError } from "../errors";
import type { ForwardOptions } from "../edge/forward";
import { announcedLength } from "../edge/upload";
import { isUnavailable, sendToErrorBackend } from "../edge/error-backend";
import { startMirrors } from "../edge/mirror";
import { stickyPicker, withSetCookie } from "../edge/sticky";
import type { Logger } from "../log";
import { sendWithRetries } from "./attempts";
import type { ProxyTrace } from "./trace";

/**
 * Methods fetch() sends without a body: workerd refuses an empty body stream
 * on them and drops a non-empty one without a word. Passing none keeps the
 * upload watch from waiting on bytes the runtime will never read.
 */
const BODYLESS_IN_FETCH = new Set(["GET", "HEAD"]);

/** Seconds a client is told to wait when a pool answers 503: about one cron interval. */
const RETRY_AFTER_SECONDS = 60;
/** "/": how every path the router forwards begins. */
const SLASH = 0x2f;

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
  /** What authentication needs (secrets, the verification cache); without it an authenticated rule answers 401. */
  readonly services?: Omit<RequestServices, "requestId" | "fetch" | "log">;
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
  const incoming = new WorkerRequest(request, url, ctx.requestId);

  const services = ctx.services && new EdgeServices(ctx, ctx.services);
  const decided = services ? decide(ctx.runtime, incoming, ctx.random ?? Math.random, services) : decide(ctx.runtime, incoming, ctx.random ?? Math.random);
  // Only a rule with an asynchronous step (authentication) makes the decision wait.
  const decision = decided instanceof Promise ? await decided : decided;
  if (decision.kind !== "bad-path") ctx.trace?.matched(url.host, decision.routedPath, decision.kind === "no-route" ? undefined : decision.match);
  switch (decision.kind) {
    case "bad-path":
      throw new RouterError(400, "bad-path", `edge-ingress: bad request path: ${decision.reason}`);
    case "no-route":
      throw new RouterError(404, "no-route", `edge-ingress: no rule matches host ${JSON.stringify(decision.host)} and path ${JSON.stringify(decision.path)}, and there is no defaultBackend`);
    case "answer":
      // A refusal is the router's own error, in its one format (errors.ts).
      if (decision.answer.error !== undefined) {
        const { status, error, body, headers, detail } = decision.answer;
        throw new RouterError(status, error, body, { headers, detail: { rule: decision.action.rule.source, ...detail } });
      }
      return localResponse(decision.answer, ctx.requestId);
    case "no-backend":
      throw new RouterError(500, "no-backend", "edge-ingress: the matched rule has no valid backend for this request", {
        detail: { rule: decision.action.rule.source, backend: decision.backend?.name ?? null },
      });
  }

  const upstream = decision.upstream;
  // The path is appended to an origin's URL (and to the error backend's and
  // the mirrors'): one not starting with "/" would read as part of the URL's
  // authority ("https://origin;@elsewhere/"), another host. Normalization and
  // every rewrite yield "/...", so this is a bug's last line of defence,
  // checked before any origin is asked: only configured origins are contacted.
  if (upstream.path.charCodeAt(0) !== SLASH) {
    throw new RouterError(500, "internal", "edge-ingress: internal error (the upstream path is not a path)", { detail: { rule: decision.action.rule.source } });
  }
  // A body announced over the rule's limit is refused before any origin, the error backend's included, is asked.
  const maxBodyBytes = upstream.maxBodyBytes;
  if (maxBodyBytes !== undefined && (announcedLength(request.headers) ?? 0) > maxBodyBytes) throw bodyTooLarge(maxBodyBytes);
  const errors = upstream.errorBackend;
  const clientOrigin = `${url.protocol}//${url.host}`;
  const choice = choosePool(ctx.runtime.lanes, decision.pool, ctx.health, ctx.ejector);
  if (choice.kind === "all-down" && errors) {
    const response = await sendToErrorBackend(errors, request.method, upstream, { kind: "unavailable", body: BODYLESS_IN_FETCH.has(request.method) ? null : request.body }, { ...ctx, clientOrigin });
    return applyResponseFilters(response, decision.responseFilters, upstream);
  }
  if (choice.kind === "all-down") {
    throw new RouterError(503, "all-origins-down", "edge-ingress: no origin is available; try again later", {
      headers: { "retry-after": String(RETRY_AFTER_SECONDS) },
      detail: { pool: choice.pool.name },
    });
  }
  if (choice.kind === "no-pool") throw new RouterError(500, "internal", "edge-ingress: internal error (pool not found)");
  const { lane, candidates } = choice;
  const pool = lane.pool;

  // Whether there is a body is read from the headers, not from how the
  // runtime represents it (see core/http/body.ts).
  const hasBody = requestHasBody(request.headers);
  let body = BODYLESS_IN_FETCH.has(request.method) ? null : request.body;
  if (upstream.mirrors.length > 0 && ctx.background) {
    const mirrors = startMirrors(ctx.runtime, upstream, body, { health: ctx.health, ejector: ctx.ejector, fetch: ctx.fetch });
    body = mirrors.body;
    ctx.background.waitUntil(mirrors.sent);
  }
  const planned = retryPlan(decision.action, pool, request.method, hasBody);
  // A rule's BackendTimeouts replace the pool's deadline; an HTTPRoute's timeouts.backendRequest wins over both.
  const plan = upstream.responseTimeoutMs !== undefined && decision.action.backendTimeoutMs === undefined ? { ...planned, tryTimeoutMs: upstream.responseTimeoutMs } : planned;
  const options: ForwardOptions = {
    headers: upstream.headers,
    pathAndQuery: upstream.path + upstream.search,
    upstreamHost: upstream.upstreamHost,
    clientOrigin,
    timeoutMs: plan.tryTimeoutMs,
    uploadIdleTimeoutMs: upstream.uploadIdleTimeoutMs ?? pool.uploadIdleTimeoutMs,
    maxBodyBytes,
    body,
  };
  const sticky = stickyPicker(ctx.runtime, lane, { headers: request.headers, clientIp: incoming.clientIp, https: upstream.scheme === "https", route: decision.match.route, backend: decision.backend });
  let response: Response;
  try {
    response = await sendWithRetries(request, candidates, sticky, pool, options, plan, ctx, upstream);
  } catch (error) {
    // A body may have been read by the failed try: only a request without one goes on as it is.
    if (!errors || hasBody || !isUnavailable(error)) throw error;
    // No session is pinned to an origin that could not be reached.
    const fallback = await sendToErrorBackend(errors, request.method, upstream, { kind: "unavailable", body: null }, { ...ctx, clientOrigin });
    return applyResponseFilters(fallback, decision.responseFilters, upstream);
  }
  if (errors?.statusCodes.has(response.status)) {
    const status = response.status;
    await response.body?.cancel();
    response = await sendToErrorBackend(errors, request.method, upstream, { kind: "status", status, service: decision.backend.name }, { ...ctx, clientOrigin });
  }
  return withSetCookie(applyResponseFilters(response, decision.responseFilters, upstream), sticky.setCookie);
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

/** What an asynchronous filter step (authentication) may use: one object per request, its functions made only when asked for. */
class EdgeServices implements RequestServices {
  constructor(
    private readonly ctx: ProxyContext,
    private readonly own: NonNullable<ProxyContext["services"]>,
  ) {}

  get requestId(): string {
    return this.ctx.requestId;
  }

  /** fetch as a plain function: workerd refuses a fetch called as another object's method ("Illegal invocation"). */
  get fetch(): typeof fetch {
    return this.ctx.fetch ?? ((input, init) => fetch(input, init));
  }

  secret(name: string): string | undefined {
    return this.own.secret(name);
  }

  verifyPassword(...args: Parameters<RequestServices["verifyPassword"]>): ReturnType<RequestServices["verifyPassword"]> {
    return this.own.verifyPassword(...args);
  }

  log(line: { readonly event: string; readonly [field: string]: unknown }): void {
    this.ctx.log.info(line);
  }
}

/**
 * The client's request as the decision reads it. A class: the country and
 * network are getters on its prototype, read only when an access list by
 * country or network asks (off Cloudflare they may be missing: unknown).
 * The runtime parses request.cf from JSON on first access, about 30 µs of
 * CPU per request in workerd given a cf object the size of the one
 * Cloudflare sends; an object literal's getters would be two closures made
 * per request.
 */
class WorkerRequest implements IncomingRequest {
  readonly method: string;
  readonly headers: Headers;
  readonly clientIp: string | undefined;

  constructor(
    private readonly request: Request,
    readonly url: URL,
    readonly requestId: string,
  ) {
    this.method = request.method;
    this.headers = request.headers;
    this.clientIp = request.headers.get("cf-connecting-ip") ?? undefined;
  }

  get country(): string | undefined {
    const country = (this.request.cf as { country?: unknown } | undefined)?.country;
    return typeof country === "string" ? country : undefined;
  }

  get asn(): number | undefined {
    const asn = (this.request.cf as { asn?: unknown } | undefined)?.asn;
    return typeof asn === "number" ? asn : undefined;
  }
}
