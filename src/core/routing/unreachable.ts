// Rules that can never win, for CLI warnings. A request path reaches the
// router as the WHATWG URL parser left it (new URL(request.url).pathname):
// without query or fragment, with dot segments removed, "\" turned into "/"
// and some characters always percent-encoded. An Exact or Prefix path that
// needs any of those can never match. Regexes are not second-guessed.
import type { Route } from "../config/types";
import { precedenceLength } from "./paths";
import { routeIdentity } from "./identity";

export interface UnreachableRoute {
  readonly route: Route;
  readonly reason: string;
}

/**
 * The URL path percent-encode set as workerd's URL parser applies it (the
 * WHATWG URL standard's current one): C0 controls, space, " < > ^ ` { } and
 * DEL; plus every non-ASCII character. "^" joined the set lately: older URL
 * parsers (Node before 24) leave it, workerd encodes it
 * (test/path-normalization.test.ts; the CLI's simulations parse as workerd
 * does, src/core/http/path.ts parseAsWorkerd).
 */
const ALWAYS_ENCODED = /[\u0000-\u0020"<>^`{}\u007f-\u{10ffff}]/u;
/** "." and ".." in any spelling the URL parser removes (it decodes %2e for this). */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

export function findUnreachableRoutes(routes: readonly Route[]): UnreachableRoute[] {
  const found: UnreachableRoute[] = [];
  // Among rules with one identity the first declared wins (their precedence
  // lengths are equal); the others never do.
  const winners = new Map<string, Route>();
  for (const route of routes) {
    const id = routeIdentity(route);
    const current = winners.get(id);
    if (current === undefined || precedenceLength(route) > precedenceLength(current)) winners.set(id, route);
  }
  for (const route of routes) {
    const winner = winners.get(routeIdentity(route));
    if (winner !== undefined && winner !== route) {
      found.push({
        route,
        reason: `same host, pathType and path as ${winner.source} (pool ${winner.pool}), which always wins over it`,
      });
      continue;
    }
    const reason = route.pathType === "ImplementationSpecific" ? undefined : pathProblem(route.path);
    if (reason !== undefined) found.push({ route, reason });
  }
  return found;
}

function pathProblem(path: string): string | undefined {
  if (path.includes("?")) return `the path contains "?", which starts the query: a request path never contains it`;
  if (path.includes("#")) return `the path contains "#", which starts the fragment: a request path never contains it`;
  if (path.includes("\\")) return `the path contains "\\", which the URL parser turns into "/"`;
  const encoded = ALWAYS_ENCODED.exec(path);
  if (encoded) {
    const char = encoded[0];
    const bytes = [...new TextEncoder().encode(char)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");
    return `the path contains ${JSON.stringify(char)}, which a request path always carries percent-encoded (write ${bytes})`;
  }
  const dot = path.split("/").find((element) => DOT_SEGMENT.test(element));
  if (dot !== undefined) return `the path contains the dot segment "${dot}", which the URL parser removes from every request path`;
  return undefined;
}
