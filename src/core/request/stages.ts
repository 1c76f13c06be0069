// The fixed order of evaluation, in this one place: for every request a
// rule matches, the router runs
//   1. the HTTPS redirect (a plain-HTTP request to a host or route that
//      enforces HTTPS is redirected, and nothing else is looked at),
//   2. the access lists (client address, country, ASN: a denied request
//      gets 403 and never reaches an origin),
//   3. authentication,
//   4. every other filter, in the order written,
// whatever order a manifest lists them in. So a client is never asked for a
// password over plain HTTP, and a denied address never learns whether a
// password would have worked. Filters are put in this order once, when a
// rule is compiled; the request path only walks the list.
import type { Filter, FilterRequest, FilterStage, LocalAnswer } from "../filters/filter";

/** The stages in the order they run; filters without a stage come after them all. */
export const STAGE_ORDER: readonly FilterStage[] = Object.freeze(["https", "access", "auth"]);

const RANK: Readonly<Record<FilterStage, number>> = { https: 0, access: 1, auth: 2 };
const UNSTAGED = STAGE_ORDER.length;

function rank(filter: Filter): number {
  return filter.stage === undefined ? UNSTAGED : RANK[filter.stage];
}

/** The filters in evaluation order: staged ones first by stage, the rest as written (a stable sort). */
export function inEvaluationOrder(filters: readonly Filter[]): readonly Filter[] {
  if (filters.every((f) => f.stage === undefined)) return filters;
  return Object.freeze(filters.map((filter, index) => ({ filter, index })).sort((a, b) => rank(a.filter) - rank(b.filter) || a.index - b.index).map((x) => x.filter));
}

/**
 * Runs the request steps of a host's filters and a route's (each already in
 * evaluation order), stage by stage: the host's HTTPS redirect, then the
 * route's, the host's access lists, then the route's, and so on; then the
 * route's other filters. The first answer stops the chain.
 */
export function runStaged(host: readonly Filter[], route: readonly Filter[], request: FilterRequest): LocalAnswer | undefined {
  let h = 0;
  let r = 0;
  for (let stage = 0; stage <= UNSTAGED; stage++) {
    for (; h < host.length && rank(host[h]!) === stage; h++) {
      const answer = host[h]!.onRequest?.(request);
      if (answer !== undefined) return answer;
    }
    for (; r < route.length && rank(route[r]!) === stage; r++) {
      const answer = route[r]!.onRequest?.(request);
      if (answer !== undefined) return answer;
    }
  }
  return undefined;
}
