// Path rule semantics shared by the compiled table, explain, identity and the
// diagnostics, so all of them read a rule the same way. Source: Kubernetes
// networking.k8s.io/v1 Ingress, "Path types" and "Multiple matches"
// (https://kubernetes.io/docs/concepts/services-networking/ingress/#path-types).
import type { PathType, Route } from "../config/types";

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
  const { path } = route;
  return route.pathType === "Prefix" && path.length > 1 && path.charCodeAt(path.length - 1) === SLASH ? path.length - 1 : path.length;
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
 * "/foo" matches "/foo", "/foo/" and "/foo/bar" but never "/foobar". The path
 * is compared as it arrived: "/foo//bar" has an empty element and is not
 * matched by "/foo/bar".
 */
export function prefixMatches(key: string, path: string): boolean {
  if (key === "") return true;
  if (!path.startsWith(key)) return false;
  return path.length === key.length || path.charCodeAt(key.length) === SLASH;
}

/** Anchored at the start and case-insensitive, as ingress-nginx's `location ~* "^<path>"`. */
export function compileRegexPath(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})`, "i");
}

/**
 * A Gateway API RegularExpression (path, header or query value): the whole
 * value must match, case-sensitively, as Envoy-based implementations do.
 */
export function compileFullMatchRegex(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

/** Does this one rule match the request path? Linear, for explain and diagnostics only. */
export function routeMatchesPath(route: Route, path: string, regex?: RegExp): boolean {
  switch (route.pathType) {
    case "Exact":
      return path === route.path;
    case "Prefix":
      return prefixMatches(prefixKey(route.path), path);
    case "ImplementationSpecific":
      return (regex ?? compileRegexPath(route.path)).test(path);
    case "RegularExpression":
      return (regex ?? compileFullMatchRegex(route.path)).test(path);
  }
}
