// Routing: compile Ingress rules once, then match (host, path) to a pool with
// networking.k8s.io/v1 Ingress semantics.
export { compileRoutes } from "./table";
export { normalizeHost } from "./host";
export { routeIdentity } from "./identity";
export { rulePathProblem } from "./paths";
export {
  checkRegex,
  checkFullMatchRegex,
  checkRegexPath,
  compileRegex,
  type CompiledRegex,
  MAX_REGEX_CHARS,
  MAX_REGEX_PATH_CHARS,
  MAX_REGEX_PROGRAM_SIZE,
  RegexError,
  type RegexOptions,
} from "./regex";
export { findUnreachableRoutes, type UnreachableRoute } from "./unreachable";
export type { DecidedBy, DecisionStep, ExplainedRoute, Explanation, HostMatch, RouteMatch, Routed, RouteTable } from "./types";
