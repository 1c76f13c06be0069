// The filters of a native (or merged Ingress) path: compiled through the
// filter registry as an HTTPRoute rule's are, into the action of that path
// (its one pool plus the filters). A path without filters keeps no action:
// it is served by the pool's shared action, as before.
import { poolAction, type RouteAction } from "../action/action";
import { compileFilters } from "../gateway/rules";
import type { FilterContext } from "../filters/module";
import type { Problem } from "./types";

/** How the filters' checks see an Ingress path type (ReplacePrefixMatch needs a prefix). */
const GATEWAY_PATH_TYPE: Readonly<Record<string, string>> = { Prefix: "PathPrefix", Exact: "Exact", ImplementationSpecific: "RegularExpression" };

export function pathFilters(
  p: { readonly pathType: string; readonly filters?: readonly Record<string, unknown>[] | undefined },
  pool: string | undefined,
  source: string,
  pools: ReadonlySet<string>,
  problems: Problem[],
): RouteAction | undefined {
  if (p.filters === undefined || p.filters.length === 0) return undefined;
  const ctx: FilterContext = { pools, matchPathTypes: [GATEWAY_PATH_TYPE[p.pathType] ?? p.pathType], namespace: "default", onBackendRef: false };
  const filters = compileFilters(p.filters, `${source}.filters`, ctx, problems);
  return pool === undefined ? undefined : poolAction(pool, source, "", filters);
}
