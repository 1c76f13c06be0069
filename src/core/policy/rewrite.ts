// ingress-nginx's rewrite annotations as pure functions
// (docs/user-guide/nginx-configuration/annotations.md "Rewrite" and
// "X-Forwarded-Prefix Header"; docs/examples/rewrite; the template's
// buildProxyPass and app-root block):
// - rewrite-target: ingress-nginx emits `rewrite "(?i)<rule path>" <target>
//   break;`. The rule's path is a case-insensitive regular expression; when it
//   matches, the WHOLE path becomes the target with $1..$9 replaced by the
//   capture groups (an unmatched group is empty), and the query string is kept
//   (nginx appends the arguments when the replacement has no "?"). A target
//   equal to the rule's path means no rewrite (buildProxyPass).
//   Differences: the path is matched as received (nginx matches its decoded,
//   normalised $uri; the router here never normalises, so captures stay
//   percent-encoded and need no re-escaping), and a result not starting with
//   "/" gets one, so the origin always receives a valid request-target. Only
//   $1..$9 are substituted: other nginx variables ($host, ...) are refused.
// - app-root: a request for exactly "/" (any query) is answered with
//   302 Location: <scheme>://<Host><app-root>.
// - x-forwarded-prefix: the value of an X-Forwarded-Prefix request header to
//   the origin. The docs say the header is added; ingress-nginx's template
//   only adds it together with rewrite-target. Here it is always added.
import type { Problem } from "../config/types";
import { compilePattern, type CompiledPattern } from "../routing/pattern";

export interface RewriteAnnotations {
  readonly rewriteTarget?: string;
  readonly appRoot?: string;
  readonly xForwardedPrefix?: string;
}

export interface Rewrite {
  /** The request-target (path and query) the origin receives, for a request-target that matched the rule. Never throws. */
  rewriteTarget(pathAndQuery: string): string;
  /** The Location of app-root's 302 for this request, or undefined when app-root does not apply. */
  appRootLocation(pathAndQuery: string, scheme: "http" | "https", host: string): string | undefined;
  /** X-Forwarded-Prefix to send to the origin, if configured. */
  readonly forwardedPrefix?: string;
}

export type RewriteResult = { readonly ok: true; readonly rewrite: Rewrite } | { readonly ok: false; readonly problems: readonly Problem[] };

/** Target: path characters plus $1..$9; the allowed set is ingress-nginx's RegexPathWithCapture with "$" limited to captures. */
const TARGET = /^\/?(?:[-A-Za-z0-9._~:/]|\$[1-9])*$/;
const PREFIX_VALUE = /^\/?[-A-Za-z0-9._~:/]*$/;

/** Compiles the rewrite annotations of one rule (`routePath` is the rule's path as written). */
export function compileRewrite(routePath: string, annotations: RewriteAnnotations, prefix = ""): RewriteResult {
  const problems: Problem[] = [];
  const bad = (name: string, value: string | undefined, message: string) => problems.push({ path: `${prefix}${name}`, message: `${message}, got ${JSON.stringify(value)}` });
  const { rewriteTarget: target, appRoot, xForwardedPrefix } = annotations;

  let pattern: CompiledPattern | undefined;
  if (target !== undefined && target !== routePath) {
    if (target === "") {
      bad("rewrite-target", target, "must not be empty (ingress-nginx ignores an empty rewrite-target, often a template value left blank, where this would rewrite every path to /): remove the annotation, or give the path");
    } else if (!TARGET.test(target)) {
      bad("rewrite-target", target, /\$(?![1-9])/.test(target) ? "only $1 to $9 (capture groups) may follow a $; nginx variables are not supported" : "must be a path with optional $1 to $9");
    } else {
      const compiled = compilePattern(routePath, { caseInsensitive: true });
      if (typeof compiled === "string") bad("rewrite-target", target, `the rule's path is not a usable regular expression (${compiled})`);
      else pattern = compiled;
    }
  }
  if (appRoot !== undefined && !/^\/[-A-Za-z0-9._~:/]*$/.test(appRoot)) bad("app-root", appRoot, 'must be a path starting with "/"');
  if (xForwardedPrefix !== undefined && (xForwardedPrefix === "" || !PREFIX_VALUE.test(xForwardedPrefix))) bad("x-forwarded-prefix", xForwardedPrefix, "must be a non-empty path");
  if (problems.length > 0) return { ok: false, problems };

  return {
    ok: true,
    rewrite: Object.freeze({
      ...(xForwardedPrefix !== undefined && { forwardedPrefix: xForwardedPrefix }),
      rewriteTarget: (pathAndQuery: string) => (pattern === undefined || target === undefined ? pathAndQuery : applyTarget(pattern, target, pathAndQuery)),
      appRootLocation: (pathAndQuery: string, scheme: "http" | "https", host: string) => {
        if (appRoot === undefined || typeof pathAndQuery !== "string") return undefined;
        const query = pathAndQuery.indexOf("?");
        return (query === -1 ? pathAndQuery : pathAndQuery.slice(0, query)) === "/" ? `${scheme}://${host}${appRoot}` : undefined;
      },
    }),
  };
}

/** nginx's `rewrite <regex> <target> break;` on one request-target. */
export function applyTarget(pattern: CompiledPattern, target: string, pathAndQuery: string): string {
  if (typeof pathAndQuery !== "string") return "/";
  const queryAt = pathAndQuery.indexOf("?");
  const path = queryAt === -1 ? pathAndQuery : pathAndQuery.slice(0, queryAt);
  const query = queryAt === -1 ? "" : pathAndQuery.slice(queryAt);
  const groups = pattern.captures(path);
  if (groups === undefined) return pathAndQuery;
  const rewritten = target.replace(/\$([1-9])/g, (_, n: string) => groups[Number(n)] ?? "");
  return `${rewritten.startsWith("/") ? "" : "/"}${rewritten}${query}`;
}
