// explain: the same decision match() makes, told step by step for the CLI.
// It re-checks every rule of the chosen host group one by one (linear, fine
// off the request path) and names the precedence step that separated the
// winner from the runner-up.
import type { Route } from "../config/types";
import { normalizePath, type NormalizedPath } from "../http/path";
import { conditionsHold, describeConditions, PLAIN_GET, type RequestFacts } from "./conditions";
import { beats, type Entry, type HostGroup } from "./host-group";
import { normalizeHost, wildcardKey } from "./host";
import { routeMatchesPath, TYPE_RANK } from "./paths";
import { findHostGroup, type CompiledRoutes } from "./lookup";
import type { DecisionStep, ExplainedRoute, Explanation, RouteMatch, RouteTable } from "./types";

/**
 * Why table.route() answers what it does, for the CLI. A function beside the
 * table rather than a method of it, so the Worker's bundle leaves it out.
 */
export function explainRoute(table: RouteTable, host: string, pathname: string, request: RequestFacts = PLAIN_GET): Explanation {
  const normalized = normalizePath(pathname, table.pathNormalization);
  return explainMatch(table.compiled, host, pathname, normalized, request, normalized.ok ? table.match(host, normalized.matchPath, request) : undefined);
}

export function explainMatch(
  compiled: CompiledRoutes,
  hostHeader: string,
  path: string,
  normalized: NormalizedPath,
  request: RequestFacts,
  match: RouteMatch | undefined,
): Explanation {
  const host = normalizeHost(hostHeader);
  const group = findHostGroup(compiled, host, request);
  const entries = group?.entries ?? [];
  const matchPath = normalized.ok ? normalized.matchPath : undefined;
  const routes: ExplainedRoute[] = entries.map((e) =>
    Object.freeze({
      route: e.route,
      matched: matchPath !== undefined && routeMatchesPath(e.route, matchPath, e.regex) && (e.conditions === undefined || conditionsHold(e.conditions, request)),
      conditions: Object.freeze(describeConditions(e.route.conditions, request)),
      length: e.length,
    }),
  );
  const matched = entries.filter((_, i) => routes[i]?.matched);
  const { step, decision } = normalized.ok
    ? decide(matched, match, group !== undefined)
    : { step: "bad-path" as const, decision: `path refused: ${normalized.reason}` };
  const hostReason = describeHostChoice(compiled, host, group);

  const lines = [
    `host: ${JSON.stringify(hostHeader)} -> ${host || "(empty)"}`,
    hostReason,
    ...describePath(path, normalized),
    ...routes.flatMap((r) => [`  ${r.matched ? "match" : "  -  "}  ${describeRoute(r.route, r.length)}`, ...r.conditions.map((c) => `           ${c}`)]),
    `decided: ${decision}`,
    !normalized.ok
      ? "result: 400 (bad request path; no origin is contacted)"
      : match
        ? `result: ${match.route?.action ? `backends ${describeBackends(match.route)}` : `pool ${match.pool}`}`
        : "result: 404 (no rule matched and no defaultBackend)",
  ];
  return Object.freeze({
    hostHeader,
    host,
    path,
    ...(normalized.ok ? { matchPath: normalized.matchPath } : { refused: normalized.reason }),
    ...(group ? { hostGroup: Object.freeze({ kind: group.kind, pattern: group.pattern }) } : {}),
    hostReason,
    routes: Object.freeze(routes),
    match,
    step,
    decision,
    lines: Object.freeze(lines),
  });
}

/** "path: /x", or how normalization changed it and what the origin receives. */
function describePath(path: string, normalized: NormalizedPath): string[] {
  if (!normalized.ok) return [`path: ${path} (refused)`];
  const lines = [normalized.path === path ? `path: ${path}` : `path: ${path} -> ${normalized.path} (normalized; the origin receives ${normalized.path})`];
  if (normalized.matchPath !== normalized.path) lines.push(`matched as ${normalized.matchPath} (";" parameters are not matched)`);
  return lines;
}

function decide(
  matched: readonly Entry[],
  match: RouteMatch | undefined,
  hasGroup: boolean,
): { step: DecisionStep; decision: string } {
  const what = hasGroup ? "no path matched" : "no rule matched";
  if (match === undefined) return { step: "no-match", decision: `${what}; no defaultBackend, 404` };
  if (match.route === undefined) return { step: "default-backend", decision: `${what}; defaultBackend ${match.pool}` };
  const winner = matched.find((e) => e.result === match);
  let runnerUp: Entry | undefined;
  for (const e of matched) if (e !== winner && beats(e, runnerUp)) runnerUp = e;
  if (winner === undefined || runnerUp === undefined) {
    return { step: "only-match", decision: `only matching path: ${match.route.pathType} ${match.route.path} (${winner?.length ?? match.route.path.length})` };
  }
  const w = winner.route;
  const r = runnerUp.route;
  if (winner.exactFirst && winner.rank !== runnerUp.rank && winner.rank === TYPE_RANK.Exact) {
    return { step: "path-type", decision: `an Exact path beats every other match (Gateway API): ${w.path} over ${r.pathType} ${r.path}` };
  }
  if (winner.length !== runnerUp.length) {
    return { step: "longest-path", decision: `longest path: ${w.path} (${winner.length}) over ${r.path} (${runnerUp.length})` };
  }
  if (winner.rank !== runnerUp.rank) {
    return { step: "path-type", decision: `equal length ${winner.length}: ${w.pathType} beats ${r.pathType}` };
  }
  if (winner.methodScore !== runnerUp.methodScore) {
    return { step: "method", decision: `equal path: a method match (${w.conditions?.method}) beats none` };
  }
  if (winner.headerCount !== runnerUp.headerCount) {
    return { step: "header-count", decision: `equal path and method: ${winner.headerCount} header matches beat ${runnerUp.headerCount}` };
  }
  if (winner.queryCount !== runnerUp.queryCount) {
    return { step: "query-count", decision: `equal path, method and headers: ${winner.queryCount} query matches beat ${runnerUp.queryCount}` };
  }
  return {
    step: "first-declared",
    decision: `equal length ${winner.length}, both ${w.pathType}: first declared wins (${w.source} over ${r.source})`,
  };
}

function describeHostChoice(compiled: CompiledRoutes, host: string, group: HostGroup | undefined): string {
  if (group?.isolatedBy !== undefined) {
    return `host ${host} belongs to ${group.isolatedBy.listener}, the most specific listener for it, and no HTTPRoute attached to that listener serves it: routes attached to less specific listeners are not consulted (listener isolation)`;
  }
  if (group?.anyLabels) {
    return group.kind === "wildcard"
      ? `host ${host} matched HTTPRoute hostname ${group.pattern} (a Gateway API wildcard covers one or more labels)`
      : `host ${host || "(empty)"} matched HTTPRoute hostname ${group.pattern || "(any host)"}`;
  }
  const shown = host || "(empty)";
  const hostlessNote = compiled.hostless && group !== compiled.hostless ? "; rules without host are not consulted" : "";
  if (group === undefined) return `host ${shown} matched no host rule, and there are no rules without host`;
  if (group.kind === "any") return `host ${shown} matched no precise or wildcard host; the rules without host apply`;
  if (group.kind === "wildcard") {
    return `host ${shown} matched wildcard ${group.pattern}; precise hosts beat wildcards${hostlessNote}`;
  }
  const key = wildcardKey(host);
  const shadowed = key === undefined ? undefined : compiled.wildcardHosts.get(key);
  const wildcardNote = shadowed ? `; it beats wildcard ${shadowed.pattern}, which also matches` : "";
  return `host ${shown} matched precise host ${group.pattern}${wildcardNote}${hostlessNote}`;
}

/** `length` is the one precedence compares (a Prefix path counts without its trailing slash). */
function describeRoute(route: Route, length: number): string {
  const target = route.action === undefined ? route.pool : describeBackends(route);
  return `${route.pathType} ${route.path} (${length}) -> ${target}  [${route.source}]`;
}

function describeBackends(route: Route): string {
  const action = route.action;
  if (action === undefined || action.backends.length === 0) return "(no backend)";
  if (action.backends.length === 1) return action.backends[0]?.name ?? "";
  return action.backends.map((b) => `${b.name} (weight ${b.weight})`).join(", ");
}
