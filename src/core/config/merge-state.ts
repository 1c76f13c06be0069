// What the readers of single documents (native, Ingress) add to while the
// files are merged: pools, rules with their sources, the defaultBackend, the
// Ingresses' records, notes, warnings and problems.
import { got } from "./messages";
import { child, formatLocation, isRecord, type DocLocation, type LocatedProblem } from "./locations";
import type { IngressRecord } from "./types";
import type { ObjectSource } from "./gateway-manifest";
import type { ConfigMapEntry } from "./configmaps";
import type { HeaderTarget } from "./configmap-headers";

export interface MergeOptions {
  /** Keep only Ingresses of this class (spec.ingressClassName or the kubernetes.io/ingress.class annotation). */
  readonly ingressClass?: string;
}

/** Where a merged rule came from; `ingress` names its Ingress manifest, if any. */
export type RuleSource = DocLocation;

/** Something that does not block apply but may not be what the user meant. */
export interface LocatedWarning {
  readonly at: DocLocation;
  readonly message: string;
}

/** A path of an Ingress marked `canary: "true"`; its rules are not merged, its backend becomes the main path's canary. */
export interface CanaryPath {
  readonly host: unknown;
  readonly path: unknown;
  readonly backend?: unknown;
  readonly at: DocLocation;
}

/** A canary Ingress, at its canary annotation: the native `canary` block (without backend) its annotations compile to. */
export interface CanaryIngress {
  readonly at: DocLocation;
  readonly paths: readonly CanaryPath[];
  readonly block: Readonly<Record<string, unknown>>;
}


export interface MergeState {
  readonly options: MergeOptions;
  readonly pools: Record<string, unknown>;
  readonly rules: unknown[];
  readonly ruleSources: RuleSource[];
  readonly poolSources: Map<string, DocLocation>;
  readonly ingresses: IngressRecord[];
  /** Gateway API objects in the flat native shape, with where each came from. */
  readonly gateways: unknown[];
  readonly gatewaySources: ObjectSource[];
  readonly httpRoutes: unknown[];
  readonly httpRouteSources: ObjectSource[];
  readonly notes: string[];
  readonly warnings: LocatedWarning[];
  readonly problems: LocatedProblem[];
  /** `namespace/name` of every Ingress read, to refuse the same one twice. */
  readonly ingressNames: Map<string, DocLocation>;
  /** Per pool, the first service port a backend named it with. */
  readonly servicePorts: Map<string, { readonly port: unknown; readonly at: DocLocation }>;
  /** Canary Ingresses, each at its canary annotation, with the paths it would take traffic from. */
  readonly canaries: CanaryIngress[];
  /** Ingresses with use-regex "true" (or rewrite-target, named in `because`), each at that annotation. */
  readonly regexIngresses: { readonly at: DocLocation; readonly hosts: readonly unknown[]; readonly because?: string }[];
  /** from-to-www-redirect and server-alias: hosts added once every rule is known (ingress-hosts.ts). */
  readonly hostAliases: HostAlias[];
  /** Hosts that serve HTTPS, from every Ingress's spec.tls (ingress-tls.ts): their paths are redirected and get HSTS. */
  readonly tlsHosts: ReadonlySet<string>;
  /** Ingresses with backend-protocol "HTTPS", each at that annotation, with the pools they name (checked once every file is read). */
  httpsBackends?: { readonly at: DocLocation; readonly pools: readonly string[] }[];
  /** Native per-host policies, each with where it was written. */
  hosts?: { readonly value: unknown; readonly at: DocLocation }[];
  defaultBackend?: { readonly value: unknown; readonly pool: string; readonly at: DocLocation };
  /** Pools named by annotations (default-backend), checked once every file is read; `drop` removes what named it. */
  annotationPools?: { readonly pool: string; readonly at: DocLocation; readonly drop: () => void }[];
  pathNormalization?: { readonly value: unknown; readonly at: DocLocation };
  /** ConfigMaps by "namespace/name" (configmaps.ts). */
  configMaps?: Map<string, ConfigMapEntry>;
  /** Each Ingress's merged rules, which get the ConfigMaps' headers once every file is read (configmap-headers.ts). */
  headerTargets?: HeaderTarget[];
  statusPath?: { readonly value: unknown; readonly at: DocLocation };
}

/** Rules of one Ingress to serve under other hosts: aliases (server-alias) or a www redirect (from-to-www-redirect). */
export interface HostAlias {
  readonly kind: "server-alias" | "from-to-www-redirect";
  readonly at: DocLocation;
  /** The Ingress's merged rules and where each was written. */
  readonly rules: readonly { readonly rule: Record<string, unknown>; readonly at: DocLocation }[];
  /** server-alias: the alias hosts. */
  readonly aliases: readonly string[];
}

export function newMergeState(options: MergeOptions, tlsHosts: ReadonlySet<string> = new Set()): MergeState {
  return {
    tlsHosts,
    options, pools: {}, rules: [], ruleSources: [], poolSources: new Map(), ingresses: [], notes: [], warnings: [], problems: [],
    gateways: [], gatewaySources: [], httpRoutes: [], httpRouteSources: [],
    ingressNames: new Map(), servicePorts: new Map(), canaries: [], regexIngresses: [], hostAliases: [],
  };
}

export function addProblem(state: MergeState, at: DocLocation, message: string): void {
  state.problems.push({ path: formatLocation(at), message, at });
}

export function addNote(state: MergeState, at: DocLocation, text: string): void {
  state.notes.push(`${formatLocation(at)}: ${text}`);
}

export function addWarning(state: MergeState, at: DocLocation, message: string): void {
  state.warnings.push({ at, message });
}

export function addRule(state: MergeState, rule: unknown, at: DocLocation): void {
  state.rules.push(rule);
  state.ruleSources.push(at);
  const paths = isRecord(rule) && isRecord(rule.http) && Array.isArray(rule.http.paths) ? rule.http.paths : [];
  paths.forEach((p, i) => isRecord(p) && checkServicePort(state, p.backend, child(at, "http", "paths", i, "backend")));
}

export function addPool(state: MergeState, name: string, pool: unknown, at: DocLocation): void {
  const earlier = state.poolSources.get(name);
  if (earlier) {
    addProblem(state, at, `pool ${JSON.stringify(name)} is already defined at ${formatLocation(earlier)}`);
    return;
  }
  state.poolSources.set(name, at);
  state.pools[name] = pool;
}

/** At most one distinct defaultBackend across all documents: two naming the same pool are one. */
export function addDefaultBackend(state: MergeState, backend: unknown, at: DocLocation): void {
  checkServicePort(state, backend, at);
  const pool = backendPool(backend);
  const earlier = state.defaultBackend;
  if (earlier === undefined) state.defaultBackend = { value: backend, pool, at };
  else if (earlier.pool !== pool) {
    addProblem(state, at,
      `conflicts with the defaultBackend at ${formatLocation(earlier.at)} (pool ${JSON.stringify(earlier.pool)}): at most one defaultBackend may be set across all documents`);
  }
}

/**
 * The port of a service backend is not read (a pool's origin URLs carry the
 * port), which is harmless only while each pool stands for one port: two
 * ports of one Service (say 80 and 9090 for metrics) need two pools.
 */
function checkServicePort(state: MergeState, backend: unknown, at: DocLocation): void {
  if (!isRecord(backend) || !isRecord(backend.service) || typeof backend.service.name !== "string") return;
  const port = backend.service.port;
  if (!isRecord(port)) return;
  // A port both named and numbered, or badly written, is reported where ports are checked.
  const value = port.name === undefined && typeof port.number === "number" ? port.number
    : port.number === undefined && typeof port.name === "string" && /^[a-z0-9-]+$/.test(port.name) ? port.name
    : undefined;
  if (value === undefined) return;
  const pool = backend.service.name;
  const portAt = child(at, "service", "port");
  const earlier = state.servicePorts.get(pool);
  if (!earlier) state.servicePorts.set(pool, { port: value, at: portAt });
  else if (earlier.port !== value) {
    addProblem(state, portAt,
      `pool ${JSON.stringify(pool)} is named with port ${got(earlier.port)} at ${formatLocation(earlier.at)}; one pool is one set of origins and cannot also stand for port ${got(value)}: define another pool for that port`);
  }
}

function backendPool(backend: unknown): string {
  if (isRecord(backend)) {
    for (const field of ["service", "resource"]) {
      const ref = backend[field];
      if (isRecord(ref) && typeof ref.name === "string") return ref.name;
    }
  }
  return JSON.stringify(backend) ?? "";
}

/**
 * A document-wide setting (pathNormalization, statusPath) applies to every
 * rule, whichever file wrote it: at most one distinct value across all documents.
 */
export function addDocumentSetting(state: MergeState, field: "pathNormalization" | "statusPath", value: unknown, at: DocLocation): void {
  const earlier = state[field];
  if (earlier === undefined) state[field] = { value, at };
  else if (JSON.stringify(earlier.value) !== JSON.stringify(value)) {
    addProblem(state, at, `conflicts with the ${field} at ${formatLocation(earlier.at)} (${JSON.stringify(earlier.value)}): at most one ${field} may be set across all documents`);
  }
}
