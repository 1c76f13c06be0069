// The semantic identity of a rule: two rules with the same identity match
// exactly the same requests, so sending them to two pools is a contradiction
// the config validator rejects.
import type { Route } from "../config/types";
import { prefixKey, rulePath } from "./paths";

/**
 * host + pathType + normalized path ("/%61dmin" is "/admin", as requests
 * are matched). A Prefix path loses its trailing slash
 * ("/foo/" is "/foo"; "/" stays "/"). A Prefix path ending in "//" keeps its
 * last empty element ("/foo//" is not "/foo/" nor "/foo"), so the identity is
 * exact even for paths the Kubernetes API server would refuse.
 */
export function routeIdentity(route: Route): string {
  return `${route.host ?? ""} ${route.pathType} ${identityPath(route)}`;
}

function identityPath(route: Route): string {
  if (route.pathType === "ImplementationSpecific" || route.pathType === "RegularExpression") return route.path;
  if (route.pathType === "Exact") return rulePath(route.path);
  const key = prefixKey(rulePath(route.path));
  if (key === "") return "/";
  return key.endsWith("/") ? `${key}/` : key;
}
