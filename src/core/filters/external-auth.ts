// ExternalAuth (edge-ingress's own filter; ingress-nginx's auth-url): before
// the request goes anywhere, a subrequest without body asks an auth service
// at an absolute URL, carrying the client's headers (Authorization and
// Cookie included) and what ingress-nginx adds: X-Original-URL,
// X-Original-Method, X-Auth-Request-Redirect. 2xx lets the request through
// (with the listed response headers copied onto it); 401 goes back to the
// client (its WWW-Authenticate kept) or, with a sign-in URL, becomes a 302
// there with `rd=` the original URL; 403 goes back; anything else, a
// failure or no answer within the timeout, is 500. The subrequest is one of
// the Worker's per-request subrequests (README, Authentication).
import * as v from "valibot";
import { got } from "../config/messages";
import { frozenFilter, type Filter, type FilterRequest, type LocalAnswer } from "./filter";
import { defineFilter, type FilterProblem } from "./module";

export const DEFAULT_AUTH_TIMEOUT_MS = 5000;
export const MAX_AUTH_TIMEOUT_MS = 60_000;
/** Methods the auth subrequest may use (ingress-nginx's auth-method accepts these). */
export const AUTH_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Never sent to the auth service: it gets no body, is no upgrade (WebSocket), and the runtime owns these. */
const NOT_SENT = ["content-length", "transfer-encoding", "host", "connection", "upgrade", "keep-alive", "te", "trailer", "expect"];

export interface ExternalAuthSpec {
  readonly url: string;
  readonly method?: string;
  readonly signin?: string;
  readonly signinRedirectParam?: string;
  readonly responseHeaders?: readonly string[];
  readonly timeoutMs?: number;
}

const schema = v.strictObject(
  {
    url: v.pipe(v.string((i) => `must be an absolute http(s) URL, got ${got(i.input)}`), v.description("The auth service: an absolute http(s) URL.")),
    method: v.optional(v.pipe(v.picklist(AUTH_METHODS, (i) => `must be one of ${AUTH_METHODS.join(", ")}, got ${got(i.input)}`), v.description("Method of the auth subrequest; default GET."))),
    signin: v.optional(v.pipe(v.string(), v.description("Where a 401 redirects the client instead (302), with the original URL in the `rd` query parameter."))),
    signinRedirectParam: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]+$/, (i) => `must be a query parameter name, got ${got(i.input)}`), v.description('Name of that parameter; default "rd".'))),
    responseHeaders: v.optional(
      v.pipe(v.array(v.pipe(v.string(), v.regex(HEADER_NAME, (i) => `must be a header name, got ${got(i.input)}`))), v.description("Headers copied from a 2xx auth response onto the request to the origin (removed from it when the auth response lacks them).")),
    ),
    timeoutMs: v.optional(
      v.pipe(v.number(), v.integer(), v.minValue(1, "must be at least 1"), v.maxValue(MAX_AUTH_TIMEOUT_MS, `must be at most ${MAX_AUTH_TIMEOUT_MS}`), v.description(`Deadline of the auth answer; default ${DEFAULT_AUTH_TIMEOUT_MS}.`)),
    ),
  },
  (i) => `must be an object with "url", got ${got(i.input)}`,
);

export const externalAuth = defineFilter<ExternalAuthSpec>({
  type: "ExternalAuth",
  field: "externalAuth",
  schema,
  onBackendRef: false,
  repeatable: false,
  check: (raw) => externalAuthProblems(raw),
  compile: (raw) => externalAuthFilter(raw),
});

/** Problems with the URLs (the schema checked the types). */
export function externalAuthProblems(spec: ExternalAuthSpec): FilterProblem[] {
  const problems: FilterProblem[] = [];
  const url = urlProblem(spec.url);
  if (url) problems.push({ path: ["url"], message: `${url}, got ${got(spec.url)}` });
  if (spec.signin !== undefined) {
    const signin = urlProblem(expandSignin(spec.signin, { scheme: "https", host: "example.com", uri: "/" }));
    if (signin) problems.push({ path: ["signin"], message: `${signin} ($scheme, $host, $request_uri and $escaped_request_uri are filled in), got ${got(spec.signin)}` });
  }
  return problems;
}

function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "must be an absolute http(s) URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an absolute http(s) URL";
  if (url.username !== "" || url.password !== "") return "must not carry credentials (they would be stored in KV and shown by the CLI)";
  return undefined;
}

export function externalAuthFilter(spec: ExternalAuthSpec): Filter {
  const method = spec.method ?? "GET";
  const timeoutMs = spec.timeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS;
  const copied = (spec.responseHeaders ?? []).map((h) => h.toLowerCase());
  const target = new URL(spec.url);
  const where = `${target.origin}${target.pathname}`; // for logs: no query
  return frozenFilter({
    type: "ExternalAuth",
    stage: "auth",
    async onRequestAsync(request, services) {
      const headers = new Headers(request.headers);
      for (const name of NOT_SENT) headers.delete(name);
      const uri = request.clientPath + request.search;
      headers.set("x-original-url", `${request.scheme}://${request.clientHeaders.get("host") ?? request.hostname}${uri}`);
      headers.set("x-original-method", request.method);
      headers.set("x-auth-request-redirect", uri);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      let response: Response;
      try {
        response = await services.fetch(spec.url, { method, headers, redirect: "manual", signal: controller.signal });
      } catch (error) {
        const reason = controller.signal.aborted ? `no answer within ${timeoutMs} ms` : error instanceof Error ? error.message : String(error);
        return failed(where, { reason });
      } finally {
        clearTimeout(timer);
      }
      const status = response.status;
      const answerHeaders = response.headers;
      await response.body?.cancel();
      services.log({ event: "auth.external", requestId: services.requestId, status });
      if (status >= 200 && status < 300) {
        for (const name of copied) {
          const value = answerHeaders.get(name);
          // As ingress-nginx: a listed header the auth service did not send is not passed on from the client either.
          if (value === null) request.headers.delete(name);
          else request.headers.set(name, value);
        }
        return undefined;
      }
      if (status === 401 && spec.signin !== undefined) return signinRedirect(spec, request);
      if (status === 401 || status === 403) {
        const challenge = answerHeaders.get("www-authenticate");
        return {
          status,
          headers: status === 401 && challenge !== null ? { "www-authenticate": challenge } : {},
          body: status === 401 ? "edge-ingress: authentication required" : "edge-ingress: access denied by the auth service",
          error: status === 401 ? "auth-required" : "auth-denied",
        };
      }
      return failed(where, { status });
    },
    describe: () => [`external authentication: ${method} ${where} (timeout ${timeoutMs} ms)${spec.signin ? `, sign-in at ${spec.signin}` : ""}${copied.length ? `, copies ${copied.join(", ")}` : ""}`],
  });
}

function failed(url: string, detail: Readonly<Record<string, unknown>>): LocalAnswer {
  return { status: 500, headers: {}, body: "edge-ingress: the authentication service failed", error: "auth-failed", detail: { authUrl: url, ...detail } };
}

/** ingress-nginx's auth-signin: the original URL goes in `rd` unless the sign-in URL already has that parameter. */
function signinRedirect(spec: ExternalAuthSpec, request: FilterRequest): LocalAnswer {
  const host = request.clientHeaders.get("host") ?? request.hostname;
  const uri = request.clientPath + request.search;
  const location = new URL(expandSignin(spec.signin!, { scheme: request.scheme, host, uri }));
  const param = spec.signinRedirectParam ?? "rd";
  if (!location.searchParams.has(param)) location.searchParams.set(param, `${request.scheme}://${host}${uri}`);
  return { status: 302, headers: { location: location.href }, body: "" };
}

/** The nginx variables ingress-nginx's documentation uses in auth-signin. */
function expandSignin(text: string, at: { scheme: string; host: string; uri: string }): string {
  return text.replace(/\$(escaped_request_uri|request_uri|scheme|host)\b/g, (_, name: string) =>
    name === "escaped_request_uri" ? encodeURIComponent(at.uri) : name === "request_uri" ? at.uri : name === "scheme" ? at.scheme : at.host,
  );
}
