// The ingress-nginx controller's ConfigMap: the ConfigMap named
// ingress-nginx-controller (CONTROLLER_CONFIGMAP), in any namespace, as an
// ingress-nginx install names it. Its settings apply to every Ingress, as
// they do in ingress-nginx; native rules and HTTPRoutes are not
// ingress-nginx's and do not get them. Every key has a verdict, as every
// annotation has (annotations.ts): honoured, a note (not read, and why
// that is harmless or what to write instead), or refused (a security
// setting edge-ingress does not carry out for every Ingress: applied
// without it, the routes would be less protected than the ConfigMap says).
// A key not in the table is named in one note with the others.
// Source of the keys: kubernetes/ingress-nginx
// docs/user-guide/nginx-configuration/configmap.md.
import { CONTROLLER_CONFIGMAP, type ConfigMapEntry } from "./configmaps";
import { child } from "./locations";
import { got } from "./messages";
import { addNote, addProblem, type MergeState } from "./merge-state";

export interface ConfigMapKeyVerdict {
  readonly verdict: "honoured" | "note" | "refused";
  readonly reason: string;
  /** Values that ask for what edge-ingress does anyway (ingress-nginx's default): accepted as written. */
  readonly inert?: readonly string[];
}

const honoured = (reason: string): ConfigMapKeyVerdict => ({ verdict: "honoured", reason });
const note = (reason: string): ConfigMapKeyVerdict => ({ verdict: "note", reason });
const refused = (reason: string, inert?: readonly string[]): ConfigMapKeyVerdict => ({ verdict: "refused", reason, ...(inert ? { inert } : {}) });

const ACCESS = "a list for every Ingress is not read, and the routes would be open to the addresses it keeps out: write the allowlist-source-range / denylist-source-range annotations on each Ingress, or AccessControl filters per host (hosts[])";
const GLOBAL_AUTH = "authentication for every Ingress is not read, and the routes would be served without it: write auth-url on each Ingress, or an ExternalAuth filter per host (hosts[])";
const WAF = "the ModSecurity web application firewall is not built: requests would not be inspected. Use Cloudflare's WAF managed rules instead";
const SNIPPET = "raw nginx configuration cannot run on Cloudflare Workers: write what it does as edge-ingress config (or a Cloudflare rule), or remove it";
const HTTPS = "HTTPS settings for every Ingress are not read (edge-ingress's are ingress-nginx's defaults: spec.tls hosts redirected with 308 and given HSTS max-age=31536000; includeSubDomains): set the ssl-redirect / force-ssl-redirect annotations per Ingress, or HTTPSRedirect and StrictTransportSecurity filters per host (hosts[])";
const CLIENT_ADDRESS = "the client address is always CF-Connecting-IP, which Cloudflare sets on every request; X-Forwarded-For is set from it for the origin";
const PER_INGRESS = (what: string) => `not read for every Ingress: ${what}`;

/** Every controller ConfigMap key with a verdict of its own; the others share one note. */
export const CONTROLLER_KEYS: Readonly<Record<string, ConfigMapKeyVerdict>> = {
  "proxy-set-headers": honoured("names a ConfigMap (\"namespace/name\") of headers set on every request to the origins of every Ingress's paths (an NginxHeaders filter); values may use $msec"),
  "add-headers": honoured("names a ConfigMap of headers set on every origin response of every Ingress's paths (an NginxHeaders filter); values may use $msec"),
  "global-allowed-response-headers": honoured("the comma-separated header names the custom-headers annotation may set; any other is refused, as ingress-nginx refuses it"),
  "whitelist-source-range": refused(ACCESS),
  "denylist-source-range": refused(ACCESS),
  "block-cidrs": refused(ACCESS),
  "block-user-agents": refused("blocking user agents for every Ingress is not built: those clients would be served. Use a Cloudflare WAF custom rule"),
  "block-referers": refused("blocking referers for every Ingress is not built: those requests would be served. Use a Cloudflare WAF custom rule"),
  "global-auth-url": refused(GLOBAL_AUTH),
  "global-auth-method": refused(GLOBAL_AUTH),
  "global-auth-signin": refused(GLOBAL_AUTH),
  "global-auth-response-headers": refused(GLOBAL_AUTH),
  "global-auth-snippet": refused(SNIPPET),
  "global-auth-signin-redirect-param": note("no effect without global-auth-url, which is refused"),
  "global-auth-request-redirect": note("no effect without global-auth-url, which is refused"),
  "global-auth-cache-key": note("no effect without global-auth-url, which is refused"),
  "global-auth-cache-duration": note("no effect without global-auth-url, which is refused"),
  "no-auth-locations": note("no effect without global-auth-url, which is refused"),
  "enable-modsecurity": refused(WAF, ["false"]),
  "enable-owasp-modsecurity-crs": refused(WAF, ["false"]),
  "modsecurity-snippet": refused(SNIPPET),
  "main-snippet": refused(SNIPPET),
  "http-snippet": refused(SNIPPET),
  "server-snippet": refused(SNIPPET),
  "location-snippet": refused(SNIPPET),
  "stream-snippet": refused(SNIPPET),
  "ssl-redirect": refused(HTTPS, ["true"]),
  "force-ssl-redirect": refused(HTTPS, ["false"]),
  hsts: refused(HTTPS, ["true"]),
  "hsts-max-age": refused(HTTPS, ["31536000"]),
  "hsts-include-subdomains": refused(HTTPS, ["true"]),
  "hsts-preload": refused(HTTPS, ["false"]),
  "hide-headers": refused("hiding origin response headers is not read: they would reach clients. Remove them with a ResponseHeaderModifier filter (remove) on the rules"),
  "proxy-body-size": refused("a body limit for every Ingress is not read, and edge-ingress has no default one: uploads over it would be served. Set the proxy-body-size annotation on each Ingress (or RequestBodyLimit filters)"),
  "limit-rate": refused("bandwidth limits are not built: responses would be sent at full speed. Remove it", ["0"]),
  "limit-rate-after": refused("bandwidth limits are not built: responses would be sent at full speed. Remove it", ["0"]),
  "global-rate-limit-memcached-host": refused("rate limiting needs a counter shared by every Cloudflare location and isolate, and edge-ingress has none. Use a Cloudflare Rate Limiting rule"),
  "allow-snippet-annotations": note("snippet annotations are always refused here"),
  "annotation-value-word-blocklist": note("snippet annotations are always refused here, and every annotation value is checked against what its annotation means"),
  "no-tls-redirect-locations": note(PER_INGRESS("every path of a redirected host is redirected, /.well-known/acme-challenge included (the edge's certificates are Cloudflare's); set ssl-redirect: \"false\" on an Ingress that must answer HTTP")),
  "http-redirect-code": note(PER_INGRESS("the HTTPS redirect is 308; a native HTTPSRedirect filter's statusCode sets another")),
  "generate-request-id": note("the router always sets X-Request-Id on requests to the origin"),
  "allow-backend-server-header": note("the router passes the origin's Server header on; Cloudflare's edge sends Server: cloudflare"),
  "nginx-status-ipv4-whitelist": note("there is no nginx status page; the router's own status page is README, Status page"),
  "nginx-status-ipv6-whitelist": note("there is no nginx status page; the router's own status page is README, Status page"),
  "annotations-risk-level": note("every annotation has one verdict here (README, Ingress annotations), whatever its risk level"),
  "use-forwarded-headers": note(CLIENT_ADDRESS),
  "compute-full-forwarded-for": note(CLIENT_ADDRESS),
  "forwarded-for-header": note(CLIENT_ADDRESS),
  "enable-real-ip": note(CLIENT_ADDRESS),
  "proxy-real-ip-cidr": note(CLIENT_ADDRESS),
  "proxy-read-timeout": note(PER_INGRESS("set the annotation per Ingress, or the pool's timeoutMs (default 30 s)")),
  "proxy-send-timeout": note(PER_INGRESS("set the annotation per Ingress, or the pool's uploadIdleTimeoutMs (default 60 s)")),
  "proxy-connect-timeout": note(PER_INGRESS("workerd has no connect deadline (README, Timeouts, precisely)")),
  "custom-http-errors": note(PER_INGRESS("set default-backend and custom-http-errors per Ingress")),
  "ssl-protocols": note("Cloudflare terminates TLS: set the zone's Minimum TLS Version (SSL/TLS settings)"),
  "ssl-ciphers": note("Cloudflare terminates TLS: ciphers are the zone's settings"),
  "server-tokens": note("the router adds no nginx version; Cloudflare's edge sends Server: cloudflare"),
};

/** What the controller ConfigMap asks of edge-ingress. */
export interface ControllerSettings {
  readonly entry: ConfigMapEntry;
  /** Header-ConfigMap references, each with where it was written. */
  readonly proxySetHeaders?: string;
  readonly addHeaders?: string;
  /** global-allowed-response-headers, lower-case. */
  readonly allowedResponseHeaders: ReadonlySet<string>;
}

/** The controller ConfigMap, its keys judged; undefined when none is defined (or two are: a problem). */
export function readControllerConfigMap(state: MergeState): ControllerSettings | undefined {
  const found = [...(state.configMaps?.values() ?? [])].filter((c) => c.name === CONTROLLER_CONFIGMAP);
  if (found.length === 0) return undefined;
  const [entry, ...others] = found as [ConfigMapEntry, ...ConfigMapEntry[]];
  for (const other of others) {
    addProblem(state, child(other.at, "metadata", "name"),
      `a second controller ConfigMap (the first is ${entry.namespace}/${entry.name}): edge-ingress serves every Ingress as one controller, with one ConfigMap's settings`);
  }
  entry.usedBy = "the controller's settings";
  const notRead: string[] = [];
  for (const [key, value] of Object.entries(entry.data)) {
    const verdict = CONTROLLER_KEYS[key];
    const at = child(entry.at, "data", key);
    if (verdict === undefined) notRead.push(key);
    else if (verdict.verdict === "note") addNote(state, at, `not read: ${verdict.reason}`);
    else if (verdict.verdict === "refused" && !verdict.inert?.includes(value.trim())) addProblem(state, at, `refused (got ${got(value)}): ${verdict.reason}`);
  }
  if (notRead.length > 0) {
    addNote(state, child(entry.at, "data"),
      `not read (nginx tuning, or settings edge-ingress has per pool, path or host instead: README, Migrating from ingress-nginx): ${notRead.join(", ")}`);
  }
  const allowed = entry.data["global-allowed-response-headers"] ?? "";
  return {
    entry,
    ...(entry.data["proxy-set-headers"] !== undefined ? { proxySetHeaders: entry.data["proxy-set-headers"] } : {}),
    ...(entry.data["add-headers"] !== undefined ? { addHeaders: entry.data["add-headers"] } : {}),
    allowedResponseHeaders: new Set(allowed.split(",").map((h) => h.trim().toLowerCase()).filter((h) => h !== "")),
  };
}
