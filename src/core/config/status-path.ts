// The status page's reserved path prefix (`statusPath`): requests under it
// are answered by the router itself on every host, so a rule that sends paths
// inside it to a pool could never be reached. Such a rule is a validation
// error rather than a route that silently stops working.
import * as v from "valibot";
import { got } from "./messages";
import type { Problem, Route } from "./types";

/** Under /.well-known/ (RFC 8615), where sites do not serve their own pages. */
export const DEFAULT_STATUS_PATH = "/.well-known/edge-ingress/";

/**
 * RFC 3986's unreserved characters only: no "%" (the router matches paths
 * undecoded) and none of the sub-delimiters, which Hono's router would read
 * as patterns (":name", "*") when it serves the page under this prefix.
 */
const PATH = /^(\/[A-Za-z0-9._~-]+)+\/?$/;

export function statusPathProblem(raw: string): string | undefined {
  if (!PATH.test(raw)) return `must be a path of one or more segments such as "/.well-known/edge-ingress/" (letters, digits and "-._~"), got ${got(raw)}`;
  if (raw.split("/").some((segment) => segment === "." || segment === "..")) return `must not contain "." or ".." segments, got ${got(raw)}`;
  return undefined;
}

export const statusPathSchema = v.pipe(
  v.string((i) => `must be a path such as "/.well-known/edge-ingress/", got ${got(i.input)}`),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = statusPathProblem(dataset.value);
    if (problem) addIssue({ message: problem });
  }),
  v.description(
    'Path prefix where the Worker serves its own status page, on every host; rules may not route paths inside it. A trailing slash is added. Default "/.well-known/edge-ingress/".',
  ),
);

/** The prefix with exactly one trailing slash. */
export function normalizeStatusPath(raw: string): string {
  return raw.endsWith("/") ? raw : `${raw}/`;
}

/** True for the prefix itself (with or without its trailing slash) and every path below it. Case-sensitive, undecoded. */
export function isStatusRequest(path: string, statusPath: string): boolean {
  return path.startsWith(statusPath) || (path.length === statusPath.length - 1 && statusPath.startsWith(path));
}

/**
 * A problem for each route whose path lies inside the reserved prefix.
 * Rules that merely contain it (a `Prefix /` rule) are not problems: they
 * still serve everything else, and the reservation is documented.
 */
export function shadowedRouteProblems(routes: readonly Route[], statusPath: string): Problem[] {
  const problems: Problem[] = [];
  for (const route of routes) {
    if (!routeInsideStatusPath(route, statusPath)) continue;
    problems.push({
      path: `${route.source}.path`,
      message:
        `is inside ${got(statusPath)}, the prefix reserved for the status page (statusPath), so its requests would never reach pool ${got(route.pool)}; ` +
        `use another path or set statusPath elsewhere, got ${got(route.path)}`,
    });
  }
  return problems;
}

export function routeInsideStatusPath(route: Pick<Route, "path" | "pathType">, statusPath: string): boolean {
  const base = statusPath.slice(0, -1);
  if (route.pathType === "Exact") return isStatusRequest(route.path, statusPath);
  if (route.pathType === "Prefix") {
    const path = route.path.length > 1 ? route.path.replace(/\/+$/, "") : route.path;
    return path === base || path.startsWith(statusPath);
  }
  return regexTargets(route.path, base);
}

/**
 * Whether an anchored, case-insensitive regex (ImplementationSpecific, as
 * ingress-nginx's `location ~* "^<path>"`) starts with a literal run that
 * spells `base`. An unescaped "." counts as matching any character, so the
 * common sloppy spelling `/.well-known/edge-ingress` is caught too. Only
 * the leading literal run is read: a pattern that reaches the prefix through
 * alternation or classes is not detected.
 */
export function regexTargets(pattern: string, base: string): boolean {
  const tokens = leadingTokens(pattern);
  if (tokens.length < base.length) return false;
  for (let i = 0; i < base.length; i++) {
    const token = tokens[i]!;
    if (token !== ANY && token.toLowerCase() !== base[i]!.toLowerCase()) return false;
  }
  return true;
}

const ANY = Symbol("any");
const QUANTIFIERS = new Set(["?", "*", "+", "{"]);
const SPECIAL = new Set(["^", "$", "|", "(", ")", "[", "]", "}", ...QUANTIFIERS]);

function leadingTokens(pattern: string): (string | typeof ANY)[] {
  const tokens: (string | typeof ANY)[] = [];
  let i = pattern.startsWith("^") ? 1 : 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    let token: string | typeof ANY;
    let width = 1;
    if (c === "\\") {
      const next = pattern[i + 1];
      // An escaped letter or digit is a class (\d, \w, \s) or a back-reference: stop.
      if (next === undefined || /[A-Za-z0-9]/.test(next)) break;
      token = next;
      width = 2;
    } else if (c === ".") {
      token = ANY;
    } else if (SPECIAL.has(c)) {
      break;
    } else {
      token = c;
    }
    // A quantified token may match zero times: it is not part of the fixed run.
    if (QUANTIFIERS.has(pattern[i + width] ?? "")) break;
    tokens.push(token);
    i += width;
  }
  return tokens;
}
