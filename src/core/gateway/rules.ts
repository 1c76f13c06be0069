// One HTTPRoute rule -> its route action (filters compiled through the
// registry, weighted backends, timeouts, retry) and its matches (path and
// conditions). Every problem is reported with its path in the merged
// document (`httpRoutes[2].rules[0].filters[1].urlRewrite.path`).
import * as v from "valibot";
import type { Backend, RouteAction } from "../action/action";
import { sharedBackend, sharedBackendList, sharedFilterList } from "../action/shared-parts";
import { got, issuesToProblems } from "../config/messages";
import { remember } from "../config/recipes";
import type { MatchConditions, PathType, Problem, ValueCondition } from "../config/types";
import { referenceProblems } from "../filters/backend-ref";
import type { Filter } from "../filters/filter";
import type { FilterContext } from "../filters/module";
import { filterTypeProblem, filtersByType } from "../filters/registry";
import { checkFullMatchRegex, rulePathProblem } from "../routing";
import { inEvaluationOrder } from "../request/stages";
import { parseDurationMs } from "./duration";
import type { RawHttpRouteMatch, RawHttpRouteRule } from "./schema";

/** One match of a rule, ready to become a table Route once its host is known. */
export interface MatchTemplate {
  readonly path: string;
  readonly pathType: PathType;
  readonly conditions: MatchConditions;
  readonly source: string;
}

export interface CompiledRule {
  readonly action: RouteAction;
  readonly matches: readonly MatchTemplate[];
}

/** A backendRef naming no pool: its share answers 500, as the Gateway API requires. Reported as a warning. */
export interface InvalidBackend {
  readonly path: string;
  readonly message: string;
}

export interface RuleContext {
  readonly routeKey: string;
  readonly namespace: string;
  readonly pools: ReadonlySet<string>;
  readonly problems: Problem[];
  readonly invalidBackends: InvalidBackend[];
}

/** Default retry: one more try, after 25 ms (Envoy's base interval), when `retry` says nothing. */
const DEFAULT_RETRY_ATTEMPTS = 1;
const DEFAULT_BACKOFF_MS = 25;

export function compileRule(rule: RawHttpRouteRule, at: string, ruleIndex: number, ctx: RuleContext): CompiledRule {
  const rawMatches = rule.matches && rule.matches.length > 0 ? rule.matches : undefined;
  const matches = (rawMatches ?? [{}]).flatMap((m, i) => readMatch(m, rawMatches ? `${at}.matches[${i}]` : at, ctx.problems));
  const filterCtx: FilterContext = {
    pools: ctx.pools,
    matchPathTypes: (rawMatches ?? [{}]).map((m) => m.path?.type ?? "PathPrefix"),
    namespace: ctx.namespace,
    onBackendRef: false,
  };
  const filters = compileFilters(rule.filters ?? [], `${at}.filters`, filterCtx, ctx.problems);
  if (rule.sessionPersistence !== undefined) ctx.problems.push({ path: `${at}.sessionPersistence`, message: "sessionPersistence is not supported by edge-ingress" });
  const types = (rule.filters ?? []).map((f) => (f as { type?: unknown }).type);
  if (types.includes("RequestRedirect") && types.includes("URLRewrite")) {
    ctx.problems.push({ path: `${at}.filters`, message: "cannot hold both RequestRedirect and URLRewrite (Gateway API)" });
  }
  if (types.includes("RequestRedirect") && (rule.backendRefs?.length ?? 0) > 0) {
    ctx.problems.push({ path: `${at}.backendRefs`, message: "must be empty when the rule has a RequestRedirect filter (Gateway API): the redirect answers every request" });
  }
  const backends: Backend[] = (rule.backendRefs ?? []).map((ref, i) => {
    const path = `${at}.backendRefs[${i}]`;
    for (const p of referenceProblems(ref, ctx.namespace)) ctx.problems.push({ path: `${path}.${p.field}`, message: p.message });
    const known = ctx.pools.has(ref.name);
    if (!known) {
      ctx.invalidBackends.push({
        path: `${path}.name`,
        message: `no pool named ${got(ref.name)} (pools: ${[...ctx.pools].join(", ") || "none"}): its share of the rule's traffic answers 500, as the Gateway API requires`,
      });
    }
    const backendFilters = compileFilters(ref.filters ?? [], `${path}.filters`, { ...filterCtx, onBackendRef: true }, ctx.problems);
    return sharedBackend(ref.name, known ? ref.name : undefined, ref.weight ?? 1, backendFilters);
  });

  const requestMs = rule.timeouts?.request === undefined ? undefined : parseDurationMs(rule.timeouts.request);
  const backendMs = rule.timeouts?.backendRequest === undefined ? undefined : parseDurationMs(rule.timeouts.backendRequest);
  if (requestMs !== undefined && requestMs > 0 && backendMs !== undefined && (backendMs === 0 || backendMs > requestMs)) {
    ctx.problems.push({ path: `${at}.timeouts.backendRequest`, message: `must not be longer than timeouts.request (${rule.timeouts?.request}), got ${got(rule.timeouts?.backendRequest)}` });
  }
  const retry = rule.retry === undefined ? undefined : Object.freeze({
    codes: Object.freeze([...(rule.retry.codes ?? [])]),
    attempts: rule.retry.attempts ?? DEFAULT_RETRY_ATTEMPTS,
    backoffMs: rule.retry.backoff === undefined ? DEFAULT_BACKOFF_MS : (parseDurationMs(rule.retry.backoff) ?? DEFAULT_BACKOFF_MS),
  });
  const action: RouteAction = Object.freeze({
    rule: Object.freeze({ kind: "HTTPRoute" as const, name: ctx.routeKey, ruleIndex, ...(rule.name ? { ruleName: rule.name } : {}), source: at }),
    // Shared with every rule that has the same filters and backends (action/shared-parts.ts): the rule is its own.
    filters: sharedFilterList(filters),
    backends: sharedBackendList(backends),
    totalWeight: backends.reduce((sum, b) => sum + b.weight, 0),
    requestTimeoutMs: requestMs === 0 ? undefined : requestMs,
    backendTimeoutMs: backendMs,
    retry,
  });
  return { action, matches };
}

/** Compiles a list of filters through the registry (HTTPRoute rules and backendRefs, native and Ingress paths), in evaluation order (request/stages.ts). */
export function compileFilters(raw: readonly Record<string, unknown>[], at: string, ctx: FilterContext, problems: Problem[]): readonly Filter[] {
  const filters: Filter[] = [];
  const seen = new Set<string>();
  raw.forEach((value, i): void => {
    const path = `${at}[${i}]`;
    const typeProblem = filterTypeProblem(value.type as string);
    if (typeProblem) {
      problems.push({ path: `${path}.type`, message: typeProblem });
      return;
    }
    const module = filtersByType.get(value.type as string);
    if (module === undefined) return;
    if (ctx.onBackendRef && !module.onBackendRef) {
      problems.push({ path: `${path}.type`, message: `${module.type} is not supported on a backendRef: put it on the rule` });
      return;
    }
    if (!module.repeatable && seen.has(module.type)) {
      problems.push({ path: `${path}.type`, message: `${module.type} cannot be repeated in one list (Gateway API)` });
      return;
    }
    seen.add(module.type);
    let ok = true;
    for (const key of Object.keys(value)) {
      if (key === "type" || key === module.field) continue;
      ok = false;
      problems.push({
        path: `${path}.${key}`,
        message: filtersByType.has(typeOfField(key)) ? `must not be set for type ${module.type} (only ${module.field})` : "unknown field (check its spelling and indentation)",
      });
    }
    if (value[module.field] === undefined) {
      problems.push({ path: `${path}.${module.field}`, message: `is required for type ${module.type}` });
      return;
    }
    const parsed = v.safeParse(module.schema, value[module.field], { abortEarly: false });
    if (!parsed.success) {
      for (const p of issuesToProblems(parsed.issues)) problems.push({ path: `${path}.${module.field}${p.path === "(document)" ? "" : `.${p.path}`}`, message: p.message });
      return;
    }
    const checked = module.check?.(parsed.output, ctx) ?? [];
    for (const p of checked) problems.push({ path: `${path}.${module.field}${p.path.map((s) => (typeof s === "number" ? `[${s}]` : `.${s}`)).join("")}`, message: p.message });
    if (!ok || checked.length > 0) return;
    const { matchPathTypes, namespace, onBackendRef } = ctx;
    filters.push(remember(module.compile(parsed.output, ctx), { kind: "filter", type: module.type, raw: parsed.output, ctx: { matchPathTypes, namespace, onBackendRef } }));
  });
  return inEvaluationOrder(Object.freeze(filters));
}

/** "urlRewrite" -> "URLRewrite": which filter type a field belongs to, if any. */
function typeOfField(field: string): string {
  for (const [type, module] of filtersByType) if (module.field === field) return type;
  return "";
}

/** The Gateway API's CEL rules for Exact and PathPrefix values (HTTPPathMatch). */
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;
const INVALID_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F", "#"];

function readMatch(m: RawHttpRouteMatch, at: string, problems: Problem[]): MatchTemplate[] {
  const type = m.path?.type ?? "PathPrefix";
  const path = m.path?.value ?? "/";
  let ok = true;
  if (type === "RegularExpression") {
    const problem = checkFullMatchRegex(path);
    if (problem) {
      problems.push({ path: `${at}.path.value`, message: `${problem}, got ${got(path)}` });
      ok = false;
    }
  } else {
    const sequence = INVALID_SEQUENCES.find((s) => path.includes(s));
    const problem = !path.startsWith("/") ? 'must be an absolute path starting with "/"'
      : sequence ? `must not contain ${got(sequence)}`
      : path.endsWith("/..") || path.endsWith("/.") ? 'must not end with "/.." or "/."'
      : !PATH_CHARS.test(path) ? "must only contain path characters (letters, digits, -._~!$&'()*+,;=:@/ and %XX)"
      : rulePathProblem(path);
    if (problem) {
      problems.push({ path: `${at}.path.value`, message: `${problem} for type ${type}, got ${got(path)}` });
      ok = false;
    }
  }
  const headers = firstByName((m.headers ?? []).map((h) => ({ name: h.name.toLowerCase(), type: h.type ?? "Exact", value: h.value })), `${at}.headers`, problems);
  const queryParams = firstByName((m.queryParams ?? []).map((q) => ({ name: q.name, type: q.type ?? "Exact", value: q.value })), `${at}.queryParams`, problems);
  if (!ok) return [];
  return [{ path, pathType: type === "PathPrefix" ? "Prefix" : type, conditions: Object.freeze({ method: m.method, headers, queryParams }), source: at }];
}

/** Regexes are checked like paths; a name given twice is a mistake the spec would silently ignore: refuse it. */
function firstByName(list: ValueCondition[], at: string, problems: Problem[]): readonly ValueCondition[] {
  const seen = new Set<string>();
  list.forEach((c, i) => {
    if (seen.has(c.name)) problems.push({ path: `${at}[${i}].name`, message: `names ${got(c.name)} twice in one match (only the first would count)` });
    seen.add(c.name);
    if (c.type === "RegularExpression") {
      const problem = checkFullMatchRegex(c.value);
      if (problem) problems.push({ path: `${at}[${i}].value`, message: `${problem}, got ${got(c.value)}` });
    }
  });
  return Object.freeze(list);
}
