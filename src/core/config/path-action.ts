// The action of an Ingress or native path that carries filters (written in
// a native document, or made from an Ingress's annotations): its pool, and
// the filters compiled through the same registry as an HTTPRoute rule's.
import { poolAction, type RouteAction } from "../action/action";
import { compileFilters } from "../gateway/rules";
import type { PathType, Problem } from "./types";

const MATCH_TYPE: Readonly<Record<string, string>> = { Prefix: "PathPrefix", Exact: "Exact", ImplementationSpecific: "RegularExpression" };

export function pathAction(
  raw: readonly Record<string, unknown>[],
  pathType: PathType,
  pool: string,
  source: string,
  pools: ReadonlySet<string>,
  problems: Problem[],
): RouteAction | undefined {
  if (raw.length === 0) return undefined;
  const ctx = { pools, matchPathTypes: [MATCH_TYPE[pathType] ?? "PathPrefix"], namespace: "default", onBackendRef: false };
  const filters = compileFilters(raw, `${source}.filters`, ctx, problems);
  return Object.freeze({ ...poolAction(pool, source), filters });
}
