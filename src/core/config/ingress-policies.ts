// What an Ingress's tls section and its HTTPS and source-range annotations
// become: filters on each of its paths (filters/https-redirect.ts,
// strict-transport-security.ts, access-control.ts), with ingress-nginx's
// meaning and defaults:
// - a host that serves HTTPS (any Ingress with a tls section has a rule for
//   it: ingress-tls.ts) is redirected from HTTP to HTTPS (308, the default
//   http-redirect-code) unless this Ingress's ssl-redirect is "false";
//   force-ssl-redirect "true" redirects every host of the Ingress; one
//   trailing "/" is dropped from the redirect unless preserve-trailing-slash
//   is "true" (ingress-nginx's Lua does the same);
// - a host that serves HTTPS gets Strict-Transport-Security on HTTPS
//   responses with the ConfigMap's defaults (hsts "true", max-age 31536000,
//   includeSubDomains, no preload): ingress-nginx adds it for every server
//   with a certificate;
// - whitelist-source-range (alias allowlist-source-range) and
//   denylist-source-range become an AccessControl on every path.
// Values are checked here, each problem at its annotation, so the filters
// written into the merged document are always valid.
import { parseAddressList } from "../policy/cidr";
import { NGINX_PREFIX } from "./annotations";
import { child, isRecord, type DocLocation } from "./locations";
import { addNote, addProblem, type MergeState } from "./merge-state";
import { got } from "./messages";

const SSL_REDIRECT = `${NGINX_PREFIX}ssl-redirect`;
const FORCE_SSL_REDIRECT = `${NGINX_PREFIX}force-ssl-redirect`;
const PRESERVE_TRAILING_SLASH = `${NGINX_PREFIX}preserve-trailing-slash`;
const ALLOW = [`${NGINX_PREFIX}allowlist-source-range`, `${NGINX_PREFIX}whitelist-source-range`];
const DENY = `${NGINX_PREFIX}denylist-source-range`;
export const BACKEND_PROTOCOL = `${NGINX_PREFIX}backend-protocol`;

/** ingress-nginx's ConfigMap defaults for HSTS (hsts-max-age, hsts-include-subdomains, hsts-preload). */
export const NGINX_HSTS = Object.freeze({ maxAgeSeconds: 31_536_000, includeSubDomains: true });

type FilterSpec = Record<string, unknown>;

/** The filters each path of a rule with this host gets. */
export type PathFilters = (host: unknown) => FilterSpec[];

export function ingressPathFilters(annotations: Readonly<Record<string, unknown>>, at: DocLocation, state: MergeState): PathFilters {
  const annotationAt = (key: string) => child(at, "metadata", "annotations", key);
  const flag = (key: string): boolean | undefined => {
    const value = annotations[key];
    if (value === undefined || typeof value !== "string") return undefined;
    if (value === "true" || value === "false") return value === "true";
    addProblem(state, annotationAt(key), `must be "true" or "false", got ${got(value)}`);
    return undefined;
  };
  const sslRedirect = flag(SSL_REDIRECT) ?? true;
  const force = flag(FORCE_SSL_REDIRECT) ?? false;
  const preserveTrailingSlash = flag(PRESERVE_TRAILING_SLASH) ?? false;

  const allowKeys = ALLOW.filter((key) => typeof annotations[key] === "string");
  if (allowKeys.length === 2 && annotations[ALLOW[0]!] !== annotations[ALLOW[1]!]) {
    addProblem(state, annotationAt(ALLOW[1]!), `is an alias of ${ALLOW[0]} and both are set, to different lists: keep one`);
  }
  const allow = allowKeys.length > 0 ? ranges(annotations[allowKeys[0]!] as string, annotationAt(allowKeys[0]!), state) : undefined;
  const deny = typeof annotations[DENY] === "string" ? ranges(annotations[DENY], annotationAt(DENY), state) : undefined;
  const access: FilterSpec | undefined = allow || deny
    ? { type: "AccessControl", accessControl: { ...(allow ? { allowSourceRanges: allow } : {}), ...(deny ? { denySourceRanges: deny } : {}) } }
    : undefined;
  const redirect: FilterSpec = { type: "HTTPSRedirect", httpsRedirect: { preserveTrailingSlash } };
  const hsts: FilterSpec = { type: "StrictTransportSecurity", strictTransportSecurity: { ...NGINX_HSTS } };

  return (host) => {
    // A host serves HTTPS when any Ingress's tls gives it a certificate, not only this one's (ingress-tls.ts).
    const secure = typeof host === "string" && state.tlsHosts.has(host.toLowerCase());
    const filters: FilterSpec[] = [];
    if (force || (secure && sslRedirect)) filters.push(redirect);
    if (access) filters.push(access);
    if (secure) filters.push(hsts);
    return filters;
  };
}

/** A comma-separated list as entries; every bad entry is reported at the annotation. */
function ranges(value: string, at: DocLocation, state: MergeState): string[] | undefined {
  const parsed = parseAddressList(value, "entry ");
  if (!parsed.ok) {
    for (const p of parsed.problems) addProblem(state, at, `${p.path.replace("entry [", "entry ").replace("]", "")}: ${p.message}`);
    return undefined;
  }
  for (const note of parsed.notes) addNote(state, at, note.message);
  return value.split(",").map((entry) => entry.trim());
}


/**
 * backend-protocol: how ingress-nginx talks to the Service. Here the origin
 * URL's scheme decides, so "HTTPS" is honoured by requiring https:// origins
 * in every pool the Ingress names (checked once every file is read: pools
 * may come later), "HTTP" (the default) asks for nothing, and the rest
 * (GRPC, GRPCS, FCGI, AUTO_HTTP) are refused.
 */
export function readBackendProtocol(annotations: Readonly<Record<string, unknown>>, pools: readonly string[], at: DocLocation, state: MergeState): void {
  const value = annotations[BACKEND_PROTOCOL];
  if (typeof value !== "string") return;
  const protocolAt = child(at, "metadata", "annotations", BACKEND_PROTOCOL);
  const protocol = value.toUpperCase();
  if (protocol === "HTTP") return;
  if (protocol === "HTTPS") return void (state.httpsBackends ??= []).push({ at: protocolAt, pools });
  addProblem(state, protocolAt,
    `refused: ${got(value)} is not supported: edge-ingress talks HTTP or HTTPS to origins, as the origin URL's scheme says (GRPC, GRPCS, FCGI and AUTO_HTTP are not built). Use "HTTP" or "HTTPS", or remove the annotation`);
}

/** After every file is read: each pool an Ingress with backend-protocol "HTTPS" names must have only https:// origins. */
export function checkHttpsBackends(state: MergeState): void {
  for (const { at, pools } of state.httpsBackends ?? []) {
    for (const name of new Set(pools)) {
      const pool = state.pools[name];
      const origins = isRecord(pool) && Array.isArray(pool.origins) ? pool.origins : [];
      const plain = origins.map((o) => (isRecord(o) ? o.url : undefined)).filter((url) => typeof url === "string" && !url.toLowerCase().startsWith("https://"));
      if (plain.length > 0) {
        addProblem(state, at, `"HTTPS" asks for TLS to the origins, but pool ${got(name)} has plain http:// origins (${plain.join(", ")}): give them https:// URLs, or use "HTTP"`);
      }
    }
  }
}
