// The headers ingress-nginx takes from ConfigMaps, as one NginxHeaders
// filter (filters/nginx-headers.ts) last on every path of every Ingress:
//   proxy-set-headers (controller ConfigMap) -> request headers, every Ingress
//   add-headers (controller ConfigMap)       -> response headers, every Ingress
//   custom-headers (annotation)              -> response headers of that
//     Ingress's paths, over add-headers' of the same name; only names the
//     controller ConfigMap's global-allowed-response-headers lists, as
//     ingress-nginx refuses the others.
// Applied once every file is read, since a ConfigMap may come in any file;
// each header is checked where it was written (the ConfigMap's data key).
import { headerNameProblem, headerValueProblem, REQUEST_HEADER_REASONS, RESPONSE_HEADER_REASONS } from "../filters/nginx-headers";
import { NGINX_PREFIX } from "./annotations";
import { noteUnusedConfigMaps, takeConfigMap, type ConfigMapEntry } from "./configmaps";
import { readControllerConfigMap, type ControllerSettings } from "./controller-configmap";
import { child, isRecord, type DocLocation } from "./locations";
import { addNote, addProblem, type MergeState } from "./merge-state";

export const CUSTOM_HEADERS = `${NGINX_PREFIX}custom-headers`;

/** The most headers one setting may carry (the filter's limit). */
const MAX_HEADERS = 64;

type Header = readonly [name: string, value: string];

/** An Ingress's merged rules, to get the ConfigMaps' headers once every file is read. */
export interface HeaderTarget {
  readonly rules: readonly unknown[];
  readonly namespace: string;
  readonly at: DocLocation;
  /** The custom-headers annotation's value, if set. */
  readonly customHeaders?: string;
}

export function recordHeaderTarget(annotations: Readonly<Record<string, unknown>>, rules: readonly unknown[], namespace: string, at: DocLocation, state: MergeState): void {
  const custom = annotations[CUSTOM_HEADERS];
  (state.headerTargets ??= []).push({ rules, namespace, at, ...(typeof custom === "string" ? { customHeaders: custom } : {}) });
}

export function applyConfigMapHeaders(state: MergeState): void {
  const controller = readControllerConfigMap(state);
  const setting = (key: "proxy-set-headers" | "add-headers", reasons: Readonly<Record<string, string>>, what: string): Header[] => {
    const ref = controller?.entry.data[key];
    if (controller === undefined || ref === undefined) return [];
    const source = takeConfigMap(state, ref, controller.entry.namespace, key, child(controller.entry.at, "data", key));
    return source ? headersOf(source, reasons, `${what} (${key})`, state) : [];
  };
  const request = setting("proxy-set-headers", REQUEST_HEADER_REASONS, "set on every request to an origin");
  const response = setting("add-headers", RESPONSE_HEADER_REASONS, "set on every response");
  for (const target of state.headerTargets ?? []) {
    const own = target.customHeaders === undefined ? [] : customHeaders(target, target.customHeaders, controller, state);
    const names = new Set(own.map(([n]) => n.toLowerCase()));
    const responses = [...response.filter(([n]) => !names.has(n.toLowerCase())), ...own];
    if (request.length === 0 && responses.length === 0) continue;
    const list = (headers: readonly Header[]) => headers.map(([name, value]) => ({ name, value }));
    const filter = {
      type: "NginxHeaders",
      nginxHeaders: { ...(request.length > 0 ? { request: list(request) } : {}), ...(responses.length > 0 ? { response: list(responses) } : {}) },
    };
    for (const rule of target.rules) addLastFilter(rule, filter);
  }
  if (controller && (request.length > 0 || response.length > 0) && state.defaultBackend) {
    addNote(state, state.defaultBackend.at,
      "served without the controller ConfigMap's proxy-set-headers and add-headers (they go on every Ingress path): put it in a rule's path to get them");
  }
  noteUnusedConfigMaps(state);
}

/** The headers of a ConfigMap, each checked at its key; `what` says what they are for. */
function headersOf(source: ConfigMapEntry, reasons: Readonly<Record<string, string>>, what: string, state: MergeState): Header[] {
  const headers: Header[] = [];
  const entries = Object.entries(source.data);
  if (entries.length > MAX_HEADERS) addProblem(state, child(source.at, "data"), `must hold at most ${MAX_HEADERS} headers, got ${entries.length}`);
  const seen = new Map<string, string>();
  for (const [name, value] of entries) {
    const twice = seen.get(name.toLowerCase());
    const problem = headerNameProblem(name, reasons) ?? headerValueProblem(value) ?? (twice === undefined ? undefined : `names the same header as ${JSON.stringify(twice)} (names compare case-insensitively)`);
    seen.set(name.toLowerCase(), name);
    if (problem) addProblem(state, child(source.at, "data", name), `${problem} (a header ${what})`);
    else headers.push([name, value]);
  }
  return headers;
}

function customHeaders(target: HeaderTarget, ref: string, controller: ControllerSettings | undefined, state: MergeState): Header[] {
  const at = child(target.at, "metadata", "annotations", CUSTOM_HEADERS);
  const source = takeConfigMap(state, ref, target.namespace, "custom-headers", at);
  if (!source) return [];
  const allowed = controller?.allowedResponseHeaders ?? new Set<string>();
  const refused = Object.keys(source.data).filter((name) => !allowed.has(name.toLowerCase()));
  if (refused.length > 0) {
    const list = allowed.size === 0 ? "it lists none" : `it lists ${[...allowed].join(", ")}`;
    const where = controller ? `the controller ConfigMap ${controller.entry.namespace}/${controller.entry.name}` : "the controller ConfigMap (none is defined)";
    addProblem(state, at,
      `ConfigMap ${source.namespace}/${source.name} sets ${refused.map((n) => JSON.stringify(n)).join(", ")}, not in global-allowed-response-headers of ${where} (${list}): ingress-nginx refuses the annotation then; add the header there, or remove it from the ConfigMap`);
    return [];
  }
  return headersOf(source, RESPONSE_HEADER_REASONS, "set on the Ingress's responses (custom-headers)", state);
}

/** Puts the filter last on each path of a merged rule (in place: host aliases copy the rules later). */
function addLastFilter(rule: unknown, filter: Record<string, unknown>): void {
  if (!isRecord(rule) || !isRecord(rule.http) || !Array.isArray(rule.http.paths)) return;
  const paths = rule.http.paths;
  paths.forEach((p, i) => {
    if (!isRecord(p)) return;
    paths[i] = { ...p, filters: [...(Array.isArray(p.filters) ? p.filters : []), filter] };
  });
}
