// The route action: what a matched rule does with a request. Every model
// compiles into it: an Ingress path (one pool, no filters, the pool's
// timeout, the default retry), a native rule, an HTTPRoute rule. Matching
// decides which action; the action decides what happens (filters), where
// (weighted backends), and how long and how often (timeouts, retry), as
// Envoy's route action and the Gateway API's HTTPRouteRule separate them.
import { remember } from "../config/recipes";
import type { Filter } from "../filters/filter";
import type { CanaryRule } from "../policy/canary";
import { NO_FILTERS, poolBackends, sharedFilterList } from "./shared-parts";

/** Where the rule was written, for explain, logs and errors. */
export interface RuleRef {
  /** "Ingress" for Ingress and native rules, "HTTPRoute" for HTTPRoute rules. */
  readonly kind: "Ingress" | "HTTPRoute";
  /** `namespace/name` of the HTTPRoute; the Ingress name; "" for a native rule. */
  readonly name: string;
  /** The rule's position in its route (HTTPRoute rules[i]). */
  readonly ruleIndex: number;
  /** HTTPRoute rules[].name, if given. */
  readonly ruleName?: string;
  /** The merged-document path of the rule, e.g. `httpRoutes[2].rules[0]` (the CLI maps it back to file and line). */
  readonly source: string;
}

export interface Backend {
  /** The name written in the backendRef. */
  readonly name: string;
  /** The pool that serves it; undefined when the reference is invalid (no such pool): its share answers 500. */
  readonly pool: string | undefined;
  /** Relative share, 0 to 1,000,000; 0 never receives traffic. */
  readonly weight: number;
  /** Filters of this backendRef, run after the rule's when this backend is chosen. */
  readonly filters: readonly Filter[];
}

/** HTTPRoute `retry`: retry on these statuses and on connection failures, up to `attempts` more times. */
export interface RetryPolicy {
  readonly codes: readonly number[];
  /** Retries after the first try; 0 disables retries. */
  readonly attempts: number;
  /** Base wait before a retry, doubled each time (capped, see retry.ts). */
  readonly backoffMs: number;
}

export interface RouteAction {
  readonly rule: RuleRef;
  /** Filters of the rule, in the order written. */
  readonly filters: readonly Filter[];
  /** Empty when the rule names no backend: then a filter must answer, or the router answers 500. */
  readonly backends: readonly Backend[];
  /** Sum of the backends' weights. */
  readonly totalWeight: number;
  /** Deadline for the whole exchange up to the response headers, every retry included; undefined: none. */
  readonly requestTimeoutMs: number | undefined;
  /** Deadline for one try's response headers; undefined: the pool's timeoutMs; 0: none. */
  readonly backendTimeoutMs: number | undefined;
  /** undefined: the default (one retry of a connection failure, on another origin, for safe requests). */
  readonly retry: RetryPolicy | undefined;
  /**
   * A canary (ingress-nginx canary Ingress, or a native rule's `canary`):
   * an alternative to `backends`, chosen per request by the rule (header,
   * then cookie, then weight; policy/canary.ts).
   */
  readonly canary?: CanarySplit;
}

export interface CanarySplit {
  readonly rule: CanaryRule;
  readonly backend: Backend;
}

/** The action of an Ingress path or a defaultBackend: one pool, and the path's filters (from annotations or native `filters`). */
export function poolAction(pool: string, source: string, name = "", filters: readonly Filter[] = []): RouteAction {
  return remember(freezePoolAction(pool, source, name, filters), { kind: "poolAction", pool, source, name, filters });
}

/** Its own rule; its filters and backends shared with every path that has the same (shared-parts.ts). */
function freezePoolAction(pool: string, source: string, name: string, filters: readonly Filter[]): RouteAction {
  return Object.freeze({
    rule: Object.freeze({ kind: "Ingress" as const, name, ruleIndex: 0, source }),
    filters: sharedFilterList(filters),
    backends: poolBackends(pool),
    totalWeight: 1,
    requestTimeoutMs: undefined,
    backendTimeoutMs: undefined,
    retry: undefined,
  });
}

/** An Ingress or native path with a canary: the main pool, and the canary pool as the alternative. */
export function canaryAction(pool: string, canaryPool: string, rule: CanaryRule, source: string): RouteAction {
  const action = Object.freeze({
    ...freezePoolAction(pool, source, "", []),
    // The canary's backend is its own object, never poolBackends(): sticky.ts tells it from the main one by identity.
    canary: Object.freeze({ rule, backend: Object.freeze({ name: canaryPool, pool: canaryPool, weight: 1, filters: NO_FILTERS }) }),
  });
  return remember(action, { kind: "canaryAction", pool, canaryPool, rule, source });
}

/**
 * Picks a backend by weight. `random` is uniform in [0, 1). Undefined when
 * the action has no backend or every weight is 0 (the caller answers 500).
 * A backend of weight 0 never receives traffic, even alone: the Gateway API
 * guide says a lone backend gets everything whatever its weight, but the
 * field doc (which we follow) says weight 0 forwards nothing.
 */
export function pickBackend(action: RouteAction, random: () => number): Backend | undefined {
  const { backends, totalWeight } = action;
  if (totalWeight <= 0) return undefined;
  if (backends.length === 1) return backends[0];
  let ticket = random() * totalWeight;
  for (const backend of backends) {
    if (backend.weight === 0) continue;
    ticket -= backend.weight;
    if (ticket < 0) return backend;
  }
  // Floating-point rounding can leave a tiny remainder: the last weighted one.
  for (let i = backends.length - 1; i >= 0; i--) if ((backends[i] as Backend).weight > 0) return backends[i];
  return undefined;
}
