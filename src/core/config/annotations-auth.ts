// The authentication rows of the annotation verdict table (annotations.ts
// holds the rest and spreads these in; README's table is generated from the
// whole). auth-type basic and auth-url with their companions become the
// BasicAuth and ExternalAuth filters (ingress-auth.ts); client certificates
// and the rest are refused or ignored, each saying why.
import type { AnnotationVerdict } from "./annotations";

type More = Omit<AnnotationVerdict, "verdict" | "reason">;
const honoured = (reason: string, more: More = {}): AnnotationVerdict => ({ verdict: "honoured", reason, ...more });
const ignored = (reason: string, more: More = {}): AnnotationVerdict => ({ verdict: "ignored", reason, ...more });
const refused = (reason: string, more: More = {}): AnnotationVerdict => ({ verdict: "refused", reason, ...more });

const URL = { requires: "auth-url" };
const KEEPALIVE = "connection reuse to the auth service is the Workers runtime's, not configurable";
const NO_CACHE = "auth answers are not cached: every request would ask the auth service";
const CLIENT_CERT = "client certificate authentication (mTLS) is not built yet: clients without a certificate would get through. Use Cloudflare's mTLS (API Shield or Access) instead";

/** By name after NGINX_PREFIX. */
export const AUTH_ANNOTATIONS: Readonly<Record<string, AnnotationVerdict>> = {
  "auth-type": honoured('"basic": HTTP basic authentication with the users of the Worker secret auth-secret names; 401 with WWW-Authenticate otherwise, and the origin is never asked ("digest" is refused)'),
  "auth-secret": honoured("the name of a Worker secret (`wrangler secret put NAME`; no namespace) holding htpasswd lines, or a JSON object of user to hash with auth-map", { requires: "auth-type" }),
  "auth-secret-type": honoured('"auth-file" (default): the secret is htpasswd lines; "auth-map": a JSON object of user name to hash', { requires: "auth-type" }),
  "auth-realm": honoured("the realm of the Basic challenge", { requires: "auth-type" }),
  "auth-url": honoured("an absolute http(s) URL asked first, without body, with the request's headers, X-Original-URL and X-Original-Method: 2xx lets the request through, 401 and 403 go back to the client, anything else or no answer within 5 s is 500"),
  "auth-method": honoured("the method of the auth subrequest (default GET)", URL),
  "auth-signin": honoured("a 401 from the auth service becomes a 302 to this URL, with the original URL in rd= ($scheme, $host, $request_uri, $escaped_request_uri are filled in)", URL),
  "auth-signin-redirect-param": honoured("the name of the sign-in redirect's parameter (default rd)", URL),
  "auth-response-headers": honoured("headers copied from a 2xx auth response onto the request to the origin (removed from it when the auth response lacks them)", URL),
  "auth-request-redirect": refused("a custom X-Auth-Request-Redirect value is not built: the auth service would receive the request's own path and query there instead. Remove it", URL),
  "auth-cache-key": refused(`${NO_CACHE}. Remove it (and auth-cache-duration)`, URL),
  "auth-cache-duration": refused(`${NO_CACHE}. Remove it (and auth-cache-key)`, URL),
  "auth-keepalive": ignored(KEEPALIVE, URL),
  "auth-keepalive-share-vars": ignored(KEEPALIVE, URL),
  "auth-keepalive-requests": ignored(KEEPALIVE, URL),
  "auth-keepalive-timeout": ignored(KEEPALIVE, URL),
  "auth-proxy-set-headers": refused("names a ConfigMap of headers for the auth subrequest, which edge-ingress does not send: the auth service would not receive them. Remove it", URL),
  "auth-always-set-cookie": refused("passing the auth service's Set-Cookie to the client is not built: the client would not receive that cookie. Remove it", URL),
  "enable-global-auth": refused("global external authentication (global-auth-url in ingress-nginx's ConfigMap) is not built: requests would reach the origin unauthenticated. Put the route behind Cloudflare Access instead", { inert: ["false"] }),
  "auth-tls-secret": refused(CLIENT_CERT),
  "auth-tls-verify-client": refused(CLIENT_CERT, { requires: "auth-tls-secret" }),
  "auth-tls-verify-depth": refused(CLIENT_CERT, { requires: "auth-tls-secret" }),
  "auth-tls-error-page": refused(CLIENT_CERT, { requires: "auth-tls-secret" }),
  "auth-tls-pass-certificate-to-upstream": refused(CLIENT_CERT, { requires: "auth-tls-secret" }),
  "auth-tls-match-cn": refused(CLIENT_CERT, { requires: "auth-tls-secret" }),
  satisfy: refused(
    '"any" lets a request through when either the access lists or the authentication let it through, which is not built: edge-ingress would ask for both. Remove it ("all", what edge-ingress does, is accepted)',
    { inert: ["all"] },
  ),
};
