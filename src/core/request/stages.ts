// The fixed order of evaluation, in this one place: for every request a
// rule matches, the router runs
//   1. the HTTPS redirect (a plain-HTTP request to a host or route that
//      enforces HTTPS is redirected, and nothing else is looked at),
//   2. the access lists (client address, country, ASN: a denied request
//      gets 403 and never reaches an origin),
//   3. the answer to a CORS preflight (NginxCORS and the Gateway API's
//      CORS): browsers send a preflight without credentials, and
//      ingress-nginx answers it before authentication (its `return 204`
//      runs in nginx's rewrite phase, auth in the access phase); the answer
//      reveals no data and asks no origin,
//   4. authentication,
//   5. every other filter, in the order written,
// whatever order a manifest lists them in. So a client is never asked for a
// password over plain HTTP, and a denied address never learns whether a
// password would have worked. Filters are put in this order once, when a
// rule is compiled; the request path only walks the list.
import type { Filter, FilterRequest, FilterStage, LocalAnswer } from "../filters/filter";

/** The stages in the order they run; filters without a stage come after them all. */
export const STAGE_ORDER: readonly FilterStage[] = Object.freeze(["https", "access", "preflight", "auth"]);

const RANK: Readonly<Record<FilterStage, number>> = { https: 0, access: 1, preflight: 2, auth: 3 };
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
 * Where the request steps stopped at an asynchronous one (authentication:
 * filter.ts, onRequestAsync): the caller awaits `filter`, then resumes the
 * chain from this position with runStaged.
 */
export interface Paused extends Position {
  readonly paused: Filter;
}

/** The next host filter, route filter and stage to run. */
interface Position {
  readonly host: number;
  readonly route: number;
  readonly stage: number;
}

const START: Position = Object.freeze({ host: 0, route: 0, stage: 0 });

/**
 * Runs the request steps of a host's filters and a route's (each already in
 * evaluation order), stage by stage: the host's HTTPS redirect, then the
 * route's, the host's access lists, then the route's, and so on; then the
 * route's other filters. The first answer stops the chain; an asynchronous
 * step pauses it (nothing is awaited here, so a chain of synchronous filters
 * never makes a promise). `from` resumes after a pause.
 */
export function runStaged(host: readonly Filter[], route: readonly Filter[], request: FilterRequest, from: Position = START): LocalAnswer | Paused | undefined {
  let h = from.host;
  let r = from.route;
  for (let stage = from.stage; stage <= UNSTAGED; stage++) {
    for (; h < host.length && rank(host[h]!) === stage; h++) {
      const filter = host[h]!;
      if (filter.onRequestAsync !== undefined) return { paused: filter, host: h + 1, route: r, stage };
      const answer = filter.onRequest?.(request);
      if (answer !== undefined) return answer;
    }
    for (; r < route.length && rank(route[r]!) === stage; r++) {
      const filter = route[r]!;
      if (filter.onRequestAsync !== undefined) return { paused: filter, host: h, route: r + 1, stage };
      const answer = filter.onRequest?.(request);
      if (answer !== undefined) return answer;
    }
  }
  return undefined;
}

/** The route's filters alone (a host without policies: most hosts), as runStaged would run them. */
export function runRoute(route: readonly Filter[], request: FilterRequest): LocalAnswer | Paused | undefined {
  for (let r = 0; r < route.length; r++) {
    const filter = route[r]!;
    if (filter.onRequestAsync !== undefined) return { paused: filter, host: 0, route: r + 1, stage: rank(filter) };
    const answer = filter.onRequest?.(request);
    if (answer !== undefined) return answer;
  }
  return undefined;
}

export function isPaused(step: LocalAnswer | Paused): step is Paused {
  return "paused" in step;
}
