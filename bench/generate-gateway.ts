// The generated config of generate.ts written as Gateway API HTTPRoutes:
// one Gateway (listeners http:80 and https:443), one HTTPRoute per host
// with one rule per path, regexes as RegularExpression matches, and about
// one rule in five doubled by a variant with a header match (and one in ten
// with a query match too) that sends to another pool. A fifth of the sample
// requests carry the header (and query) that selects the variant, so header
// and query conditions are evaluated on the request path.
import { generateConfig, type GenerateOptions, type SampleRequest } from "./generate";

export interface GatewaySample extends SampleRequest {
  readonly headers: Readonly<Record<string, string>>;
}

export interface GeneratedGateway {
  readonly ruleCount: number;
  /** HTTPRoute rules (matches), the variants included. */
  readonly httpRouteRules: number;
  readonly conditionRules: number;
  readonly document: Record<string, unknown>;
  readonly samples: readonly GatewaySample[];
}

const VARIANT_HEADER = "x-variant";

export function generateGatewayConfig(ruleCount: number, options: GenerateOptions = {}): GeneratedGateway {
  const base = generateConfig(ruleCount, options);
  const pools = base.poolNames;
  let n = 0;
  let conditionRules = 0;
  let httpRouteRules = 0;
  const routes = base.document.rules.map((rule, i) => {
    const rules: unknown[] = [];
    for (const p of rule.http.paths) {
      const type = p.pathType === "Prefix" ? "PathPrefix" : p.pathType === "ImplementationSpecific" ? "RegularExpression" : "Exact";
      // A RegularExpression matches the whole path: the Ingress pattern's "$" is implied.
      const path = { type, value: type === "RegularExpression" ? p.path.replace(/\$$/, "") : p.path };
      rules.push({ matches: [{ path }], backendRefs: [{ name: p.backend.service.name }] });
      httpRouteRules++;
      // Up to 16 rules per HTTPRoute (the spec's limit): variants only while there is room.
      if (n++ % 5 === 0 && rules.length < 15) {
        const other = pools[(pools.indexOf(p.backend.service.name) + 1) % pools.length] as string;
        const withQuery = n % 2 === 0;
        rules.push({
          matches: [{ path, headers: [{ name: VARIANT_HEADER, value: "b" }], ...(withQuery ? { queryParams: [{ name: "variant", value: "b" }] } : {}) }],
          backendRefs: [{ name: other, weight: 9 }, { name: p.backend.service.name, weight: 1 }],
        });
        httpRouteRules++;
        conditionRules++;
      }
    }
    return { name: `route-${i}`, parentRefs: [{ name: "edge" }], ...(rule.host ? { hostnames: [rule.host] } : {}), rules };
  });
  const document = {
    pools: base.document.pools,
    gateways: [{ name: "edge", listeners: [{ name: "http", port: 80, protocol: "HTTP" }, { name: "https", port: 443, protocol: "HTTPS" }] }],
    httpRoutes: routes,
  };
  const samples = base.samples.map((s, i): GatewaySample => {
    if (i % 5 !== 0) return { ...s, headers: {} };
    const query = s.pathAndQuery.includes("?") ? "&variant=b" : "?variant=b";
    return { ...s, pathAndQuery: s.pathAndQuery + query, headers: { [VARIANT_HEADER]: "b" } };
  });
  return { ruleCount, httpRouteRules, conditionRules, document, samples };
}
