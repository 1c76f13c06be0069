// Session affinity at the edge: which affinity applies to a request (the
// rule path's, its canary's, else the pool's), a pick function that wraps
// the pool's policy with it, and the Set-Cookie it leaves for the response.
// The choice itself is pure (src/core/selection/affinity.ts).
import type { Backend } from "../core/action/action";
import type { Origin, Route } from "../core/config/types";
import type { PoolLane, Runtime } from "../core/runtime";
import type { AffinityContext, PoolAffinityPicker } from "../core/selection/affinity";
import type { Policy } from "../core/selection/policy";

export interface StickyPicker {
  pick(candidates: readonly Origin[]): Origin;
  /** The Set-Cookie of the last pick: a retry on another origin moves the session there. */
  readonly setCookie: string | undefined;
}

export interface StickyRequest {
  readonly headers: Headers;
  readonly clientIp: string | undefined;
  /** Did the client use https? (The Set-Cookie's Secure default.) */
  readonly https: boolean;
  readonly route: Route | undefined;
  readonly backend: Backend;
}

/** The policy alone when no affinity applies (no state, no allocation per pick). */
export function stickyPicker(runtime: Runtime, lane: PoolLane, request: StickyRequest): StickyPicker {
  const affinity = affinityOf(runtime, request.route, request.backend, lane);
  if (affinity === undefined) return new PolicyPicker(lane.policy);
  return new AffinityPicker(affinity, lane.policy, request.headers, request.clientIp, request.https, cookiePath(request.route));
}

/**
 * The pool's policy wrapped by an affinity. It is also the affinity's view of
 * the request (one object per request, not two), and what few picks ask
 * (the time, for a new session's Expires; the user agent, for a conditional
 * SameSite=None) are getters, read only then. A class, so no closure is made
 * per request.
 */
class AffinityPicker implements StickyPicker, AffinityContext {
  setCookie: string | undefined = undefined;

  constructor(
    private readonly affinity: PoolAffinityPicker,
    private readonly policy: Policy,
    readonly headers: Headers,
    readonly clientIp: string | undefined,
    readonly https: boolean,
    readonly locationPath: string,
  ) {}

  get nowMs(): number {
    return Date.now();
  }

  get userAgent(): string | null {
    return this.headers.get("user-agent");
  }

  pick(candidates: readonly Origin[]): Origin {
    const sticky = this.affinity.pick(this.policy, candidates, this);
    this.setCookie = sticky.setCookie;
    return sticky.origin;
  }
}

/** The pool's policy alone: a class, so no closure (and no kept function name) is made per request. */
class PolicyPicker implements StickyPicker {
  readonly setCookie = undefined;
  constructor(private readonly policy: Policy) {}
  pick(candidates: readonly Origin[]): Origin {
    return this.policy.pick(candidates);
  }
}

/** A rule path's own affinity (its canary's, when the canary was chosen), else the pool's. */
function affinityOf(runtime: Runtime, route: Route | undefined, backend: Backend, lane: PoolLane): PoolAffinityPicker | undefined {
  if (route !== undefined && runtime.routeAffinities.size > 0) {
    const onCanary = route.canary !== undefined && backend === route.canary.action.canary?.backend;
    const own = runtime.routeAffinities.get(onCanary ? `${route.source} canary` : route.source);
    if (own !== undefined) return own;
  }
  return lane.affinity;
}

/** The matched rule's path is the affinity cookie's default Path; a regular expression cannot be one. */
function cookiePath(route: Route | undefined): string {
  return route === undefined || route.pathType === "ImplementationSpecific" || route.pathType === "RegularExpression" ? "/" : route.path;
}

/** Adds the session cookie to the answer (the origin's own Set-Cookie fields stay). */
export function withSetCookie(response: Response, setCookie: string | undefined): Response {
  if (setCookie === undefined || response.status === 101) return response;
  const headers = new Headers(response.headers);
  headers.append("set-cookie", setCookie);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
