// Canary routing as ingress-nginx's canary annotations (docs/user-guide/
// nginx-configuration/annotations.md "Canary"; the decision is
// route_to_alternative_balancer in rootfs/etc/nginx/lua/balancer.lua):
//   0. (affinity-canary-behavior sticky) a request already affinitized to
//      the main or the canary backend stays there;
//   1. header canary-by-header, when the request has it:
//      - with canary-by-header-value: equal (exact, case-sensitive) -> canary;
//      - else with canary-by-header-pattern: matches (anywhere, like
//        ngx.re.match; anchor it with ^...$) -> canary;
//      - else "always" -> canary, "never" -> main;
//      any other value falls through to the next rule;
//   2. cookie canary-by-cookie: "always" -> canary, "never" -> main, else falls through;
//   3. weight: canary when a uniform integer draw in 1..weight-total is <=
//      canary-weight (weight 0 never, weight >= total always).
// Compile the annotations once with compileCanary (canary-config.ts); decide per request here.
import type { CompiledPattern } from "../routing/pattern";

export type CanaryTarget = "canary" | "main";

export interface CanaryRule {
  /** canary-by-header: header name, matched case-insensitively by the request view. */
  readonly header?: string;
  /** canary-by-header-value: exact value sending to the canary; when set, the pattern is not used. */
  readonly headerValue?: string;
  /** canary-by-header-pattern, compiled. */
  readonly headerPattern?: CompiledPattern;
  /** canary-by-cookie: cookie name. */
  readonly cookie?: string;
  /** canary-weight, 0..weightTotal. Default 0. */
  readonly weight: number;
  /** canary-weight-total; default 100. */
  readonly weightTotal: number;
}

export interface CanaryRequest {
  /** A request header's value (Headers.get), or null. */
  header(name: string): string | null | undefined;
  /** A request cookie's value (readCookie), or undefined. */
  cookie(name: string): string | undefined;
  /** Uniform in [0, 1), injected. Drawn only when the weight decides. */
  readonly random: () => number;
  /** Which side the request's affinity cookie already names, if any (sticky canary behaviour). */
  readonly affinitized?: CanaryTarget;
}

export interface CanaryDecision {
  readonly target: CanaryTarget;
  readonly decidedBy: "affinity" | "header" | "cookie" | "weight";
}

/** Canary or main for one request. Never throws: a failing lookup counts as absent. */
export function decideCanary(rule: CanaryRule, request: CanaryRequest): CanaryDecision {
  if (request.affinitized === "canary" || request.affinitized === "main") return { target: request.affinitized, decidedBy: "affinity" };
  if (rule.header !== undefined) {
    const value = safely(() => request.header(rule.header!));
    if (typeof value === "string") {
      if (rule.headerValue !== undefined) {
        if (value === rule.headerValue) return { target: "canary", decidedBy: "header" };
      } else if (rule.headerPattern !== undefined) {
        if (rule.headerPattern.test(value)) return { target: "canary", decidedBy: "header" };
      } else if (value === "always") return { target: "canary", decidedBy: "header" };
      else if (value === "never") return { target: "main", decidedBy: "header" };
    }
  }
  if (rule.cookie !== undefined) {
    const value = safely(() => request.cookie(rule.cookie!));
    if (value === "always") return { target: "canary", decidedBy: "cookie" };
    if (value === "never") return { target: "main", decidedBy: "cookie" };
  }
  return { target: weightDraw(rule, request.random) <= rule.weight ? "canary" : "main", decidedBy: "weight" };
}

/** math.random(total) in Lua: a uniform integer in 1..total. Skipped (returns Infinity) when the weight is 0, so no draw is wasted. */
function weightDraw(rule: CanaryRule, random: () => number): number {
  if (rule.weight <= 0) return Number.POSITIVE_INFINITY;
  const total = Math.max(1, rule.weightTotal);
  const r = safely(random);
  const unit = typeof r === "number" && r >= 0 && r < 1 ? r : 0.999_999_999;
  return Math.floor(unit * total) + 1;
}

function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
