// The traffic annotations that become filters on every path of their
// Ingress, read here with the meaning ingress-nginx gives them
// (annotations.md); the HTTPS and access ones are ingress-policies.ts's:
//   enable-cors + cors-*  -> NginxCORS (filters/nginx-cors.ts)
//   proxy-body-size       -> RequestBodyLimit (filters/body-limit.ts)
//   default-backend (+ custom-http-errors) -> ErrorBackend (filters/error-backend.ts)
//   proxy-read/connect/send-timeout -> BackendTimeouts (filters/backend-timeouts.ts)
// A bad value is a problem at the annotation itself.
import { parseNginxSize } from "../filters/body-limit";
import { originPatternProblem } from "../filters/nginx-cors";
import { NGINX_ANNOTATIONS, NGINX_PREFIX } from "./annotations";
import { child, type DocLocation } from "./locations";
import { got } from "./messages";
import { addNote, addProblem, type MergeState } from "./merge-state";

type RawFilter = Record<string, unknown>;

const list = (text: string) => text.split(",").map((s) => s.trim()).filter((s) => s !== "");

/**
 * The filters these annotations make, put after `first` (the host's HTTPS
 * and access filters, ingress-policies.ts) and before each path's own (the
 * rewrite annotations', ingress-rewrites.ts). `namespace`: the Ingress's,
 * "default" when it names none (as kubectl applies it).
 */
export function trafficFilters(annotations: Readonly<Record<string, unknown>>, namespace: string, at: DocLocation, state: MergeState): (first: RawFilter[], own: RawFilter[]) => RawFilter[] {
  const copies: RawFilter[][] = [];
  const filters = readPolicies(annotations, namespace, at, state, copies);
  return (first, own) => {
    const all = [...first, ...filters, ...own];
    copies.push(all);
    return all;
  };
}

function readPolicies(annotations: Readonly<Record<string, unknown>>, namespace: string, at: DocLocation, state: MergeState, copies: RawFilter[][]): RawFilter[] {
  const get = (name: string) => {
    const value = annotations[`${NGINX_PREFIX}${name}`];
    return typeof value === "string" ? value : undefined;
  };
  const where = (name: string) => child(at, "metadata", "annotations", `${NGINX_PREFIX}${name}`);
  const filters: RawFilter[] = [];
  const bool = (name: string): boolean | undefined => {
    const value = get(name);
    if (value === undefined || value === "true" || value === "false") return value === undefined ? undefined : value === "true";
    addProblem(state, where(name), `must be "true" or "false", got ${got(value)}`);
    return undefined;
  };

  if (bool("enable-cors") === true) {
    const cors: Record<string, unknown> = {};
    const origins = get("cors-allow-origin");
    if (origins !== undefined) {
      const patterns = list(origins);
      const bad = patterns.map(originPatternProblem).filter((p) => p !== undefined);
      if (patterns.length === 0 || bad.length > 0) addProblem(state, where("cors-allow-origin"), bad.join("; ") || `must list at least one origin, got ${got(origins)}`);
      else cors.allowOrigin = patterns;
    }
    for (const [name, field] of [["cors-allow-methods", "allowMethods"], ["cors-allow-headers", "allowHeaders"], ["cors-expose-headers", "exposeHeaders"]] as const) {
      const value = get(name);
      if (value === undefined) continue;
      if (/[\r\n]/.test(value)) addProblem(state, where(name), `must be one line, got ${got(value)}`);
      else cors[field] = value;
    }
    const credentials = bool("cors-allow-credentials");
    if (credentials !== undefined) cors.allowCredentials = credentials;
    const maxAge = get("cors-max-age");
    if (maxAge !== undefined) {
      if (/^\d{1,9}$/.test(maxAge.trim())) cors.maxAgeSeconds = Number(maxAge.trim());
      else addProblem(state, where("cors-max-age"), `must be a whole number of seconds, got ${got(maxAge)}`);
    }
    filters.push({ type: "NginxCORS", nginxCors: cors });
  }

  const bodySize = get("proxy-body-size");
  if (bodySize !== undefined) {
    const maxBytes = parseNginxSize(bodySize);
    if (maxBytes === undefined) addProblem(state, where("proxy-body-size"), `must be a size as nginx writes it ("8m", "512k", "1g", a number of bytes, or "0" for no limit), got ${got(bodySize)}`);
    else filters.push({ type: "RequestBodyLimit", requestBodyLimit: { maxBytes } });
  }
  const timeouts = readTimeouts(get, where, state);
  if (timeouts) filters.push(timeouts);
  const errorBackend = readErrorBackend(get, where, namespace, at, state);
  if (errorBackend) {
    filters.push(errorBackend);
    // Pools may come from any file: checked once all are read, and reported here rather than at a filter nobody wrote.
    const pool = (errorBackend.errorBackend as { backendRef: { name: string } }).backendRef.name;
    (state.annotationPools ??= []).push({ pool, at: where("default-backend"), drop: () => copies.forEach((c) => c.includes(errorBackend) && c.splice(c.indexOf(errorBackend), 1)) });
  }
  return filters;
}

/** nginx time values as ingress-nginx takes them: whole seconds ("60"; "60s" too). */
function seconds(get: (name: string) => string | undefined, name: string, where: (name: string) => DocLocation, state: MergeState): number | undefined {
  const value = get(name);
  if (value === undefined) return undefined;
  const m = /^(\d{1,4})s?$/.exec(value.trim());
  if (m && Number(m[1]) >= 1 && Number(m[1]) <= 3600) return Number(m[1]);
  addProblem(state, where(name), `must be a whole number of seconds from 1 to 3600, got ${got(value)}`);
  return undefined;
}

function readTimeouts(get: (name: string) => string | undefined, where: (name: string) => DocLocation, state: MergeState): RawFilter | undefined {
  const read = seconds(get, "proxy-read-timeout", where, state);
  const connect = seconds(get, "proxy-connect-timeout", where, state);
  const send = seconds(get, "proxy-send-timeout", where, state);
  const timeouts: Record<string, number> = {};
  // workerd connects inside the wait for the response headers: nginx's worst case is connect + read.
  if (read !== undefined) timeouts.responseMs = (read + (connect ?? 0)) * 1000;
  if (send !== undefined) timeouts.uploadIdleMs = send * 1000;
  if (connect !== undefined && read === undefined) {
    addNote(state, where("proxy-connect-timeout"), "no effect alone: workerd has no connect deadline; the connection is opened inside the wait for the response headers (the pool's timeoutMs, or proxy-read-timeout plus this)");
  }
  return Object.keys(timeouts).length === 0 ? undefined : { type: "BackendTimeouts", backendTimeouts: timeouts };
}

function readErrorBackend(get: (name: string) => string | undefined, where: (name: string) => DocLocation, namespace: string, at: DocLocation, state: MergeState): RawFilter | undefined {
  const service = get("default-backend")?.trim();
  const codesText = get("custom-http-errors");
  let statusCodes: number[] = [];
  if (codesText !== undefined && get("disable-proxy-intercept-errors") !== "true") {
    const items = list(codesText);
    const bad = items.filter((c) => !/^\d{3}$/.test(c) || Number(c) < 300 || Number(c) > 599);
    if (items.length === 0 || bad.length > 0) addProblem(state, where("custom-http-errors"), `must be a comma-separated list of status codes from 300 to 599, got ${got(codesText)}`);
    else statusCodes = items.map(Number);
    if (service === undefined) {
      addProblem(state, where("custom-http-errors"),
        `needs ${NGINX_PREFIX}default-backend: ingress-nginx would send these errors to the controller's own default backend, and edge-ingress has none; name the service (a pool) that answers them`);
    }
  }
  if (service === undefined || service === "") return undefined;
  return { type: "ErrorBackend", errorBackend: { backendRef: { name: service }, ...(statusCodes.length > 0 ? { statusCodes } : {}), ingressName: at.ingress ?? "", namespace } };
}

/** What a canary Ingress may set for its own backend; ingress-nginx reads nothing else of it. */
const CANARY_OWN = /^(canary|affinity|session-cookie)/;

/**
 * A canary Ingress's other honoured annotations (enable-cors,
 * proxy-body-size, whitelist-source-range, rewrite-target, ...) do nothing:
 * ingress-nginx serves the canary's share of a path with the main Ingress's
 * settings, and so does edge-ingress (the canary is the main path's other
 * backend). A note names each, so none is dropped without a word.
 */
export function noteCanaryInherited(annotations: Readonly<Record<string, unknown>>, at: DocLocation, state: MergeState): void {
  for (const key of Object.keys(annotations)) {
    if (!key.startsWith(NGINX_PREFIX)) continue;
    const name = key.slice(NGINX_PREFIX.length);
    if (CANARY_OWN.test(name) || NGINX_ANNOTATIONS[name]?.verdict !== "honoured") continue;
    addNote(state, child(at, "metadata", "annotations", key),
      "no effect on a canary Ingress: its share of the traffic is served with the main Ingress's annotations, as in ingress-nginx; set it on the main Ingress");
  }
}
