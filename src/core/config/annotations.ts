// What edge-ingress does with every part of an Ingress manifest a user may
// write: each annotation ingress-nginx reads (names from its annotations
// reference and its scope-and-risk table, kubernetes/ingress-nginx
// docs/user-guide/nginx-configuration/annotations.md and annotations-risk.md)
// and each field. One table, printed in README's "Ingress annotations" section
// (scripts/gen-annotations-table.ts writes it; a test checks they agree).
//
//   honoured  edge-ingress does what ingress-nginx does with it.
//   ignored   it only tunes nginx itself: no visible effect at the edge; a note names it.
//   warned    accepted, with a warning that says how edge-ingress differs.
//   refused   an error: applying it would serve the route differently (often
//             less protected) than the manifest says.
// Later features move entries from refused to honoured.

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

const honoured = (reason: string): AnnotationVerdict => ({ verdict: "honoured", reason });
const ignored = (reason: string): AnnotationVerdict => ({ verdict: "ignored", reason });
const refused = (reason: string, more: Omit<AnnotationVerdict, "verdict" | "reason"> = {}): AnnotationVerdict => ({ verdict: "refused", reason, ...more });

const IP_ALLOW = "restricts clients by IP address, which is not built yet: the route would be open to every address. Use a Cloudflare WAF custom rule on ip.src (or Cloudflare Access) instead";
const CLIENT_CERT = "client certificate authentication (mTLS) is not built yet: clients without a certificate would get through. Use Cloudflare's mTLS (API Shield or Access) instead";
const RATE_LIMIT = "rate limiting is not built yet: clients would not be limited. Use a Cloudflare rate limiting rule instead";
const SNIPPET = "raw nginx configuration cannot run on Cloudflare Workers: write what it does as edge-ingress config (or a Cloudflare rule), or remove it";
const WAF = "the ModSecurity web application firewall is not built: requests would not be inspected. Use Cloudflare's WAF managed rules instead";
const HTTPS_REDIRECT = 'the HTTP to HTTPS redirect is not built yet: plain HTTP requests would be proxied, not redirected. Turn on "Always Use HTTPS" for the zone in Cloudflare and remove the annotation';
const ORIGIN_TLS = "TLS to the origin is made by the Workers runtime: client certificates, certificate checks, SNI (the origin URL's host), ciphers and protocols are not configurable. Remove the annotation";
const CANARY = 'canary Ingresses are not built yet (see canary): remove the canary Ingress';
const AFFINITY = "session affinity (a sticky cookie) is not built yet: one client's requests would spread over every origin of the pool. Remove it, or give the pool one origin";
const CORS = "CORS responses are not built yet: the CORS headers would be missing, so browsers would refuse cross-origin calls. Answer CORS in the origin, or use a Cloudflare response header transform rule";
const REDIRECT = "redirects are not built yet: the request would be proxied to the origin instead. Use a Cloudflare redirect rule";
const BUFFERS = "nginx buffer tuning: edge-ingress streams bodies both ways, with no buffers to size";
const TIMEOUTS = "per-Ingress timeouts are not built: set the pool's timeoutMs (the deadline for the origin's response headers) instead";
const RETRIES = "retries are fixed: a failed connection is retried once on another origin, for GET, HEAD and OPTIONS without a body; this is not configurable yet. Remove the annotation";
const HASHING = "consistent hashing is not built yet: requests would be spread by the pool's policy instead. Remove it";
const MIRROR = "request mirroring is not built yet: the mirror would receive nothing. Remove it";
const TRACING = "tracing is not built: no spans are sent; requests are served the same";
const NO_OWN_REDIRECTS = "shapes redirects nginx makes itself; edge-ingress makes none (the origin's redirects reach the client unchanged)";

/** Every annotation ingress-nginx reads, by name after NGINX_PREFIX. */
export const NGINX_ANNOTATIONS: Readonly<Record<string, AnnotationVerdict>> = {
  // Who may reach the route.
  "allowlist-source-range": refused(IP_ALLOW),
  "whitelist-source-range": refused(IP_ALLOW),
  "denylist-source-range": refused("blocks client IP ranges, which is not built yet: those addresses would get through. Use a Cloudflare WAF custom rule on ip.src instead"),
  "auth-type": honoured('"basic": HTTP basic authentication with the users of the Worker secret auth-secret names; 401 with WWW-Authenticate otherwise, and the origin is never asked ("digest" is refused)'),
  "auth-secret": { ...honoured("the name of a Worker secret (`wrangler secret put NAME`; no namespace) holding htpasswd lines, or a JSON object of user to hash with auth-map"), requires: "auth-type" },
  "auth-secret-type": { ...honoured('"auth-file" (default): the secret is htpasswd lines; "auth-map": a JSON object of user name to hash'), requires: "auth-type" },
  "auth-realm": { ...honoured("the realm of the Basic challenge"), requires: "auth-type" },
  "auth-url": honoured("an absolute http(s) URL asked first, without body, with the request's headers, X-Original-URL and X-Original-Method: 2xx lets the request through, 401 and 403 go back to the client, anything else or no answer within 5 s is 500"),
  "auth-method": { ...honoured("the method of the auth subrequest (default GET)"), requires: "auth-url" },
  "auth-signin": { ...honoured("a 401 from the auth service becomes a 302 to this URL, with the original URL in rd= ($scheme, $host, $request_uri, $escaped_request_uri are filled in)"), requires: "auth-url" },
  "auth-signin-redirect-param": { ...honoured("the name of the sign-in redirect's parameter (default rd)"), requires: "auth-url" },
  "auth-response-headers": { ...honoured("headers copied from a 2xx auth response onto the request to the origin (removed from it when the auth response lacks them)"), requires: "auth-url" },
  "auth-request-redirect": refused("a custom X-Auth-Request-Redirect value is not built: the auth service would receive the request's own path and query there instead. Remove it", { requires: "auth-url" }),
  "auth-cache-key": refused("auth answers are not cached: every request would ask the auth service. Remove it (and auth-cache-duration)", { requires: "auth-url" }),
  "auth-cache-duration": refused("auth answers are not cached: every request would ask the auth service. Remove it (and auth-cache-key)", { requires: "auth-url" }),
  "auth-keepalive": { ...ignored("connection reuse to the auth service is the Workers runtime's, not configurable"), requires: "auth-url" },
  "auth-keepalive-share-vars": { ...ignored("connection reuse to the auth service is the Workers runtime's, not configurable"), requires: "auth-url" },
  "auth-keepalive-requests": { ...ignored("connection reuse to the auth service is the Workers runtime's, not configurable"), requires: "auth-url" },
  "auth-keepalive-timeout": { ...ignored("connection reuse to the auth service is the Workers runtime's, not configurable"), requires: "auth-url" },
  "auth-proxy-set-headers": refused("names a ConfigMap of headers for the auth subrequest, and there are no ConfigMaps here: the auth service would not receive them. Remove it", { requires: "auth-url" }),
  "auth-always-set-cookie": refused("passing the auth service's Set-Cookie to the client is not built: the client would not receive that cookie. Remove it", { requires: "auth-url" }),
  "auth-snippet": refused(SNIPPET, { requires: "auth-url" }),
  "enable-global-auth": refused("global external authentication (global-auth-url in ingress-nginx's ConfigMap) is not built: requests would reach the origin unauthenticated. Put the route behind Cloudflare Access instead", { inert: ["false"] }),
  "auth-tls-secret": refused(CLIENT_CERT),
  "auth-tls-verify-client": refused(CLIENT_CERT, { requires: "auth-tls-secret" }),
  "auth-tls-verify-depth": refused(CLIENT_CERT, { requires: "auth-tls-secret" }),
  "auth-tls-error-page": refused(CLIENT_CERT, { requires: "auth-tls-secret" }),
  "auth-tls-pass-certificate-to-upstream": refused(CLIENT_CERT, { requires: "auth-tls-secret" }),
  "auth-tls-match-cn": refused(CLIENT_CERT, { requires: "auth-tls-secret" }),
  satisfy: refused("combines authentication requirements, and authentication is not built yet. Put the route behind Cloudflare Access instead"),
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
  "ssl-redirect": refused(HTTPS_REDIRECT, { inert: ["false"] }),
  "force-ssl-redirect": refused(HTTPS_REDIRECT, { inert: ["false"] }),
  "preserve-trailing-slash": ignored("only shapes ingress-nginx's HTTPS redirect, which edge-ingress does not make (see spec.tls)"),
  "ssl-passthrough": refused("Cloudflare terminates TLS at the edge: TLS cannot be passed through to the origin", { inert: ["false"] }),
  "ssl-ciphers": refused("Cloudflare terminates TLS with the zone's cipher suites: set them (and the Minimum TLS Version) in the zone's SSL/TLS settings, and remove the annotation"),
  "ssl-prefer-server-ciphers": ignored("Cloudflare chooses the cipher order at the edge"),
  "backend-protocol": refused("the origin URL's scheme (http:// or https://) decides how edge-ingress talks to the origin; GRPC, GRPCS, FCGI and AUTO_HTTP are not supported. Remove the annotation and write the scheme in the pool's origin URLs"),
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
  canary: refused("canary Ingresses are not built yet: ingress-nginx would send part of another Ingress's traffic (same host and path) here, edge-ingress would not. For a weighted split, put both services' origins in one pool with weights", { inert: ["false"] }),
  "canary-by-header": refused(CANARY, { requires: "canary" }),
  "canary-by-header-value": refused(CANARY, { requires: "canary" }),
  "canary-by-header-pattern": refused(CANARY, { requires: "canary" }),
  "canary-by-cookie": refused(CANARY, { requires: "canary" }),
  "canary-weight": refused(CANARY, { requires: "canary" }),
  "canary-weight-total": refused(CANARY, { requires: "canary" }),
  "rewrite-target": refused("path rewriting is not built yet: the origin would receive the request path unchanged. If the origin serves under a prefix, give its origin URL that base path"),
  "app-root": refused("the redirect from / to the application root is not built yet: / would be proxied as it is. Use a Cloudflare redirect rule"),
  "permanent-redirect": refused(REDIRECT),
  "permanent-redirect-code": refused(REDIRECT, { requires: "permanent-redirect" }),
  "temporal-redirect": refused(REDIRECT),
  "temporal-redirect-code": refused(REDIRECT, { requires: "temporal-redirect" }),
  "from-to-www-redirect": refused(REDIRECT, { inert: ["false"] }),
  "server-alias": refused("host aliases are not built: the alias hosts would not be routed. Add a rule for each alias host"),
  "default-backend": refused("the annotation's fallback service is not built: use spec.defaultBackend for requests no rule matches, or the pool's whenAllDown for a pool whose origins are all down"),
  "custom-http-errors": refused("replacing error responses is not built yet: the origin's own error pages would reach the client. Remove it"),
  "disable-proxy-intercept-errors": ignored("edge-ingress never replaces the origin's error responses"),
  "upstream-vhost": refused("the origin receives the host of its URL as Host: write that host in the pool's origin URL, and remove the annotation"),
  "x-forwarded-prefix": refused("the X-Forwarded-Prefix header is not sent yet. Remove it"),
  "custom-headers": refused("adding response headers is not built yet: the headers (often security headers) would be missing. Use a Cloudflare response header transform rule"),
  "enable-cors": refused(CORS, { inert: ["false"] }),
  "cors-allow-origin": refused(CORS, { requires: "enable-cors" }),
  "cors-allow-methods": refused(CORS, { requires: "enable-cors" }),
  "cors-allow-headers": refused(CORS, { requires: "enable-cors" }),
  "cors-expose-headers": refused(CORS, { requires: "enable-cors" }),
  "cors-allow-credentials": refused(CORS, { requires: "enable-cors" }),
  "cors-max-age": refused(CORS, { requires: "enable-cors" }),
  "proxy-redirect-from": refused("rewriting the origin's Location headers is not built: redirects reach the client unchanged. Remove it", { inert: ["off"] }),
  "proxy-redirect-to": refused("rewriting the origin's Location headers is not built: redirects reach the client unchanged. Remove it", { requires: "proxy-redirect-from" }),
  "proxy-cookie-domain": refused("rewriting Set-Cookie attributes is not built: cookies reach the client as the origin set them. Remove it", { inert: ["off"] }),
  "proxy-cookie-path": refused("rewriting Set-Cookie attributes is not built: cookies reach the client as the origin set them. Remove it", { inert: ["off"] }),
  "proxy-body-size": refused("request bodies are not limited by edge-ingress: the zone's plan limit applies (100 MB on Free and Pro). Remove it, or limit bodies with a Cloudflare WAF rule"),
  "proxy-connect-timeout": refused(TIMEOUTS),
  "proxy-send-timeout": refused(TIMEOUTS),
  "proxy-read-timeout": refused(TIMEOUTS),
  "proxy-next-upstream": refused(RETRIES),
  "proxy-next-upstream-timeout": refused(RETRIES),
  "proxy-next-upstream-tries": refused(RETRIES),
  "load-balance": refused("set the pool's policy (random, round-robin or least-recent) instead: a pool, not an Ingress, picks its origins"),
  "upstream-hash-by": refused(HASHING),
  "upstream-hash-by-subset": refused(HASHING, { requires: "upstream-hash-by" }),
  "upstream-hash-by-subset-size": refused(HASHING, { requires: "upstream-hash-by" }),
  affinity: refused(AFFINITY),
  "affinity-mode": refused(AFFINITY, { requires: "affinity" }),
  "affinity-canary-behavior": refused(AFFINITY, { requires: "affinity" }),
  "session-cookie-change-on-failure": refused(AFFINITY, { requires: "affinity" }),
  "session-cookie-conditional-samesite-none": refused(AFFINITY, { requires: "affinity" }),
  "session-cookie-domain": refused(AFFINITY, { requires: "affinity" }),
  "session-cookie-expires": refused(AFFINITY, { requires: "affinity" }),
  "session-cookie-max-age": refused(AFFINITY, { requires: "affinity" }),
  "session-cookie-name": refused(AFFINITY, { requires: "affinity" }),
  "session-cookie-path": refused(AFFINITY, { requires: "affinity" }),
  "session-cookie-samesite": refused(AFFINITY, { requires: "affinity" }),
  "session-cookie-secure": refused(AFFINITY, { requires: "affinity" }),
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

/** Annotations outside NGINX_PREFIX that edge-ingress reads, by full name. */
export const OTHER_ANNOTATIONS: Readonly<Record<string, AnnotationVerdict>> = {
  "kubernetes.io/ingress.class": honoured("the Ingress's class: --ingress-class keeps only Ingresses of that class; it must match spec.ingressClassName when both are set"),
  "kubectl.kubernetes.io/last-applied-configuration": honoured("kubectl's copy of the manifest it last applied: read by kubectl, by no controller; not stored, since the manifest itself is"),
};

/** Prefixes of other ingress controllers' annotations: a warning, since what they ask for does not happen. */
export const CONTROLLER_PREFIXES: Readonly<Record<string, string>> = {
  "alb.ingress.kubernetes.io/": "the AWS Load Balancer Controller",
  "appgw.ingress.kubernetes.io/": "the Azure Application Gateway Ingress Controller",
  "traefik.ingress.kubernetes.io/": "Traefik",
  "haproxy.org/": "the HAProxy Kubernetes Ingress Controller",
  "haproxy-ingress.github.io/": "HAProxy Ingress",
  "nginx.org/": "the F5 NGINX Ingress Controller",
  "nginx.com/": "the F5 NGINX Ingress Controller",
  "konghq.com/": "the Kong Ingress Controller",
  "projectcontour.io/": "Contour",
  "contour.heptio.com/": "Contour",
  "getambassador.io/": "Emissary-ingress",
  "zalando.org/": "Skipper",
  "ingress.gcp.kubernetes.io/": "GKE Ingress",
  "networking.gke.io/": "GKE Ingress",
  "kubernetes.io/ingress.": "GKE Ingress or another cloud controller",
  "ingress.kubernetes.io/": "an older ingress controller (this prefix predates nginx.ingress.kubernetes.io/)",
};

/** Prefixes of tools that are not ingress controllers: a note, since they change nothing in routing. */
export const TOOL_PREFIXES: Readonly<Record<string, string>> = {
  "cert-manager.io/": "cert-manager (certificates are not needed: Cloudflare terminates TLS)",
  "acme.cert-manager.io/": "cert-manager (certificates are not needed: Cloudflare terminates TLS)",
  "external-dns.alpha.kubernetes.io/": "ExternalDNS (point the hosts' DNS at the Worker yourself)",
  "argocd.argoproj.io/": "Argo CD",
  "meta.helm.sh/": "Helm",
  "kubectl.kubernetes.io/": "kubectl",
};

export interface FieldVerdict extends AnnotationVerdict {
  /** Path inside the manifest, e.g. `spec.rules[].host`. */
  readonly field: string;
}

const SERVER_WRITTEN = "written by the API server (it is in `kubectl get -o yaml` output): no effect on routing, here as in ingress-nginx";

/** Every field of an Ingress manifest. A metadata field not listed here is refused as unknown (a misspelt `annotations` would drop them all). */
export const INGRESS_FIELDS: readonly FieldVerdict[] = [
  { field: "apiVersion", ...honoured("must be networking.k8s.io/v1 (v1beta1 was removed in Kubernetes 1.22)") },
  { field: "kind", ...honoured("Ingress; a `List` or `IngressList` of them is unpacked; other kinds are skipped with a note") },
  { field: "metadata.name", ...honoured("names the Ingress in every message; the same namespace and name twice is refused (kubectl would keep only the last)") },
  { field: "metadata.namespace", ...honoured("identifies the Ingress with its name. Pools are not namespaced: a service name means the same pool in every namespace") },
  { field: "metadata.annotations", ...honoured("each as the annotation table says; stored with the config, so changing one is a new version") },
  { field: "metadata.labels", ...honoured("no effect on routing, here as in ingress-nginx") },
  ...["uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink", "finalizers", "ownerReferences", "generateName", "clusterName"].map(
    (name) => ({ field: `metadata.${name}`, ...honoured(SERVER_WRITTEN) }),
  ),
  { field: "spec.ingressClassName", ...honoured("the Ingress's class: --ingress-class keeps only Ingresses of that class") },
  { field: "spec.rules[].host", ...honoured("see [Matching rules](#matching-rules)") },
  { field: "spec.rules[].http.paths[].path", ...honoured("see [Matching rules](#matching-rules)") },
  { field: "spec.rules[].http.paths[].pathType", ...honoured("see [Matching rules](#matching-rules)") },
  { field: "spec.rules[].http.paths[].backend.service.name", ...honoured("the pool that serves the path") },
  {
    field: "spec.rules[].http.paths[].backend.service.port",
    ...ignored("required, as Kubernetes requires it, but the pool's origin URLs carry the port. Named in no note (every backend has one); one pool named with two different ports is refused"),
  },
  { field: "spec.rules[].http.paths[].backend.resource", ...honoured("its `name` is the pool that serves the path (`apiGroup` and `kind` are not read)") },
  { field: "spec.defaultBackend", ...honoured("where requests no rule matches go (at most one across all documents)") },
  {
    field: "spec.tls",
    verdict: "warned",
    reason:
      'Cloudflare terminates TLS at the edge, so certificates are not needed; but ingress-nginx redirects HTTP to HTTPS for TLS hosts by default, and that redirect is not built yet: a warning says so (only a note when ssl-redirect is "false")',
  },
  { field: "status", ...honoured(SERVER_WRITTEN) },
];
