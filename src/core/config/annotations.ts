// What edge-ingress does with every part of an Ingress manifest a user may
// write: each annotation ingress-nginx reads (names from its annotations
// reference and its scope-and-risk table, kubernetes/ingress-nginx
// docs/user-guide/nginx-configuration/annotations.md and annotations-risk.md)
// and each field. One table, printed in README's "Ingress annotations" section
// (scripts/gen-annotations-table.ts writes it; a test checks they agree);
// its authentication rows are in annotations-auth.ts, the manifest's fields
// and other tools' annotations in manifest-verdicts.ts.
//
//   honoured  edge-ingress does what ingress-nginx does with it.
//   ignored   it only tunes nginx itself: no visible effect at the edge; a note names it.
//   warned    accepted, with a warning that says how edge-ingress differs.
//   refused   an error: applying it would serve the route differently (often
//             less protected) than the manifest says.
// Later features move entries from refused to honoured.
import { AUTH_ANNOTATIONS } from "./annotations-auth";

export type Verdict = "honoured" | "ignored" | "warned" | "refused";

export interface AnnotationVerdict {
  readonly verdict: Verdict;
  /** honoured: what it does; ignored: why that is harmless; refused: why, and what to do instead. */
  readonly reason: string;
  /** Values that ask for what edge-ingress does anyway (ingress-nginx's default): honoured as written. */
  readonly inert?: readonly string[];
  /** ingress-nginx reads it only beside this annotation (set, to a value not inert); alone it has no effect there either. */
  readonly requires?: string;
}

export const NGINX_PREFIX = "nginx.ingress.kubernetes.io/";

export const honoured = (reason: string, more: Omit<AnnotationVerdict, "verdict" | "reason"> = {}): AnnotationVerdict => ({ verdict: "honoured", reason, ...more });
export const ignored = (reason: string): AnnotationVerdict => ({ verdict: "ignored", reason });
const refused = (reason: string, more: Omit<AnnotationVerdict, "verdict" | "reason"> = {}): AnnotationVerdict => ({ verdict: "refused", reason, ...more });

const IP_ALLOW = "only client addresses (CF-Connecting-IP) in these IPv4 and IPv6 ranges reach the Ingress's paths; others, and a request without CF-Connecting-IP, get 403 forbidden and never reach an origin";
const IP_DENY = "client addresses (CF-Connecting-IP) in these IPv4 and IPv6 ranges get 403 forbidden on the Ingress's paths (deny beats allow), and so does a request without CF-Connecting-IP; no origin is asked";
const RATE_LIMIT = "rate limiting needs a counter shared by every Cloudflare location and isolate, and edge-ingress has none (a per-isolate count is not a rate limit: each isolate would let the full rate through). Use a Cloudflare Rate Limiting rule on the host and path instead";
const SNIPPET = "raw nginx configuration cannot run on Cloudflare Workers: write what it does as edge-ingress config (or a Cloudflare rule), or remove it";
const WAF = "the ModSecurity web application firewall is not built: requests would not be inspected. Use Cloudflare's WAF managed rules instead";
const ORIGIN_TLS = "TLS to the origin is made by the Workers runtime: client certificates, certificate checks, SNI (the origin URL's host), ciphers and protocols are not configurable. Remove the annotation";
const CANARY = "part of the canary rule (README, Canaries): header first, then cookie, then weight, as ingress-nginx decides; refused on an Ingress without canary: \"true\", as ingress-nginx refuses it";
const AFFINITY = "part of the pool's sticky cookie (README, Session affinity), as ingress-nginx sets it";
const CORS_HONOURED = "CORS as ingress-nginx answers it (an NginxCORS filter on each path of the Ingress): the Access-Control-* headers on answers to allowed origins, preflights (OPTIONS with Origin) answered by the router with 204";
const BUFFERS = "nginx buffer tuning: edge-ingress streams bodies both ways, with no buffers to size";
const RETRIES =
  "retries of Ingress and native paths are fixed: a failed connection is retried once on another origin, for GET, HEAD and OPTIONS without a body. Remove the annotation; retries by status, count and backoff are an HTTPRoute rule's retry (README, Gateway API)";
const HASHING =
  "ingress-nginx hashes an nginx variable, which edge-ingress cannot read: requests would be spread by the pool's policy instead. Remove it, and give the pool an affinity by header or client address (pools.<name>.affinity: {header: NAME} or {clientAddress: true}), consistent hashing over its origins";
const MIRROR =
  "ingress-nginx mirrors to a URL; edge-ingress mirrors only to pools, so the mirror would receive nothing. Remove it, and mirror with a RequestMirror filter on a native path or an HTTPRoute rule";
const TRACING = "tracing is not built: no spans are sent; requests are served the same";
const NO_OWN_REDIRECTS = "shapes redirects nginx makes itself; edge-ingress's own redirects (to HTTPS) are absolute and name no port, as with the default, and the origin's redirects reach the client unchanged";

/** Every annotation ingress-nginx reads, by name after NGINX_PREFIX. */
export const NGINX_ANNOTATIONS: Readonly<Record<string, AnnotationVerdict>> = {
  // Who may reach the route.
  "allowlist-source-range": honoured(IP_ALLOW),
  "whitelist-source-range": honoured(`${IP_ALLOW} (an alias of allowlist-source-range)`),
  "denylist-source-range": honoured(IP_DENY),
  ...AUTH_ANNOTATIONS, // annotations-auth.ts
  "auth-snippet": refused(SNIPPET, { requires: "auth-url" }),
  "limit-connections": refused(RATE_LIMIT),
  "limit-rps": refused(RATE_LIMIT),
  "limit-rpm": refused(RATE_LIMIT),
  "limit-burst-multiplier": refused(RATE_LIMIT),
  "limit-rate": refused("bandwidth limits are not built yet: responses would be sent at full speed. Remove it"),
  "limit-rate-after": refused("bandwidth limits are not built yet: responses would be sent at full speed. Remove it"),
  "limit-allowlist": refused(RATE_LIMIT),
  "limit-whitelist": refused(RATE_LIMIT),
  "enable-modsecurity": refused(WAF, { inert: ["false"] }),
  "enable-owasp-core-rules": refused(WAF, { inert: ["false"] }),
  "modsecurity-snippet": refused(SNIPPET),
  "modsecurity-transaction-id": refused(WAF, { requires: "enable-modsecurity" }),
  "configuration-snippet": refused(SNIPPET),
  "server-snippet": refused(SNIPPET),
  "stream-snippet": refused(SNIPPET),

  // TLS.
  "ssl-redirect": honoured('"false": this Ingress\'s paths are not redirected to HTTPS (on a host that serves HTTPS they are by default, with 308, as in ingress-nginx; see spec.tls)'),
  "force-ssl-redirect": honoured('"true": plain HTTP requests to every path of the Ingress are redirected to HTTPS (308), with or without spec.tls'),
  "preserve-trailing-slash": honoured('"true": the HTTPS redirect keeps a trailing "/" (by default one is dropped from a request without query, as ingress-nginx does)'),
  "ssl-passthrough": refused("Cloudflare terminates TLS at the edge: TLS cannot be passed through to the origin", { inert: ["false"] }),
  "ssl-ciphers": refused("Cloudflare terminates TLS with the zone's cipher suites: set them (and the Minimum TLS Version) in the zone's SSL/TLS settings, and remove the annotation"),
  "ssl-prefer-server-ciphers": ignored("Cloudflare chooses the cipher order at the edge"),
  "backend-protocol": honoured('"HTTPS": every pool the Ingress names must have https:// origin URLs (else an error); "HTTP": nothing more (the origin URL\'s scheme decides); GRPC, GRPCS, FCGI and AUTO_HTTP are refused, not being built'),
  "proxy-ssl-secret": refused(ORIGIN_TLS),
  "proxy-ssl-verify": refused(ORIGIN_TLS),
  "proxy-ssl-verify-depth": refused(ORIGIN_TLS),
  "proxy-ssl-name": refused(ORIGIN_TLS),
  "proxy-ssl-server-name": refused(ORIGIN_TLS),
  "proxy-ssl-ciphers": refused(ORIGIN_TLS),
  "proxy-ssl-protocols": refused(ORIGIN_TLS),

  // Where a request goes and what it looks like there.
  "use-regex": honoured(
    '"true": ImplementationSpecific paths are anchored, case-insensitive regular expressions, as ingress-nginx reads them with use-regex; refused when an Ingress on the same host has Exact or Prefix paths, which ingress-nginx would read as regular expressions too. "false": refused when the Ingress has ImplementationSpecific paths, which edge-ingress reads as regular expressions and ingress-nginx would not',
  ),
  canary: honoured('"true": each path becomes the canary of the other Ingress\'s path with the same host and path (README, Canaries); refused when no Ingress has that host and path, or another canary already takes it'),
  "canary-by-header": honoured(CANARY),
  "canary-by-header-value": honoured(CANARY),
  "canary-by-header-pattern": honoured(`${CANARY}; RE2 syntax, matched anywhere in the value (anchor it with ^...$)`),
  "canary-by-cookie": honoured(CANARY),
  "canary-weight": honoured(CANARY),
  "canary-weight-total": honoured(`${CANARY}; at least 100`),
  "rewrite-target": honoured("the path the origin receives: each path of the Ingress, as a case-insensitive regex, is replaced by the target with $1 to $9 from its capture groups; the query is kept (a RewriteTarget filter). As in ingress-nginx it makes every path of the host a regular expression, so it is refused beside Exact or Prefix paths of that host, as use-regex is; nginx variables other than $1 to $9 are refused, and so is an empty value (which ingress-nginx ignores)"),
  "app-root": honoured("a request for / is answered 302 to <scheme>://<Host><app-root>; other paths are proxied (an AppRoot filter)"),
  "permanent-redirect": honoured("every request of the Ingress is answered 301 (or permanent-redirect-code) with exactly this Location, no origin asked (a StaticRedirect filter); temporal-redirect wins when both are set, as in ingress-nginx"),
  "permanent-redirect-code": { ...honoured("the status of permanent-redirect: 301, 302, 303, 307 or 308; other values are refused"), requires: "permanent-redirect" },
  "temporal-redirect": honoured("every request of the Ingress is answered 302 (or temporal-redirect-code) with exactly this Location, no origin asked (a StaticRedirect filter)"),
  "temporal-redirect-code": { ...honoured("the status of temporal-redirect: 301, 302, 303, 307 or 308; other values are refused"), requires: "temporal-redirect" },
  "from-to-www-redirect": honoured('"true": requests for www.<host> (or, for a www. rule host, the host without www.) are answered 308 to the rule\'s host, path and query kept; omitted when a rule defines that host, as in ingress-nginx; no effect on rules without a host or with a wildcard (a warning); "false": nothing'),
  "server-alias": honoured("the Ingress's host is also served under these names (comma-separated), all of it: every rule on that host, from this Ingress or any other, same paths and filters, as ingress-nginx adds them to the host's server; an alias a rule defines as its host is left to that rule (a warning), as in ingress-nginx; the Ingress's rules must have one host"),
  "default-backend": honoured("the service (a pool) that answers when the rule's pool cannot: no origin available, or none could be connected to (then only for requests without a body, which a failed try may have read); also where custom-http-errors go. An ErrorBackend filter on each path"),
  "custom-http-errors": honoured("origin answers with these statuses are replaced by the default-backend's answer to the same method and path, sent with X-Code, X-Format, X-Original-URI, X-Namespace, X-Ingress-Name, X-Service-Name and X-Request-ID (no X-Service-Port: ports are not read). Refused without default-backend: edge-ingress has no controller-wide default backend"),
  "disable-proxy-intercept-errors": honoured('"true": custom-http-errors is not applied (the origin\'s answers reach the client); default-backend still answers when the pool cannot', { inert: ["false"], requires: "custom-http-errors" }),
  "upstream-vhost": honoured("the Host the origin receives (a URLRewrite hostname filter); on Cloudflare it is sent with cf.resolveOverride, which needs that host and the origin's host in the zone (validate warns); a host name only, no port or nginx variable"),
  "x-forwarded-prefix": honoured("sends X-Forwarded-Prefix with this value to the origin (a RequestHeaderModifier filter)"),
  "custom-headers": honoured('names a ConfigMap ("namespace/name") of response headers set on the Ingress\'s paths (an NginxHeaders filter, over the controller ConfigMap\'s add-headers); only names the controller ConfigMap\'s global-allowed-response-headers lists, others refused as ingress-nginx refuses them; values may use $msec (README, ConfigMaps)'),
  "enable-cors": honoured(`"true": ${CORS_HONOURED}; defaults as ingress-nginx's: any origin, credentials, its methods and headers, max-age 1728000`, { inert: ["false"] }),
  "cors-allow-origin": honoured('with enable-cors: comma-separated origins ("*", scheme://host[:port], "*." for one label) the headers are sent to; others get none', { requires: "enable-cors" }),
  "cors-allow-methods": honoured("with enable-cors: Access-Control-Allow-Methods as written", { requires: "enable-cors" }),
  "cors-allow-headers": honoured("with enable-cors: Access-Control-Allow-Headers as written", { requires: "enable-cors" }),
  "cors-expose-headers": honoured("with enable-cors: Access-Control-Expose-Headers as written (none by default)", { requires: "enable-cors" }),
  "cors-allow-credentials": honoured('with enable-cors: "false" leaves Access-Control-Allow-Credentials out (default "true")', { requires: "enable-cors" }),
  "cors-max-age": honoured("with enable-cors: Access-Control-Max-Age in seconds (default 1728000)", { requires: "enable-cors" }),
  "proxy-redirect-from": refused("rewriting the origin's Location headers is not built: redirects reach the client unchanged. Remove it", { inert: ["off"] }),
  "proxy-redirect-to": refused("rewriting the origin's Location headers is not built: redirects reach the client unchanged. Remove it", { requires: "proxy-redirect-from" }),
  "proxy-cookie-domain": refused("rewriting Set-Cookie attributes is not built: cookies reach the client as the origin set them. Remove it", { inert: ["off"] }),
  "proxy-cookie-path": refused("rewriting Set-Cookie attributes is not built: cookies reach the client as the origin set them. Remove it", { inert: ["off"] }),
  "proxy-body-size": honoured('the largest request body (nginx sizes: "8m", "512k", "1g"; "0": no limit): over it the router answers 413 before contacting an origin (by Content-Length), or cuts a chunked body off at the limit. Without it there is no limit of edge-ingress\'s own (ingress-nginx\'s default is 1m): the zone\'s plan limit applies (100 MB on Free and Pro)'),
  "proxy-connect-timeout": honoured("seconds; workerd has no connect deadline of its own: the connection is opened inside the wait for the response headers, so with proxy-read-timeout that wait is read + connect seconds; alone a note says it changes nothing (the pool's timeoutMs still bounds connecting)"),
  "proxy-send-timeout": honoured("seconds: the longest pause while the request body is relayed, instead of the pool's uploadIdleTimeoutMs (a BackendTimeouts filter on each path)"),
  "proxy-read-timeout": honoured("seconds: the deadline for the origin's response headers, per try, instead of the pool's timeoutMs (504 past it; plus proxy-connect-timeout when set). Once the headers have arrived the body may take longer: nginx's deadline between two reads of the body is not applied"),
  "proxy-next-upstream": refused(RETRIES),
  "proxy-next-upstream-timeout": refused(RETRIES),
  "proxy-next-upstream-tries": refused(RETRIES),
  "load-balance": refused("set the pool's policy (random, round-robin or least-recent) instead: a pool, not an Ingress, picks its origins"),
  "upstream-hash-by": refused(HASHING),
  "upstream-hash-by-subset": refused(HASHING, { requires: "upstream-hash-by" }),
  "upstream-hash-by-subset-size": refused(HASHING, { requires: "upstream-hash-by" }),
  affinity: honoured('"cookie": a sticky cookie on each pool the Ingress names, wrapping the pool\'s policy; a session stays on its origin while that origin is available (health checks, passive ejection) and moves when it is not (README, Session affinity); refused when another Ingress or the pool sets different affinity'),
  "affinity-mode": honoured(`${AFFINITY}: "balanced" (default, the cookie holds a key hashed onto the available origins) or "persistent" (the cookie names its origin)`, { requires: "affinity" }),
  "affinity-canary-behavior": refused("keeping a session on the canary or main side it first reached is not built: every request is decided by the canary rule again. Remove it", { requires: "affinity" }),
  "session-cookie-change-on-failure": refused('a retry that fails over to another origin always moves the session to the origin that answered (what "true" asks); keeping the failed origin\'s cookie ("false") is not built. Remove it or set "true"', { requires: "affinity", inert: ["true"] }),
  "session-cookie-conditional-samesite-none": honoured(AFFINITY, { requires: "affinity" }),
  "session-cookie-domain": honoured(AFFINITY, { requires: "affinity" }),
  "session-cookie-expires": honoured(AFFINITY, { requires: "affinity" }),
  "session-cookie-max-age": honoured(AFFINITY, { requires: "affinity" }),
  "session-cookie-name": honoured(AFFINITY, { requires: "affinity" }),
  "session-cookie-path": honoured(AFFINITY, { requires: "affinity" }),
  "session-cookie-samesite": honoured(AFFINITY, { requires: "affinity" }),
  "session-cookie-secure": honoured(AFFINITY, { requires: "affinity" }),
  "mirror-target": refused(MIRROR),
  "mirror-host": refused(MIRROR, { requires: "mirror-target" }),
  "mirror-request-body": refused(MIRROR, { requires: "mirror-target" }),

  // Tuning of nginx itself: no visible effect at the edge.
  "proxy-buffering": ignored(BUFFERS),
  "proxy-buffers-number": ignored(BUFFERS),
  "proxy-buffer-size": ignored(BUFFERS),
  "proxy-busy-buffers-size": ignored(BUFFERS),
  "proxy-max-temp-file-size": ignored(BUFFERS),
  "proxy-request-buffering": ignored(BUFFERS),
  "client-body-buffer-size": ignored(BUFFERS),
  "proxy-http-version": ignored("the Workers runtime picks the HTTP version to the origin"),
  "connection-proxy-header": ignored("the Workers runtime manages the connection to the origin"),
  "service-upstream": ignored("a pool's origins are addresses already: there are no Service endpoints to choose between"),
  "http2-push-preload": ignored("HTTP/2 server push is not offered at Cloudflare's edge; Link headers reach the client unchanged"),
  "enable-access-log": ignored("edge-ingress writes no access log of its own; Workers Logs record requests"),
  "enable-rewrite-log": ignored("edge-ingress rewrites nothing, so there is nothing to log"),
  "enable-opentelemetry": ignored(TRACING),
  "opentelemetry-trust-incoming-span": ignored(TRACING),
  "opentelemetry-operation-name": ignored(TRACING),
  "fastcgi-index": ignored("used only with backend-protocol: FCGI, which is refused"),
  "fastcgi-params-configmap": ignored("used only with backend-protocol: FCGI, which is refused"),
  "relative-redirects": ignored(NO_OWN_REDIRECTS),
  "use-port-in-redirects": ignored(NO_OWN_REDIRECTS),
};
