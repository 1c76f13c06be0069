// Filters on an Ingress-style path (native `rules[].http.paths[].filters`,
// and what the Ingress auth annotations become): the authentication filters
// only, compiled through the filter registry as on an HTTPRoute rule. The
// path's action is then its pool with those filters in front.
import { poolAction, type RouteAction } from "../action/action";
import { compileFilters } from "../gateway/rules";
import { got } from "./messages";
import type { PathType, Problem } from "./types";

/** Filter types an Ingress-style path may carry; the others belong on an HTTPRoute rule. */
export const PATH_FILTER_TYPES: ReadonlySet<string> = new Set(["BasicAuth", "ExternalAuth"]);

export function pathAction(
  raw: readonly Record<string, unknown>[],
  pool: string,
  pathType: PathType,
  source: string,
  pools: ReadonlySet<string>,
  problems: Problem[],
): RouteAction | undefined {
  const at = `${source}.filters`;
  const allowed: Record<string, unknown>[] = [];
  raw.forEach((filter, i) => {
    if (PATH_FILTER_TYPES.has(String(filter.type))) allowed.push(filter);
    else problems.push({ path: `${at}[${i}].type`, message: `must be ${[...PATH_FILTER_TYPES].join(" or ")} on an Ingress-style path (put other filters on an HTTPRoute rule), got ${got(filter.type)}` });
  });
  if (allowed.length !== raw.length) return undefined;
  const before = problems.length;
  const matchPathTypes = [pathType === "Prefix" ? "PathPrefix" : pathType === "ImplementationSpecific" ? "RegularExpression" : pathType];
  const filters = compileFilters(allowed, at, { pools, matchPathTypes, namespace: "default", onBackendRef: false }, problems);
  if (problems.length !== before || filters.length === 0) return undefined;
  const plain = poolAction(pool, source);
  return Object.freeze({ ...plain, filters });
}
