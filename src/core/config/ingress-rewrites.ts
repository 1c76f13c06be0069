// The rewrite and redirect annotations of one Ingress, turned into the
// filters its paths carry (the same filters a native rule or an HTTPRoute
// writes): permanent-redirect / temporal-redirect -> StaticRedirect,
// app-root -> AppRoot, rewrite-target -> RewriteTarget (the path's regex,
// case-insensitive), upstream-vhost -> URLRewrite hostname,
// x-forwarded-prefix -> RequestHeaderModifier. Values are checked here, so a
// bad one is reported at its annotation; what is left is always valid.
import * as v from "valibot";
import { preciseHostname } from "../filters/hostname";
import { redirectUrlProblem, REDIRECT_CODES } from "../filters/static-redirect";
import { compileRewrite } from "../policy/rewrite";
import { NGINX_PREFIX } from "./annotations";
import { child, isRecord, type DocLocation } from "./locations";
import { addProblem, addWarning, type MergeState } from "./merge-state";
import { got } from "./messages";

type RawFilter = Record<string, unknown>;

const A = (name: string) => `${NGINX_PREFIX}${name}`;

/** The filters each path of this Ingress gets, in the order they run: a redirect answers first, then app-root, then the rewrites. */
export function annotationFilters(annotations: Readonly<Record<string, unknown>>, at: DocLocation, state: MergeState): (path: Record<string, unknown>) => RawFilter[] {
  const value = (name: string) => (typeof annotations[A(name)] === "string" ? (annotations[A(name)] as string) : undefined);
  const annotationAt = (name: string) => child(at, "metadata", "annotations", A(name));
  const fixed: RawFilter[] = [];

  const redirect = redirectFilter(value, annotationAt, state);
  if (redirect) fixed.push(redirect);

  const appRoot = value("app-root");
  const xForwardedPrefix = value("x-forwarded-prefix");
  const checked = compileRewrite("/", { ...(appRoot !== undefined && { appRoot }), ...(xForwardedPrefix !== undefined && { xForwardedPrefix }) });
  if (!checked.ok) for (const p of checked.problems) addProblem(state, annotationAt(p.path), p.message);
  else if (appRoot !== undefined) fixed.push({ type: "AppRoot", appRoot: { path: appRoot } });

  const after: RawFilter[] = [];
  const vhost = value("upstream-vhost");
  if (vhost !== undefined) {
    if (v.is(preciseHostname, vhost)) after.push({ type: "URLRewrite", urlRewrite: { hostname: vhost } });
    else addProblem(state, annotationAt("upstream-vhost"), `must be a lower-case DNS host name (no port, IP address or nginx variable), got ${got(vhost)}`);
  }
  if (checked.ok && xForwardedPrefix !== undefined) after.push({ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "X-Forwarded-Prefix", value: xForwardedPrefix }] } });

  const target = value("rewrite-target");
  const badTargets = new Set<string>();
  return (p) => {
    const path = typeof p.path === "string" ? p.path : "/";
    const rewrite: RawFilter[] = [];
    if (target !== undefined && target !== path) {
      const compiled = compileRewrite(path, { rewriteTarget: target });
      if (!compiled.ok) {
        for (const problem of compiled.problems) {
          if (badTargets.has(problem.message)) continue;
          badTargets.add(problem.message);
          addProblem(state, annotationAt("rewrite-target"), `${problem.message} (path ${got(path)})`);
        }
      } else rewrite.push({ type: "RewriteTarget", rewriteTarget: { pattern: path, target, caseInsensitive: true } });
    }
    return [...fixed, ...rewrite, ...after];
  };
}

/** temporal-redirect wins over permanent-redirect, as in ingress-nginx's redirect annotation parser. */
function redirectFilter(value: (name: string) => string | undefined, annotationAt: (name: string) => DocLocation, state: MergeState): RawFilter | undefined {
  const temporal = value("temporal-redirect");
  const permanent = value("permanent-redirect");
  if (temporal !== undefined && permanent !== undefined) {
    addWarning(state, annotationAt("permanent-redirect"), "has no effect beside temporal-redirect, which ingress-nginx (and edge-ingress) apply instead: remove one");
  }
  const [name, url, fallback] = temporal !== undefined ? ["temporal-redirect", temporal, 302] as const : ["permanent-redirect", permanent, 301] as const;
  if (url === undefined) return undefined;
  const urlProblem = redirectUrlProblem(url);
  if (urlProblem) addProblem(state, annotationAt(name), urlProblem);
  const codeText = value(`${name}-code`);
  const code = codeText === undefined ? fallback : Number(codeText);
  const codeOk = (REDIRECT_CODES as readonly number[]).includes(code) && (codeText === undefined || /^\d{3}$/.test(codeText));
  if (!codeOk) addProblem(state, annotationAt(`${name}-code`), `must be 301, 302, 303, 307 or 308, got ${got(codeText)}`);
  return urlProblem || !codeOk ? undefined : { type: "StaticRedirect", staticRedirect: { location: url, statusCode: code } };
}

/** The rule with each path's filters appended (the merged copy: the manifest itself is left as written). */
export function withPathFilters(rule: unknown, filtersFor: (path: Record<string, unknown>) => RawFilter[]): unknown {
  if (!isRecord(rule) || !isRecord(rule.http) || !Array.isArray(rule.http.paths)) return rule;
  return {
    ...rule,
    http: {
      ...rule.http,
      paths: rule.http.paths.map((p) => {
        if (!isRecord(p)) return p;
        const filters = filtersFor(p);
        return filters.length === 0 ? p : { ...p, filters };
      }),
    },
  };
}
