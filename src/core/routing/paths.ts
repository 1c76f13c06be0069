// Path rule semantics shared by the compiled table, explain, identity and the
// diagnostics, so all of them read a rule the same way. Source: Kubernetes
// networking.k8s.io/v1 Ingress, "Path types" and "Multiple matches"
// (https://kubernetes.io/docs/concepts/services-networking/ingress/#path-types).
import type { PathType, Route } from "../config/types";
import { normalizePath, type PathNormalization } from "../http/path";
import { compileFullMatchRegex, compileRegexPath, type PathRegex } from "./regex";

const SLASH = 0x2f;

/**
 * On equal length, Exact beats Prefix (spec: "Exact path types will be
 * preferred over prefix path types"), and a regex (ImplementationSpecific, as
 * ingress-nginx's use-regex) comes last. Lower ranks win.
 */
export const TYPE_RANK: Readonly<Record<PathType, number>> = Object.freeze({
  Exact: 0,
  Prefix: 1,
  ImplementationSpecific: 2,
  RegularExpression: 2,
});

/**
 * The length precedence compares the path a rule matches: for Prefix without
 * the trailing slash the spec says to ignore ("/foo/" counts 4, so Exact
 * "/foo" still beats it on "/foo"; "/" counts 1), for Exact the path, and
 * for a regex the pattern's length, which is how ingress-nginx sorts its
 * locations.
 */
export function precedenceLength(route: Route): number {
  if (route.pathType === "ImplementationSpecific" || route.pathType === "RegularExpression") return route.path.length;
  const path = rulePath(route.path);
  return route.pathType === "Prefix" && path.length > 1 && path.charCodeAt(path.length - 1) === SLASH ? path.length - 1 : path.length;
}

/**
 * Exact and Prefix paths are compared with request paths in the one spelling
 * normalizePath gives both: "/%61dmin" is "/admin", "/caf%c3%a9" is
 * "/caf%C3%A9". Nothing else changes: Kubernetes already refuses "//", dot
 * segments and "%2F" in these paths, and the parser refuses what
 * rulePathProblem names.
 */
const RULE_SPELLING: PathNormalization = Object.freeze({ escapedSlashes: "keep", mergeSlashes: false });

export function rulePath(path: string): string {
  const normalized = normalizePath(path, RULE_SPELLING);
  return normalized.ok ? normalized.path : path;
}

/** Why an Exact or Prefix path can never be compared with a normalized request path, or undefined. */
export function rulePathProblem(path: string): string | undefined {
  const normalized = normalizePath(path, RULE_SPELLING);
  if (!normalized.ok) return `must be a valid path: ${normalized.reason}`;
  if (normalized.matchPath !== normalized.path) {
    return 'must not contain ";" (or %3B): requests are matched with their ";parameters" removed, so this rule could never match';
  }
  return undefined;
}

/**
 * A Prefix path with its trailing slash ignored (spec table: "/foo/" matches
 * "/foo"): the one trailing "/" is dropped, so "/" becomes "" (the empty
 * element list, which matches everything) and "/foo/" becomes "/foo".
 */
export function prefixKey(path: string): string {
  return path.charCodeAt(path.length - 1) === SLASH ? path.slice(0, -1) : path;
}

/** The path elements of a prefix key: "" -> [], "/aaa/bbb" -> ["aaa", "bbb"]. */
export function prefixElements(key: string): string[] {
  return key === "" ? [] : key.slice(1).split("/");
}

/**
 * Element-wise prefix match of a request path against a prefix key: every
 * element of the key equals the request's element at the same place, so
 * "/foo" matches "/foo", "/foo/" and "/foo/bar" but never "/foobar". With
 * mergeSlashes off, "/foo//bar" has an empty element and is not matched by
 * "/foo/bar".
 */
export function prefixMatches(key: string, path: string): boolean {
  if (key === "") return true;
  if (!path.startsWith(key)) return false;
  return path.length === key.length || path.charCodeAt(key.length) === SLASH;
}

/** Does this one rule match the (normalized, matched) request path? Linear, for explain and diagnostics only. */
export function routeMatchesPath(route: Route, path: string, regex?: PathRegex): boolean {
  switch (route.pathType) {
    case "Exact":
      return path === rulePath(route.path);
    case "Prefix":
      return prefixMatches(prefixKey(rulePath(route.path)), path);
    case "ImplementationSpecific":
      return (regex ?? compileRegexPath(route.path)).test(path);
    case "RegularExpression":
      return (regex ?? compileFullMatchRegex(route.path)).test(path);
  }
}
