// Every config the repository's fixtures make, each with requests to ask it:
// the ingress-nginx annotation vectors (their Ingress manifests and
// ConfigMaps), the Gateway API vectors, the Kubernetes Ingress examples, the
// examples/ files, and one native document holding what the others do not
// (host policies, a native canary with a header pattern, rule affinity,
// the filters no vector asks for).
// The prepared form's tests walk them all (src/core/config/prepared-equivalence.test.ts).
import { readFileSync } from "node:fs";
import { mergeDocuments } from "../../src/core/config/manifests";
import { readYamlFiles } from "../../src/cli/yaml-files";
import type { SimulatedRequest } from "../../src/core/request/simulate";
import { loadGatewaySuites, suiteDocument } from "./gateway-suites";
import { loadNginxSuites, nginxSuiteDocument } from "./nginx-suites";

export interface FixtureConfig {
  readonly name: string;
  /** The merged native document, or why edge-ingress refuses it (a refused document has no config to prepare). */
  readonly document: unknown;
  readonly requests: readonly SimulatedRequest[];
}

interface DocsExample {
  readonly name: string;
  readonly ingress: { readonly rules?: unknown[]; readonly defaultBackend?: { service?: { name: string } } };
  readonly requests: readonly { host: string; path: string }[];
}

const originOf = (service: string) => `http://${service}.test`;

export const NATIVE_EXTRAS = {
  pools: {
    web: { origins: [{ url: "http://web.test" }], affinity: { cookie: { name: "pool-sid" } } },
    canary: { origins: [{ url: "http://canary.test" }, { url: "http://canary-2.test" }] },
  },
  hosts: [
    { host: "*.hosted.test", filters: [{ type: "AccessControl", accessControl: { denySourceRanges: ["2001:db8::/32", "203.0.113.0/24"] } }, { type: "StrictTransportSecurity", strictTransportSecurity: { maxAgeSeconds: 600 } }] },
    { host: "secure.test", filters: [{ type: "HTTPSRedirect", httpsRedirect: { statusCode: 301 } }] },
  ],
  rules: [
    {
      host: "canary.test",
      http: {
        paths: [
          { path: "/", pathType: "Prefix", backend: { service: { name: "web" } }, canary: { backend: { service: { name: "canary" } }, header: "x-canary", headerPattern: "^(yes|on)$", weight: 30, affinity: { cookie: { name: "canary-sid" } } } },
          { path: "/sticky", pathType: "Prefix", backend: { service: { name: "canary" } }, affinity: { header: "x-user" } },
          { path: "/limited", pathType: "Exact", backend: { service: { name: "web" } }, filters: [{ type: "RequestBodyLimit", requestBodyLimit: { maxBytes: 10 } }, { type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-a", value: "1" }] } }] },
        ],
      },
    },
    {
      host: "auth.test",
      http: {
        paths: [
          { path: "/basic", pathType: "Prefix", backend: { service: { name: "web" } }, filters: [{ type: "BasicAuth", basicAuth: { secret: "USERS", realm: "Staff" } }] },
          { path: "/ext", pathType: "Prefix", backend: { service: { name: "web" } }, filters: [{ type: "ExternalAuth", externalAuth: { url: "https://auth.example.com/check", responseHeaders: ["x-user"], timeoutMs: 300 } }] },
          { path: "/slow", pathType: "Prefix", backend: { service: { name: "web" } }, filters: [{ type: "BackendTimeouts", backendTimeouts: { responseMs: 1500, uploadIdleMs: 2500 } }] },
        ],
      },
    },
    { host: "www.hosted.test", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } } }] } },
    { host: "secure.test", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } } }] } },
  ],
};

const NATIVE_REQUESTS: SimulatedRequest[] = [
  { host: "canary.test", path: "/" },
  { host: "canary.test", path: "/x", headers: { "x-canary": "yes" } },
  { host: "canary.test", path: "/x", headers: { "x-canary": "no" } },
  { host: "canary.test", path: "/sticky/a", headers: { "x-user": "u1" } },
  { host: "canary.test", path: "/limited", method: "POST" },
  { host: "www.hosted.test", path: "/", clientIp: "203.0.113.9" },
  { host: "www.hosted.test", path: "/", clientIp: "198.51.100.1", scheme: "https" },
  { host: "secure.test", path: "/a?b=c" },
  { host: "auth.test", path: "/basic/x", headers: { authorization: "Basic YTpi" } },
  { host: "auth.test", path: "/ext/x" },
  { host: "auth.test", path: "/slow/x", method: "PUT" },
];

export async function fixtureConfigs(): Promise<FixtureConfig[]> {
  const out: FixtureConfig[] = [{ name: "native extras", document: NATIVE_EXTRAS, requests: NATIVE_REQUESTS }];
  for (const suite of loadNginxSuites()) {
    let document: unknown;
    try {
      document = nginxSuiteDocument(suite, (s) => [originOf(s)]);
    } catch (error) {
      document = (error as Error).message;
    }
    out.push({ name: suite.name, document, requests: suite.requests as readonly SimulatedRequest[] });
  }
  for (const suite of loadGatewaySuites()) out.push({ name: suite.name, document: suiteDocument(suite, originOf), requests: suite.requests as readonly SimulatedRequest[] });
  const docs = JSON.parse(readFileSync("test/fixtures/conformance/ingress-docs-examples.json", "utf8")) as DocsExample[];
  for (const example of docs) {
    const text = JSON.stringify(example.ingress);
    const services = new Set([...text.matchAll(/"service":\{"name":"([^"]+)"/g)].map((m) => m[1] as string));
    const pools = Object.fromEntries([...services].map((s) => [s, { origins: [{ url: originOf(s) }] }]));
    out.push({ name: example.name, document: { pools, ...example.ingress }, requests: example.requests });
  }
  for (const file of ["examples/edge-ingress.yaml", "examples/gateway.yaml"]) {
    const yaml = await readYamlFiles([file], process.cwd());
    const merge = mergeDocuments(yaml.documents);
    out.push({ name: file, document: merge.problems.length > 0 ? merge.problems.map((p) => p.message).join("; ") : merge.document, requests: [] });
  }
  return out;
}
