// The Gateway API documentation vectors (test/fixtures/conformance/
// gateway-docs-examples.json), and those of its conformance tests that
// the guides leave out (gateway-conformance-*.json), turned into native
// edge-ingress documents:
// one pool per service, the suite's Gateways and HTTPRoutes under the same
// field names. Shared by the plain-Node decision test and the workerd run.
import { readFileSync } from "node:fs";

export interface GatewaySuite {
  readonly name: string;
  readonly notes?: string;
  readonly gateways: readonly { name: string; listeners: readonly { name: string; port: number; protocol: string; hostname?: string }[] }[];
  readonly services: readonly string[];
  readonly routes: readonly ({ name: string; namespace?: string } & Record<string, unknown>)[];
  readonly requests: readonly SuiteRequest[];
}

export interface SuiteRequest {
  readonly host: string;
  readonly path: string;
  readonly method?: string;
  readonly scheme?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly repeat?: number;
  readonly backendDelay?: string;
  readonly disputed?: boolean;
  readonly notes?: string;
  readonly expect: SuiteExpect;
}

export interface SuiteExpect {
  readonly status?: number;
  readonly statusOneOf?: readonly number[];
  readonly backend?: string | null;
  readonly location?: string;
  readonly backendPath?: string;
  readonly backendHost?: string;
  readonly backendHeaders?: Record<string, string | null>;
  readonly responseHeaders?: Record<string, string | readonly string[] | null>;
  readonly backendDistribution?: Record<string, number>;
  readonly statusDistribution?: Record<string, number>;
  readonly samples?: number;
  readonly tolerance?: number;
  readonly mirroredTo?: readonly string[];
}

const SUITE_FILES = ["gateway-docs-examples.json", "gateway-conformance-listener-isolation.json"];

export function loadGatewaySuites(): GatewaySuite[] {
  return SUITE_FILES.flatMap((file) => JSON.parse(readFileSync(`test/fixtures/conformance/${file}`, "utf8")) as GatewaySuite[]);
}

/**
 * Where we knowingly differ from a vector's expectation, and why. Both are
 * marked `disputed` in the vectors; we follow the API reference.
 */
export const DEVIATIONS: Readonly<Record<string, { status: number; backend?: string | null; why: string }>> = {
  "docs/weight-single-backend-zero foo.example.com/": {
    status: 500,
    backend: null,
    why: "weight 0 never receives traffic (the field doc), even alone; the guide's reading gives 200",
  },
  "docs/listener-isolation-concept specific.example.com/otherpath": {
    status: 200,
    backend: "prefix",
    why: "both routes attach to the whole Gateway (no sectionName), so route 'wildcard' serves specific.example.com too",
  },
};

export function deviation(suite: GatewaySuite, request: SuiteRequest) {
  return DEVIATIONS[`${suite.name} ${request.host}${request.path}`];
}

/** The suite as one native document; `originUrl` gives each service's origin. */
export function suiteDocument(suite: GatewaySuite, originUrl: (service: string) => string): Record<string, unknown> {
  return {
    pools: Object.fromEntries(suite.services.map((s) => [s, { origins: [{ url: originUrl(s) }], policy: "random" }])),
    gateways: suite.gateways.map((g) => ({ name: g.name, listeners: g.listeners })),
    httpRoutes: suite.routes,
  };
}
