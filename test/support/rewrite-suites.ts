// The ingress-nginx documentation vectors of the rewrite, redirect and host
// annotations (test/fixtures/conformance/nginx-annotations-docs-examples.json)
// as config documents: one pool per service, with preserveHost (the Host an
// origin receives under ingress-nginx by default), and the suite's Ingress
// manifests as written. Shared by the plain-Node and the workerd run.
import { readFileSync } from "node:fs";
import type { SuiteExpect, SuiteRequest } from "./gateway-suites";

export const REWRITE_SUITES = [
  "docs-nginx/rewrite-capture-groups",
  "docs-nginx/app-root",
  "docs-nginx/permanent-redirect",
  "docs-nginx/permanent-redirect-code",
  "docs-nginx/temporal-redirect",
  "docs-nginx/temporal-redirect-code",
  "docs-nginx/from-to-www-redirect",
  "docs-nginx/x-forwarded-prefix",
  "docs-nginx/upstream-vhost",
  "docs-nginx/server-alias",
];

interface IngressSpecLike {
  readonly metadata: Record<string, unknown>;
  readonly rules?: unknown[];
  readonly tls?: unknown[];
}

export interface NginxSuite {
  readonly name: string;
  readonly services: readonly string[];
  readonly ingress?: IngressSpecLike;
  readonly ingresses?: readonly IngressSpecLike[];
  readonly requests: readonly (SuiteRequest & { readonly expect: SuiteExpect & { readonly redirect?: { scheme: string; host: string; path: string } } })[];
}

export function loadRewriteSuites(): NginxSuite[] {
  const all = JSON.parse(readFileSync("test/fixtures/conformance/nginx-annotations-docs-examples.json", "utf8")) as NginxSuite[];
  return REWRITE_SUITES.map((name) => {
    const suite = all.find((s) => s.name === name);
    if (!suite) throw new Error(`no suite ${name} in the fixture`);
    return suite;
  });
}

/** The suite as the documents of one config: a native document with the pools, then each Ingress manifest. */
export function suiteDocuments(suite: NginxSuite, originUrl: (service: string) => string): { file: string; index: number; value: unknown }[] {
  const pools = Object.fromEntries(suite.services.map((s) => [s, { origins: [{ url: originUrl(s) }], preserveHost: true }]));
  const ingresses = suite.ingresses ?? (suite.ingress ? [suite.ingress] : []);
  return [
    { file: "pools.yaml", index: 0, value: { pools } },
    ...ingresses.map((ing, i) => ({
      file: "ingress.yaml",
      index: i,
      value: {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: ing.metadata,
        spec: { rules: (ing.rules ?? []).map(withPorts), ...(ing.tls ? { tls: ing.tls } : {}) },
      },
    })),
  ];
}

/** The vectors leave out the service port Kubernetes requires. */
function withPorts(rule: unknown): unknown {
  const r = rule as { http?: { paths?: { backend?: { service?: Record<string, unknown> } }[] } };
  for (const p of r.http?.paths ?? []) if (p.backend?.service && p.backend.service.port === undefined) p.backend.service.port = { number: 80 };
  return rule;
}

/** The expected Location: given whole, or as its parts (from-to-www-redirect). */
export function expectedLocation(e: NginxSuite["requests"][number]["expect"]): string | undefined {
  if (e.location !== undefined) return e.location;
  return e.redirect ? `${e.redirect.scheme}://${e.redirect.host}${e.redirect.path}` : undefined;
}
