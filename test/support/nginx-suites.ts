// The ingress-nginx documentation vectors (test/fixtures/conformance/
// nginx-annotations-docs-examples.json) as edge-ingress config: each suite's
// Ingress manifests, as a user would apply them, merged with one native
// document holding a pool per service, through the CLI's own merge and
// parser, with the ConfigMaps the suite names (the controller's settings as
// the ingress-nginx-controller ConfigMap). A suite whose manifests are
// refused fails here with the reasons.
import { readFileSync } from "node:fs";
import { mergeDocuments, type NativeDocument } from "../../src/core/config/manifests";
import { parseConfig } from "../../src/core/config/parse";

export interface NginxSuite {
  readonly name: string;
  readonly notes?: string;
  readonly services: readonly string[];
  /** Origins per service; default 1. */
  readonly replicas?: Readonly<Record<string, number>>;
  readonly ingress?: IngressSpecOf;
  readonly ingresses?: readonly IngressSpecOf[];
  /** The ingress-nginx controller ConfigMap's settings the suite needs. */
  readonly configMap?: Readonly<Record<string, string>>;
  /** Other ConfigMaps the settings or annotations name, by "namespace/name". */
  readonly configMaps?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly requests: readonly NginxRequest[];
}

export interface IngressSpecOf {
  readonly metadata: { readonly name: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly rules?: readonly unknown[];
  readonly tls?: readonly unknown[];
  readonly defaultBackend?: unknown;
}

export interface NginxRequest {
  readonly host: string;
  readonly path: string;
  readonly method?: string;
  readonly scheme?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The address Cloudflare reports in CF-Connecting-IP. */
  readonly clientIp?: string;
  /** Send a body of this many bytes. */
  readonly bodyBytes?: number;
  /** The backend answers with this status. */
  readonly backendStatus?: number;
  /** Cookies kept across the requests of the suite that name the same jar. */
  readonly cookieJar?: string;
  readonly repeat?: number;
  readonly disputed?: boolean;
  readonly notes?: string;
  readonly expect: NginxExpect;
}

export interface SetCookieExpect {
  readonly name: string;
  readonly attributes?: Readonly<Record<string, string | true | { readonly secondsFromNow: number; readonly toleranceSeconds: number }>>;
}

export interface NginxExpect {
  readonly status?: number;
  readonly backend?: string | null;
  readonly backendPath?: string;
  readonly backendHost?: string;
  readonly backendHeaders?: Readonly<Record<string, string | null>>;
  readonly responseHeaders?: Readonly<Record<string, string | null>>;
  readonly location?: string;
  readonly redirect?: { readonly scheme?: string; readonly host?: string; readonly path?: string };
  readonly setCookie?: SetCookieExpect;
  /** Every repeat reaches the same origin (replica) of the backend. */
  readonly sticky?: boolean;
  readonly backendDistribution?: Readonly<Record<string, number>>;
  readonly samples?: number;
  readonly tolerance?: number;
}

export function loadNginxSuites(): NginxSuite[] {
  return JSON.parse(readFileSync("test/fixtures/conformance/nginx-annotations-docs-examples.json", "utf8")) as NginxSuite[];
}

/** Every service the suite's Ingresses name, listed or not (a service not listed has no endpoints). */
export function referencedServices(suite: NginxSuite): string[] {
  const names = new Set<string>(suite.services);
  const text = JSON.stringify(suite.ingresses ?? [suite.ingress]);
  for (const m of text.matchAll(/"service":\{"name":"([^"]+)"/g)) names.add(m[1] as string);
  for (const m of text.matchAll(/"nginx\.ingress\.kubernetes\.io\/default-backend":"([^"]+)"/g)) names.add(m[1] as string);
  return [...names];
}

/**
 * The stored document for the suite: `origins` gives each service's origin
 * URLs. Throws with every problem when edge-ingress refuses the manifests.
 */
export function nginxSuiteDocument(suite: NginxSuite, origins: (service: string) => readonly string[]): NativeDocument {
  const listed = new Set(suite.services);
  // A service the suite does not list has no endpoints: one probe finds its origin down, and then it takes no traffic.
  const noEndpoints = { healthCheck: { path: "/", unhealthyThreshold: 1, healthyThreshold: 1 }, whenAllDown: 503 };
  // preserveHost: ingress-nginx sends the client's Host to the Service (proxy_set_header Host $best_http_host),
  // edge-ingress the origin's own host unless the pool asks otherwise; a migrated pool sets it.
  const pools = Object.fromEntries(
    referencedServices(suite).map((s) => [s, { origins: origins(s).map((url) => ({ url })), policy: "round-robin", preserveHost: true, ...(listed.has(s) ? {} : noEndpoints) }]),
  );
  const manifests = (suite.ingresses ?? (suite.ingress ? [suite.ingress] : [])).map((i) => withPorts({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: i.metadata,
    spec: { ...(i.rules ? { rules: i.rules } : {}), ...(i.tls ? { tls: i.tls } : {}), ...(i.defaultBackend ? { defaultBackend: i.defaultBackend } : {}) },
  }));
  const documents = [{ pools }, ...manifests, ...configMapManifests(suite)].map((value, index) => ({ file: `${suite.name}.yaml`, index, value }));
  const merged = mergeDocuments(documents);
  const parsed = parseConfig(merged.document);
  const problems = [...merged.problems.map((p) => `${p.path}: ${p.message}`), ...(parsed.ok ? [] : parsed.problems.map((p) => `${p.path}: ${p.message}`))];
  if (problems.length > 0) throw new Error(`edge-ingress refuses the suite's manifests:\n${problems.join("\n")}`);
  return merged.document;
}

/**
 * The suite's ConfigMaps as manifests: its controller settings as the
 * ConfigMap an ingress-nginx install names ingress-nginx-controller (in
 * namespace ingress-nginx), and the ConfigMaps they name.
 */
function configMapManifests(suite: NginxSuite): unknown[] {
  const manifest = (namespace: string, name: string, data: Readonly<Record<string, string>>) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data });
  const named = Object.entries(suite.configMaps ?? {}).map(([ref, data]) => {
    const [namespace, name] = ref.split("/") as [string, string];
    return manifest(namespace, name, data);
  });
  return [...(suite.configMap ? [manifest("ingress-nginx", "ingress-nginx-controller", suite.configMap)] : []), ...named];
}

/** The transcriptions leave out service ports, which Kubernetes requires (and edge-ingress ignores): port 80 on each. */
function withPorts<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withPorts) as T;
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === "service" && typeof v === "object" && v !== null && !("port" in v) ? { ...v, port: { number: 80 } } : withPorts(v);
  }
  return out as T;
}

/** The Set-Cookie of `name` among a response's, as attribute name (lower-case) -> value ("" for a flag). */
export function findSetCookie(setCookies: readonly string[], name: string): Map<string, string> | undefined {
  for (const line of setCookies) {
    const [pair, ...attributes] = line.split(";").map((s) => s.trim());
    if (pair?.slice(0, pair.indexOf("=")) !== name) continue;
    const out = new Map<string, string>();
    for (const a of attributes) {
      const eq = a.indexOf("=");
      out.set((eq < 0 ? a : a.slice(0, eq)).toLowerCase(), eq < 0 ? "" : a.slice(eq + 1));
    }
    return out;
  }
  return undefined;
}
