// The ingress-nginx authentication annotations, read into filters for each
// path of their Ingress (ingress-manifest.ts puts them there, after the
// HTTPS and access filters; path-filters.ts compiles them): auth-type basic
// with auth-secret, auth-secret-type and auth-realm becomes a BasicAuth filter;
// auth-url with auth-method, auth-signin, auth-signin-redirect-param and
// auth-response-headers becomes an ExternalAuth filter. There are no
// Kubernetes Secrets here: auth-secret names a Worker secret
// (`wrangler secret put NAME`) holding what the Secret's "auth" key held
// (htpasswd lines) or, for auth-map, a JSON object of user to hash. Every bad
// value is a problem at its annotation.
import { SECRET_NAME, SECRET_TYPES, type SecretType } from "../filters/basic-auth";
import { AUTH_METHODS, externalAuthProblems, type ExternalAuthSpec } from "../filters/external-auth";
import { NGINX_PREFIX } from "./annotations";
import { child, type DocLocation } from "./locations";
import { addProblem, type MergeState } from "./merge-state";
import { got } from "./messages";

const METHODS: ReadonlySet<string> = new Set(AUTH_METHODS);

/** The filters the Ingress's auth annotations ask for ([] for none); problems go to `state`. */
export function authFilters(annotations: Readonly<Record<string, unknown>>, at: DocLocation, state: MergeState): Record<string, unknown>[] {
  const get = (name: string) => {
    const value = annotations[`${NGINX_PREFIX}${name}`];
    return typeof value === "string" ? value : undefined;
  };
  const where = (name: string) => child(at, "metadata", "annotations", `${NGINX_PREFIX}${name}`);
  const filters: Record<string, unknown>[] = [];
  const before = state.problems.length;

  const type = get("auth-type");
  if (type !== undefined) {
    if (type !== "basic") addProblem(state, where("auth-type"), `must be "basic" (digest authentication is not supported), got ${got(type)}`);
    const secret = get("auth-secret");
    if (secret === undefined) addProblem(state, where("auth-type"), `needs ${NGINX_PREFIX}auth-secret: the name of the Worker secret holding the users`);
    else if (secret.includes("/")) addProblem(state, where("auth-secret"), `must be the name of a Worker secret (Worker secrets have no namespace: drop "${secret.slice(0, secret.indexOf("/") + 1)}"), got ${got(secret)}`);
    else if (!SECRET_NAME.test(secret)) addProblem(state, where("auth-secret"), `must be a Worker secret name (letters, digits, "_", "-", "."), got ${got(secret)}`);
    const secretType = get("auth-secret-type") ?? "auth-file";
    if (!(SECRET_TYPES as readonly string[]).includes(secretType)) addProblem(state, where("auth-secret-type"), `must be "auth-file" or "auth-map", got ${got(secretType)}`);
    const realm = get("auth-realm");
    if (state.problems.length === before) {
      filters.push({ type: "BasicAuth", basicAuth: { secret, secretType: secretType as SecretType, ...(realm !== undefined ? { realm } : {}) } });
    }
  }

  const url = get("auth-url");
  if (url !== undefined) {
    const count = state.problems.length;
    const method = get("auth-method");
    if (method !== undefined && !METHODS.has(method)) addProblem(state, where("auth-method"), `must be one of ${[...METHODS].join(", ")}, got ${got(method)}`);
    const param = get("auth-signin-redirect-param");
    if (param !== undefined && !/^[A-Za-z0-9_.-]+$/.test(param)) addProblem(state, where("auth-signin-redirect-param"), `must be a query parameter name, got ${got(param)}`);
    const headers = get("auth-response-headers");
    const responseHeaders = headers === undefined ? [] : headers.split(",").map((h) => h.trim()).filter((h) => h !== "");
    const bad = responseHeaders.filter((h) => !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h));
    if (bad.length > 0) addProblem(state, where("auth-response-headers"), `must be a comma-separated list of header names, got ${bad.map((h) => got(h)).join(", ")}`);
    const spec: ExternalAuthSpec = {
      url,
      ...(method !== undefined ? { method } : {}),
      ...(get("auth-signin") !== undefined ? { signin: get("auth-signin") } : {}),
      ...(param !== undefined ? { signinRedirectParam: param } : {}),
      ...(responseHeaders.length > 0 ? { responseHeaders } : {}),
    };
    for (const p of externalAuthProblems(spec)) addProblem(state, where(p.path[0] === "signin" ? "auth-signin" : "auth-url"), p.message);
    if (state.problems.length === count) filters.push({ type: "ExternalAuth", externalAuth: spec });
  }
  return filters;
}
