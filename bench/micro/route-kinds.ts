// The same generated rules in three shapes, for the per-request cost of each
// kind of route at one config size:
//   plain        native paths with no filters (an Ingress without annotations)
//   httpRoute    every path as an HTTPRoute rule, and one path in four also
//                with a rule matching a header, a query parameter and the
//                method, splitting its traffic across two pools by weight:
//                the conditions are checked among that host and path's
//                candidates only
//   policies     every path with an allow and deny list (AccessControl) and
//                every pool with cookie affinity (a sticky session wrapping
//                the pool's policy)
// Half of the sample requests carry the header and query parameter the
// conditional rules ask for, and half carry an affinity cookie.
import type { Generated, NativeDocument } from "../generate";

export type RouteKind = "plain" | "httpRoute" | "policies";
export const ROUTE_KINDS: readonly RouteKind[] = ["plain", "httpRoute", "policies"];

export const CONDITION_HEADER = "x-beta";
export const CONDITION_QUERY = "beta";
export const AFFINITY_COOKIE = "sid";

const GATEWAY_PATH_TYPE = { Exact: "Exact", Prefix: "PathPrefix", ImplementationSpecific: "RegularExpression" } as const;

/** The native document of `kind` built from the generated rules (plain: the generated document itself), and how many rules it has. */
export function documentOf(kind: RouteKind, generated: Generated): { readonly document: Record<string, unknown>; readonly rules: number } {
  const doc = generated.document;
  if (kind === "plain") return { document: doc as unknown as Record<string, unknown>, rules: generated.ruleCount };
  if (kind === "policies") return { document: withPolicies(doc), rules: generated.ruleCount };
  const document = asHttpRoutes(doc, generated.poolNames);
  const routes = document.httpRoutes as { rules: unknown[] }[];
  return { document, rules: routes.reduce((n, r) => n + r.rules.length, 0) };
}

function withPolicies(doc: NativeDocument): Record<string, unknown> {
  const access = { type: "AccessControl", accessControl: { allowSourceRanges: ["198.51.100.0/24", "2001:db8::/32", "10.0.0.0/8"], denySourceRanges: ["198.51.100.249/32"] } };
  return {
    pools: Object.fromEntries(Object.entries(doc.pools).map(([name, pool]) => [name, { ...pool, affinity: { cookie: { name: AFFINITY_COOKIE } } }])),
    rules: doc.rules.map((rule) => ({ ...rule, http: { paths: rule.http.paths.map((p) => ({ ...p, filters: [access] })) } })),
  };
}

function asHttpRoutes(doc: NativeDocument, poolNames: readonly string[]): Record<string, unknown> {
  let n = 0;
  const httpRoutes = doc.rules.map((rule, i) => ({
    name: `route-${i}`,
    parentRefs: [{ name: "edge" }],
    ...(rule.host === undefined ? {} : { hostnames: [rule.host] }),
    rules: rule.http.paths.flatMap((p) => {
      const path = { type: GATEWAY_PATH_TYPE[p.pathType], value: p.path };
      const pool = p.backend.service.name;
      const plain = { matches: [{ path }], backendRefs: [{ name: pool }] };
      if (n++ % 4 !== 0) return [plain];
      const other = poolNames[(poolNames.indexOf(pool) + 1) % poolNames.length]!;
      const conditional = {
        matches: [{ path, method: "GET", headers: [{ name: CONDITION_HEADER, value: "on" }], queryParams: [{ name: CONDITION_QUERY, value: "1" }] }],
        backendRefs: [
          { name: pool, weight: 90 },
          { name: other, weight: 10 },
        ],
      };
      return [conditional, plain];
    }),
  }));
  return {
    pools: doc.pools,
    gateways: [{ name: "edge", listeners: [{ name: "https", port: 443, protocol: "HTTPS" }] }],
    httpRoutes,
  };
}
