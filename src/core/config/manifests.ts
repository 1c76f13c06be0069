// Merges the documents of one or more config files into the one native
// document the Worker reads: native documents (no `kind`) give pools, rules
// and a defaultBackend; Kubernetes networking.k8s.io/v1 Ingress manifests give
// rules and a defaultBackend; ConfigMaps give the ingress-nginx controller's
// settings and the headers they name (configmaps.ts); `kind: List` is
// unpacked; other kinds are skipped with a note. Every problem carries the file, the document index and the path
// inside that document, and locateProblem moves the problems parseConfig finds
// in the merged document back to where they were written.
import { got } from "./messages";
import { INGRESS_API_VERSION, readIngress } from "./ingress-manifest";
import { tlsHostsOf } from "./ingress-tls";
import { GATEWAY_KINDS, readGatewayApiObject, readNativeGatewayList, type ObjectSource } from "./gateway-manifest";
import { child, formatLocation, isRecord, splitPath, type DocLocation, type LocatedProblem, type Segment } from "./locations";
import { checkIngressPairs } from "./ingress-pairs";
import { checkHttpsBackends } from "./ingress-policies";
import { applyHostAliases } from "./ingress-hosts";
import { readConfigMap } from "./configmaps";
import { applyConfigMapHeaders } from "./configmap-headers";
import { addDefaultBackend, addDocumentSetting, addNote, addPool, addProblem, addRule, newMergeState, type LocatedWarning, type MergeOptions, type MergeState, type RuleSource } from "./merge-state";
import type { IngressRecord, Problem } from "./types";

export type { DocLocation, LocatedProblem, LocatedWarning, MergeOptions, RuleSource, Segment };
export { formatLocation };

/** One parsed YAML/JSON document; `index` counts from 0 within its file. */
export interface SourceDocument {
  readonly file: string;
  readonly index: number;
  readonly value: unknown;
}

/** The merged document: what parseConfig validates and the CLI stores in KV. */
export interface NativeDocument {
  pools: Record<string, unknown>;
  rules?: unknown[];
  defaultBackend?: unknown;
  /** The Ingress manifests merged, with their annotations and tls: part of the version. */
  ingresses?: IngressRecord[];
  pathNormalization?: unknown;
  /** Gateway API Gateways and HTTPRoutes, flat ({name, namespace, ...spec}), in document order. */
  gateways?: unknown[];
  httpRoutes?: unknown[];
  statusPath?: unknown;
  /** Native per-host policies, in document order. */
  hosts?: unknown[];
}

export interface MergeResult {
  readonly document: NativeDocument;
  readonly notes: readonly string[];
  /** What does not block apply, e.g. an Ingress's tls hosts that are not redirected to HTTPS. */
  readonly warnings: readonly LocatedWarning[];
  readonly problems: readonly LocatedProblem[];
  /** Merged `rules[i]` came from `ruleSources[i]`. */
  readonly ruleSources: readonly RuleSource[];
  readonly poolSources: ReadonlyMap<string, DocLocation>;
  readonly defaultBackendSource?: DocLocation;
  /** Merged `gateways[i]` / `httpRoutes[i]` came from these. */
  readonly gatewaySources: readonly ObjectSource[];
  readonly httpRouteSources: readonly ObjectSource[];
  /** The first document read: where problems about the merged document as a whole (no pools) are reported. */
  readonly documentSource?: DocLocation;
  readonly pathNormalizationSource?: DocLocation;
  readonly statusPathSource?: DocLocation;
  /** Merged `hosts[i]` came from `hostSources[i]`. */
  readonly hostSources?: readonly DocLocation[];
}

const NATIVE_KEYS = new Set(["$schema", "pools", "rules", "defaultBackend", "pathNormalization", "statusPath", "gateways", "httpRoutes", "hosts"]);
/** List kinds and the apiVersions they come with (`kubectl get -o yaml` prints `v1 List`). */
const LIST_KINDS: Readonly<Record<string, readonly (string | undefined)[]>> = {
  List: ["v1", undefined],
  ConfigMapList: ["v1"],
  IngressList: ["networking.k8s.io/v1"],
  GatewayList: ["gateway.networking.k8s.io/v1"],
  HTTPRouteList: ["gateway.networking.k8s.io/v1"],
};

export function mergeDocuments(documents: readonly SourceDocument[], options: MergeOptions = {}): MergeResult {
  const state = newMergeState(options, tlsHostsOf(documents.map((d) => d.value), options.ingressClass, INGRESS_API_VERSION));
  for (const doc of documents) readDocument(doc.value, { file: doc.file, index: doc.index, segments: [] }, state);
  for (const named of state.annotationPools ?? []) {
    if (named.pool in state.pools) continue;
    addProblem(state, named.at, `must name a pool (a service), got ${got(named.pool)} (pools: ${Object.keys(state.pools).join(", ") || "none"})`);
    named.drop();
  }
  applyConfigMapHeaders(state);
  checkIngressPairs(state);
  applyHostAliases(state);
  checkHttpsBackends(state);

  const first = documents[0];
  const document: NativeDocument = { pools: state.pools };
  if (state.rules.length > 0) document.rules = state.rules;
  if (state.defaultBackend) document.defaultBackend = state.defaultBackend.value;
  if (state.ingresses.length > 0) document.ingresses = state.ingresses;
  if (state.pathNormalization) document.pathNormalization = state.pathNormalization.value;
  if (state.gateways.length > 0) document.gateways = state.gateways;
  if (state.httpRoutes.length > 0) document.httpRoutes = state.httpRoutes;
  if (state.statusPath) document.statusPath = state.statusPath.value;
  if (state.hosts && state.hosts.length > 0) document.hosts = state.hosts.map((h) => h.value);
  return {
    document,
    notes: state.notes,
    warnings: state.warnings,
    problems: state.problems,
    ruleSources: state.ruleSources,
    poolSources: state.poolSources,
    gatewaySources: state.gatewaySources,
    httpRouteSources: state.httpRouteSources,
    ...(state.defaultBackend ? { defaultBackendSource: state.defaultBackend.at } : {}),
    ...(first ? { documentSource: { file: first.file, index: first.index, segments: [] } } : {}),
    ...(state.pathNormalization ? { pathNormalizationSource: state.pathNormalization.at } : {}),
    ...(state.statusPath ? { statusPathSource: state.statusPath.at } : {}),
    ...(state.hosts ? { hostSources: state.hosts.map((h) => h.at) } : {}),
  };
}

function readDocument(value: unknown, at: DocLocation, state: MergeState): void {
  // An empty document (a trailing `---`, a file of comments) holds nothing.
  if (value === null || value === undefined) return;
  if (!isRecord(value)) {
    addProblem(state, at, `must be a mapping (a native edge-ingress document or a Kubernetes manifest), got ${got(value)}`);
    return;
  }
  const kind = value.kind;
  if (kind === undefined) return readNative(value, at, state);
  if (typeof kind !== "string") return addProblem(state, child(at, "kind"), `must be a string, got ${got(kind)}`);
  if (kind === "Ingress") return readIngress(value, at, state);
  if (GATEWAY_KINDS.has(kind)) return readGatewayApiObject(value, kind, at, state);
  if (kind === "ConfigMap") return readConfigMap(value, at, state);
  const listVersions = LIST_KINDS[kind];
  if (listVersions) return readList(value, kind, listVersions, at, state);
  const name = isRecord(value.metadata) && typeof value.metadata.name === "string" ? ` ${JSON.stringify(value.metadata.name)}` : "";
  addNote(state, at, `skipped ${kind}${name} (only Ingress, Gateway API, ConfigMap and native documents are read)`);
}

function readList(value: Record<string, unknown>, kind: string, versions: readonly (string | undefined)[], at: DocLocation, state: MergeState): void {
  const apiVersion = value.apiVersion;
  if (!versions.includes(apiVersion as string | undefined)) {
    const wanted = versions.filter((v) => v !== undefined).join(" or ");
    return addProblem(state, child(at, "apiVersion"), `must be ${wanted} for kind ${kind}, got ${got(apiVersion)}`);
  }
  if (!Array.isArray(value.items)) return addProblem(state, child(at, "items"), `must be a list of manifests, got ${got(value.items)}`);
  value.items.forEach((item, i) => readDocument(item, child(at, "items", i), state));
}

function readNative(value: Record<string, unknown>, at: DocLocation, state: MergeState): void {
  if ("apiVersion" in value || "spec" in value || "metadata" in value) {
    return addProblem(state, child(at, "kind"),
      'missing: a Kubernetes manifest needs "kind" (e.g. Ingress); a native document has only pools, rules, defaultBackend, gateways and httpRoutes');
  }
  for (const key of Object.keys(value)) {
    if (!NATIVE_KEYS.has(key)) addProblem(state, child(at, key), "unknown field (check its spelling and indentation)");
  }
  const { pools, rules } = value;
  if (pools !== undefined) {
    if (!isRecord(pools)) addProblem(state, child(at, "pools"), `must be a map of pool name to pool, got ${got(pools)}`);
    else for (const [name, pool] of Object.entries(pools)) addPool(state, name, pool, child(at, "pools", name));
  }
  if (rules !== undefined) {
    if (!Array.isArray(rules)) addProblem(state, child(at, "rules"), `must be a list of Ingress rules, got ${got(rules)}`);
    else rules.forEach((rule, i) => addRule(state, rule, child(at, "rules", i)));
  }
  if (value.defaultBackend !== undefined) addDefaultBackend(state, value.defaultBackend, child(at, "defaultBackend"));
  if (value.pathNormalization !== undefined) addDocumentSetting(state, "pathNormalization", value.pathNormalization, child(at, "pathNormalization"));
  if (value.gateways !== undefined) readNativeGatewayList(value.gateways, "gateways", at, state);
  if (value.httpRoutes !== undefined) readNativeGatewayList(value.httpRoutes, "httpRoutes", at, state);
  if (value.statusPath !== undefined) addDocumentSetting(state, "statusPath", value.statusPath, child(at, "statusPath"));
  if (value.hosts !== undefined) {
    if (!Array.isArray(value.hosts)) addProblem(state, child(at, "hosts"), `must be a list of {host, filters}, got ${got(value.hosts)}`);
    else value.hosts.forEach((h, i) => (state.hosts ??= []).push({ value: h, at: child(at, "hosts", i) }));
  }
}

/**
 * A problem parseConfig found in the merged document, moved to where it was
 * written: `rules[3].http.paths[0].path` becomes
 * `b.yaml[1]: spec.rules[0].http.paths[0].path (Ingress api)` when merged rule
 * 3 is the first rule of Ingress api in document 1 of b.yaml. Merged rules the
 * message names (a conflict's other side) are moved the same way.
 */
export function locateProblem(merge: MergeResult, problem: Problem): LocatedProblem {
  const at = locatePath(merge, problem.path);
  return { path: formatLocation(at), message: relocateSources(merge, problem.message), at };
}

export function locatePath(merge: MergeResult, path: string): DocLocation {
  const segments = splitPath(path);
  const [head, key, ...rest] = segments;
  let base: DocLocation | undefined;
  let tail: Segment[] = rest;
  if (head === "rules" && typeof key === "number") base = merge.ruleSources[key];
  else if (head === "hosts" && typeof key === "number") base = merge.hostSources?.[key];
  else if (head === "pools" && typeof key === "string") base = merge.poolSources.get(key);
  else if (head === "pools" && key === undefined) {
    base = merge.documentSource;
    tail = segments;
  }
  else if ((head === "gateways" || head === "httpRoutes") && typeof key === "number") {
    const source = (head === "gateways" ? merge.gatewaySources : merge.httpRouteSources)[key];
    if (source) return rest[0] === "name" || rest[0] === "namespace" ? child(source.metadata, ...rest) : child(source.spec, ...rest);
  }
  else if (head === "defaultBackend" || head === "pathNormalization") {
    base = head === "defaultBackend" ? merge.defaultBackendSource : merge.pathNormalizationSource;
    tail = segments.slice(1);
  } else if (head === "statusPath") {
    base = merge.statusPathSource;
    tail = segments.slice(1);
  }
  if (base) return child(base, ...tail);
  const fallback = merge.ruleSources[0] ?? [...merge.poolSources.values()][0] ?? { file: "(merged)", index: 0 };
  return { file: fallback.file, index: fallback.index, segments };
}

/** Where a merged rule source (`rules[3].http.paths[1]`) was written, e.g. `b.yaml[1]: spec.rules[0].http.paths[1] (Ingress api)`. */
export function describeSource(merge: MergeResult, source: string): string {
  return formatLocation(locatePath(merge, source));
}

/** Rewrites every merged rule source in a text (explain's lines) to where it was written. */
export function relocateSources(merge: MergeResult, text: string): string {
  return text.replace(/\b(?:httpRoutes|gateways)\[\d+\](?:\.rules\[\d+\](?:\.matches\[\d+\])?)?|(?<![.\w])rules\[\d+\](?:\.http\.paths\[\d+\])?/g, (source) => describeSource(merge, source));
}
