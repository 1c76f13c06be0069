// The request decision, in plain code with no Workers imports: route ->
// the rule's filters (which may answer locally) -> a backend by weight ->
// that backend's filters -> the upstream request (path, Host, headers) and
// the filters to run on the response. The Worker edge only carries it out:
// picks origins (origins.ts), sends tries (retry.ts), relays the answer.
import { pickBackend, poolAction, type Backend, type RouteAction } from "../action/action";
import type { ErrorBackendPlan } from "../filters/error-backend";
import type { Filter, FilterRequest, LocalAnswer, MirrorTarget, RequestServices } from "../filters/filter";
import { isWebSocketUpgrade, needsHopByHopStrip, setForwardingHeaders, stripHopByHop } from "../http/headers";
import { decideCanary } from "../policy/canary";
import { readCookie } from "../policy/cookies";
import { normalizeHost } from "../routing";
import type { RouteMatch } from "../routing/types";
import type { Runtime } from "../runtime";
import { requestFacts, requestPort } from "./facts";
import { isPaused, runRoute, runStaged, type Paused } from "./stages";

export interface IncomingRequest {
  readonly method: string;
  /** request.url: carries the Host the client asked for. */
  readonly url: URL;
  readonly headers: Headers;
  /** CF-Connecting-IP, if known. */
  readonly clientIp: string | undefined;
  readonly requestId: string;
  /** request.cf.country and request.cf.asn, when the runtime gives them (access lists read them). */
  readonly country?: string | undefined;
  readonly asn?: number | undefined;
}

export type Decision =
  /** Path normalization refuses the path (400). */
  | { readonly kind: "bad-path"; readonly reason: string }
  /** `path` as it arrived; `routedPath` normalized, as matched. */
  | { readonly kind: "no-route"; readonly host: string; readonly path: string; readonly routedPath: string }
  /** A filter answered (redirect, CORS preflight): no origin is asked. */
  | { readonly kind: "answer"; readonly answer: LocalAnswer; readonly match: RouteMatch; readonly action: RouteAction; readonly routedPath: string }
  /** The rule has no valid backend for this request: the Gateway API says 500. */
  | { readonly kind: "no-backend"; readonly match: RouteMatch; readonly action: RouteAction; readonly backend: Backend | undefined; readonly routedPath: string }
  | {
      readonly kind: "forward";
      readonly routedPath: string;
      readonly match: RouteMatch;
      readonly action: RouteAction;
      readonly backend: Backend;
      readonly pool: string;
      readonly upstream: FilterRequest;
      /** Filters with a response step, rule first, then backend. */
      readonly responseFilters: readonly Filter[];
    };

const NO_FILTERS: readonly Filter[] = Object.freeze([]);

/**
 * The whole decision. Synchronous unless the request steps reach an
 * asynchronous one (authentication, in the auth stage): then the rest of the
 * decision continues after it, and a Promise is returned. Without
 * `services` (the CLI's explain and `test --cases`, which hold no secrets)
 * such a step is taken as refusing the request (401), synchronously.
 */
export function decide(runtime: Runtime, incoming: IncomingRequest, random: () => number): Decision;
export function decide(runtime: Runtime, incoming: IncomingRequest, random: () => number, services: RequestServices): Decision | Promise<Decision>;
export function decide(runtime: Runtime, incoming: IncomingRequest, random: () => number, services?: RequestServices): Decision | Promise<Decision> {
  const { url } = incoming;
  const host = url.host;
  // Matched and forwarded in one normalized spelling (README, Matching rules).
  const routed = runtime.table.route(host, url.pathname, requestFacts(incoming.method, url, incoming.headers));
  if (!routed.ok) return { kind: "bad-path", reason: routed.reason };
  const match = routed.match;
  const routedPath = routed.path;
  if (match === undefined) return { kind: "no-route", host, path: url.pathname, routedPath };
  const action = actionOf(runtime, match);

  const upstream = upstreamRequest(incoming, routed.path, match, random);
  // The host's policies run with the rule's filters in the fixed order (stages.ts); most hosts have none.
  const hostFilters = runtime.hosts?.lookup(upstream.hostname);
  const step = hostFilters !== undefined ? runStaged(hostFilters, action.filters, upstream) : runRoute(action.filters, upstream);
  if (step !== undefined) {
    if (!isPaused(step)) return { kind: "answer", answer: step, match, action, routedPath };
    if (services === undefined) return { kind: "answer", answer: OFFLINE_AUTH, match, action, routedPath };
    return afterPause(step, { incoming, match, action, routedPath, upstream, hostFilters, random }, services);
  }
  return toBackend(incoming, match, action, routedPath, upstream, hostFilters, random);
}

/** After the rule's request steps: a backend by weight (or the canary's), its filters, and what to forward. */
function toBackend(
  incoming: IncomingRequest,
  match: RouteMatch,
  action: RouteAction,
  routedPath: string,
  upstream: FilterRequest,
  hostFilters: readonly Filter[] | undefined,
  random: () => number,
): Decision {
  const backend = action.canary === undefined ? pickBackend(action, random) : canaryOrMain(action, incoming.headers, random);
  if (backend === undefined || backend.pool === undefined) return { kind: "no-backend", match, action, backend, routedPath };
  for (const filter of backend.filters) {
    const answer = filter.onRequest?.(upstream);
    if (answer !== undefined) return { kind: "answer", answer, match, action, routedPath };
  }
  const responseFilters =
    action.filters.length === 0 && backend.filters.length === 0 && hostFilters === undefined
      ? NO_FILTERS
      : [...(hostFilters ?? NO_FILTERS), ...action.filters, ...backend.filters].filter((f) => f.onResponse !== undefined);
  return { kind: "forward", routedPath, match, action, backend, pool: backend.pool, upstream, responseFilters };
}

interface Pending {
  readonly incoming: IncomingRequest;
  readonly match: RouteMatch;
  readonly action: RouteAction;
  readonly routedPath: string;
  readonly upstream: FilterRequest;
  readonly hostFilters: readonly Filter[] | undefined;
  readonly random: () => number;
}

/** Awaits each asynchronous step in turn, running the synchronous ones between them, then goes on to the backend. */
async function afterPause(first: Paused, p: Pending, services: RequestServices): Promise<Decision> {
  let paused = first;
  for (;;) {
    const answer = await paused.paused.onRequestAsync!(p.upstream, services);
    if (answer !== undefined) return { kind: "answer", answer, match: p.match, action: p.action, routedPath: p.routedPath };
    const step = runStaged(p.hostFilters ?? NO_FILTERS, p.action.filters, p.upstream, paused);
    if (step === undefined) break;
    if (!isPaused(step)) return { kind: "answer", answer: step, match: p.match, action: p.action, routedPath: p.routedPath };
    paused = step;
  }
  return toBackend(p.incoming, p.match, p.action, p.routedPath, p.upstream, p.hostFilters, p.random);
}

/** What the CLI shows for an authenticated rule: it holds no secrets and calls no auth service. */
const OFFLINE_AUTH: LocalAnswer = Object.freeze({
  status: 401,
  headers: Object.freeze({}),
  body: "edge-ingress: authentication required (checked by the Worker only)",
  error: "auth-required",
});

/** An HTTPRoute rule carries its action; an Ingress path or the defaultBackend is its pool. */
export function actionOf(runtime: Runtime, match: RouteMatch): RouteAction {
  return match.route?.action ?? match.route?.canary?.action ?? runtime.poolActions.get(match.pool) ?? poolAction(match.pool, "defaultBackend");
}

/** The canary's backend or the main one, as the canary rule decides for this request's headers and cookies. */
function canaryOrMain(action: RouteAction, headers: Headers, random: () => number): Backend | undefined {
  const canary = action.canary!;
  const decision = decideCanary(canary.rule, {
    header: (name) => headers.get(name),
    cookie: (name) => readCookie(headers.get("cookie"), name),
    random,
  });
  return decision.target === "canary" ? canary.backend : pickBackend(action, random);
}

function upstreamRequest(incoming: IncomingRequest, path: string, match: RouteMatch, random: () => number): FilterRequest {
  const { url } = incoming;
  const proto = url.protocol.slice(0, -1);
  const headers = new Headers(incoming.headers);
  const webSocket = isWebSocketUpgrade(headers);
  if (webSocket || needsHopByHopStrip(headers)) stripHopByHop(headers, webSocket);
  // The runtime can relay no 100 (Continue) to the client, so the origin
  // must not be asked for one; the edge answers the client's expectation.
  headers.delete("expect");
  setForwardingHeaders(headers, { clientIp: incoming.clientIp, proto, host: url.host, requestId: incoming.requestId });
  const route = match.route;
  return new UpstreamRequest(incoming, proto, path, headers, route?.pathType === "Prefix" && route.action !== undefined ? route.path : undefined, random);
}

/**
 * The request on its way to an origin, as filters see and change it. A
 * class: every request makes one with the same shape, and the client's
 * country and network stay getters on the prototype, passed on unread (only
 * an access list by country or network asks; see handlers/proxy.ts), where
 * an object literal would make two getter closures per request.
 */
class UpstreamRequest implements FilterRequest {
  readonly method: string;
  readonly hostname: string;
  readonly port: number;
  readonly clientPath: string;
  readonly search: string;
  upstreamHost: string | undefined = undefined;
  readonly clientHeaders: Headers;
  readonly mirrors: MirrorTarget[] = [];
  readonly clientIp: string | undefined;
  maxBodyBytes: number | undefined = undefined;
  errorBackend: ErrorBackendPlan | undefined = undefined;
  responseTimeoutMs: number | undefined = undefined;
  uploadIdleTimeoutMs: number | undefined = undefined;

  constructor(
    private readonly incoming: IncomingRequest,
    readonly scheme: string,
    public path: string,
    readonly headers: Headers,
    readonly matchedPrefix: string | undefined,
    readonly random: () => number,
  ) {
    const { url } = incoming;
    this.method = incoming.method;
    this.hostname = normalizeHost(url.host);
    this.port = requestPort(url);
    this.clientPath = url.pathname;
    this.search = url.search;
    this.clientHeaders = incoming.headers;
    this.clientIp = incoming.clientIp;
  }

  get country(): string | undefined {
    return this.incoming.country;
  }

  get asn(): number | undefined {
    return this.incoming.asn;
  }
}
