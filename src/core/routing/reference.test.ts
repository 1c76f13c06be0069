// Cross-checks the compiled table (hash maps of hosts and paths, sorted regexes)
// against a brute-force matcher written straight from the spec: a linear scan
// over every rule. 10,000 generated rules, with many collisions on purpose.
import { describe, expect, it } from "vitest";
import type { DefaultBackend, PathType, Route } from "../config/types";
import { compileRoutes, type HostMatch, type RouteMatch } from "./index";
import { explainRoute } from "./explain";
import { seededRandom } from "../../../test/support/seeded-random";


const random = seededRandom(1453);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const SEGMENTS = ["a", "b", "c", "ab", "ba", "", "x", "A", "a%20b"];
/** Requests also use elements no rule has, so some reach the defaultBackend. */
const REQUEST_SEGMENTS = [...SEGMENTS, "zz", "7"];
const REGEXES = ["/a/.*", "/a/b", "/(a|b)/c", "/ab?/x", "/b/a/.+", "/c/[0-9]+", "/A/B/C", "/x/", "/ba"];
const EXACT_HOSTS = Array.from({ length: 40 }, (_, i) => `h${i}.example`);
const WILDCARDS = ["*.example", ...Array.from({ length: 10 }, (_, i) => `*.w${i}.test`)];

function randomPath(minDepth: number, maxDepth: number, segments: readonly string[]): string {
  const depth = minDepth + Math.floor(random() * (maxDepth - minDepth + 1));
  const elements = Array.from({ length: depth }, () => pick(segments));
  // minDepth 1 asks for a path other than "/": an empty first element would give "/" again.
  if (minDepth > 0 && elements[0] === "") elements[0] = "a";
  const path = `/${elements.join("/")}`;
  return depth > 0 && random() < 0.3 ? `${path}/` : path;
}

function generateRoutes(count: number): Route[] {
  return Array.from({ length: count }, (_, i) => {
    const draw = random();
    const host = draw < 0.45 ? pick(EXACT_HOSTS) : draw < 0.75 ? pick(WILDCARDS) : undefined;
    const typeDraw = random();
    const pathType: PathType = typeDraw < 0.03 ? "ImplementationSpecific" : typeDraw < 0.5 ? "Exact" : "Prefix";
    // A "/" Prefix rule catches everything; only h0.example may have one, so
    // other host groups leave some requests to the defaultBackend.
    const minDepth = pathType === "Prefix" && host !== "h0.example" ? 1 : 0;
    const path = pathType === "ImplementationSpecific" ? pick(REGEXES) : randomPath(minDepth, 4, SEGMENTS);
    return { ...(host === undefined ? {} : { host }), path, pathType, pool: `p${i}`, source: `rules[${i}]` };
  });
}

function randomHost(): string {
  const draw = random();
  const host =
    draw < 0.4
      ? pick(EXACT_HOSTS)
      : draw < 0.6
        ? `q${Math.floor(random() * 5)}.${pick(WILDCARDS).slice(2)}`
        : draw < 0.7
          ? `a.b.${pick(WILDCARDS).slice(2)}`
          : draw < 0.8
            ? pick(WILDCARDS).slice(2)
            : draw < 0.9
              ? "nowhere.org"
              : "[::1]";
  const cased = random() < 0.3 ? host.toUpperCase() : host;
  return random() < 0.3 ? `${cased}:8080` : random() < 0.1 && !cased.startsWith("[") ? `${cased}.` : cased;
}

// ---- The reference: the spec, one rule at a time. ----

const TYPE_ORDER: Record<PathType, number> = { Exact: 0, Prefix: 1, ImplementationSpecific: 2, RegularExpression: 2 };

/** A rule with what the scan needs, in one object shape (V8 is slow on mixed shapes). */
interface Row {
  readonly route: Route;
  /** "" for a rule without host. */
  readonly host: string;
  readonly isWildcard: boolean;
  /** Prefix rules: the path's elements, its trailing slash ignored. */
  readonly elements: readonly string[] | null;
  readonly regex: RegExp | null;
}

function toRows(routes: readonly Route[]): Row[] {
  return routes.map((route) => {
    let elements: string[] | null = null;
    if (route.pathType === "Prefix") {
      const trimmed = route.path.endsWith("/") ? route.path.slice(0, -1) : route.path;
      elements = trimmed === "" ? [] : trimmed.split("/").slice(1);
    }
    return {
      route,
      host: route.host ?? "",
      isWildcard: route.host?.startsWith("*.") ?? false,
      elements,
      regex: route.pathType === "ImplementationSpecific" ? new RegExp(`^(?:${route.path})`, "i") : null,
    };
  });
}

function referenceHost(raw: string): string {
  const hostname = new URL(`http://${raw}`).hostname;
  return hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
}

/** "*.example" covers "x.example": exactly one non-empty label more. */
function wildcardCovers(pattern: string, host: string): boolean {
  const suffix = pattern.slice(1);
  if (!host.endsWith(suffix)) return false;
  const label = host.slice(0, host.length - suffix.length);
  return label.length > 0 && !label.includes(".");
}

function pathMatches(row: Row, path: string, requestElements: readonly string[]): boolean {
  if (row.regex !== null) return row.regex.test(path);
  if (row.elements === null) return row.route.path === path;
  const rule = row.elements;
  return rule.length <= requestElements.length && rule.every((e, i) => e === requestElements[i]);
}

function referenceMatch(rows: readonly Row[], defaultBackend: DefaultBackend, rawHost: string, path: string): RouteMatch {
  const host = referenceHost(rawHost);
  const inGroup: Record<HostMatch, (row: Row) => boolean> = {
    exact: (row) => row.host === host,
    wildcard: (row) => row.isWildcard && wildcardCovers(row.host, host),
    any: (row) => row.host === "",
  };
  const hostMatch: HostMatch = rows.some(inGroup.exact) ? "exact" : rows.some(inGroup.wildcard) ? "wildcard" : "any";
  const requestElements = path.split("/").slice(1);
  // A Prefix rule's trailing slash is ignored, in its length too.
  const specLength = (r: Route) => (r.pathType === "Prefix" && r.path !== "/" && r.path.endsWith("/") ? r.path.length - 1 : r.path.length);
  let best: Route | undefined;
  for (const row of rows) {
    if (!inGroup[hostMatch](row) || !pathMatches(row, path, requestElements)) continue;
    const r = row.route;
    // Scanning in declaration order, so only a strictly better rule replaces the best.
    if (
      best === undefined ||
      specLength(r) > specLength(best) ||
      (specLength(r) === specLength(best) && TYPE_ORDER[r.pathType] < TYPE_ORDER[best.pathType])
    ) {
      best = r;
    }
  }
  if (best === undefined) return { pool: defaultBackend.pool, hostMatch, decidedBy: "default-backend" };
  const decidedBy = best.pathType === "Exact" ? "exact-path" : best.pathType === "Prefix" ? "longest-prefix" : "regex";
  return { pool: best.pool, route: best, hostMatch, decidedBy };
}

describe("compiled table against a brute-force reference", () => {
  const routes = generateRoutes(10_000);
  const rows = toRows(routes);
  const defaultBackend: DefaultBackend = { pool: "default", source: "defaultBackend" };
  const table = compileRoutes(routes, defaultBackend);
  const requests = Array.from({ length: 3_000 }, () => {
    let path = randomPath(0, 6, REQUEST_SEGMENTS);
    if (random() < 0.1) path = path.replace("/", "//");
    if (random() < 0.1) path = `${path}/7`;
    return { host: randomHost(), path };
  });

  // Brute force over 10,000 rules takes a second or two; leave room on a busy machine.
  it("agrees on every sampled request", { timeout: 60_000 }, () => {
    const outcomes = new Set<string>();
    const disagreements: string[] = [];
    for (const { host, path } of requests) {
      const expected = referenceMatch(rows, defaultBackend, host, path);
      const got = table.match(host, path);
      const same =
        got !== undefined &&
        got.pool === expected.pool &&
        got.route === expected.route &&
        got.hostMatch === expected.hostMatch &&
        got.decidedBy === expected.decidedBy;
      if (!same) disagreements.push(`${host} ${path}: got ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
      outcomes.add(`${expected.hostMatch} ${expected.decidedBy}`);
    }
    expect(disagreements).toEqual([]);
    // The sample must exercise every host kind and every way of deciding.
    expect([...outcomes].sort()).toEqual(
      ["any", "exact", "wildcard"].flatMap((h) => ["default-backend", "exact-path", "longest-prefix", "regex"].map((d) => `${h} ${d}`)).sort(),
    );
  });

  it("explain lists exactly the rules the reference finds matching", { timeout: 60_000 }, () => {
    const disagreements: string[] = [];
    const byRoute = new Map(rows.map((row) => [row.route, row]));
    for (const { host, path } of requests.slice(0, 300)) {
      // explain and route() normalize the path ("//" merged); the reference gets the path they matched.
      const explanation = explainRoute(table, host, path);
      const routed = table.route(host, path);
      const matchPath = explanation.matchPath as string;
      if (!routed.ok || explanation.match !== routed.match) disagreements.push(`${host} ${path}: explain and route differ`);
      const requestElements = matchPath.split("/").slice(1);
      for (const { route, matched } of explanation.routes) {
        const row = byRoute.get(route) as Row;
        if (matched !== pathMatches(row, matchPath, requestElements)) disagreements.push(`${host} ${path}: ${route.source} matched=${matched}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});
