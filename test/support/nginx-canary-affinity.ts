// The canary-* and affinity-* suites of the ingress-nginx documentation
// vectors (test/fixtures/conformance/nginx-annotations-docs-examples.json)
// as edge-ingress inputs: one pool per service (a service with replicas
// gets one origin per replica), and each Ingress as a manifest.
import { readFileSync } from "node:fs";
import type { SourceDocument } from "../../src/core/config/manifests";

export interface NginxIngress {
  readonly metadata: { readonly name: string; readonly annotations?: Record<string, string> };
  readonly rules: readonly unknown[];
}

export interface NginxRequest {
  readonly host: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly repeat?: number;
  readonly cookieJar?: string;
  readonly disputed?: boolean;
  readonly expect: {
    readonly status?: number;
    readonly backend?: string;
    readonly backendDistribution?: Record<string, number>;
    readonly samples?: number;
    readonly tolerance?: number;
    readonly sticky?: boolean;
    readonly setCookie?: { readonly name: string; readonly attributes?: Record<string, string | boolean | { secondsFromNow: number; toleranceSeconds: number }> };
  };
}

export interface NginxSuite {
  readonly name: string;
  readonly services: readonly string[];
  readonly replicas?: Record<string, number>;
  readonly ingress?: NginxIngress;
  readonly ingresses?: readonly NginxIngress[];
  readonly requests: readonly NginxRequest[];
}

export function loadNginxSuites(prefixes: readonly string[]): NginxSuite[] {
  const all = JSON.parse(readFileSync("test/fixtures/conformance/nginx-annotations-docs-examples.json", "utf8")) as NginxSuite[];
  return all.filter((s) => prefixes.some((p) => s.name.startsWith(`docs-nginx/${p}`)));
}

/** Origin names per service: "svc" alone, or "svc#0", "svc#1" for replicas. */
export function replicaNames(suite: NginxSuite, service: string): string[] {
  const n = suite.replicas?.[service] ?? 1;
  return n === 1 ? [service] : Array.from({ length: n }, (_, i) => `${service}#${i}`);
}

/** The suite as documents for mergeDocuments: a native document of pools, then the Ingress manifests. */
export function suiteDocuments(suite: NginxSuite, originUrl: (name: string) => string, pool: Record<string, unknown> = {}): SourceDocument[] {
  const pools = Object.fromEntries(suite.services.map((s) => [s, { ...pool, origins: replicaNames(suite, s).map((n) => ({ url: originUrl(n) })) }]));
  const ingresses = suite.ingresses ?? (suite.ingress ? [suite.ingress] : []);
  return [
    { file: "pools.yaml", index: 0, value: { pools } },
    ...ingresses.map((ing, i) => ({
      file: "ingresses.yaml",
      index: i,
      value: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: ing.metadata, spec: { rules: withPorts(ing.rules) } },
    })),
  ];
}

/** The vectors leave out service ports; Kubernetes requires one. */
function withPorts(rules: readonly unknown[]): unknown[] {
  return JSON.parse(JSON.stringify(rules), (key, value) => (key === "service" && value && typeof value === "object" && !("port" in value) ? { ...value, port: { number: 80 } } : value));
}
