// The fixed order of evaluation and the HTTPS and access filters, decided in
// plain Node from manifests as users write them (merge -> parse -> decide).
import { describe, expect, it } from "vitest";
import { mergeDocuments, locateProblem } from "../config/manifests";
import { parseConfig } from "../config/parse";
import { compileRuntime } from "../runtime";
import { filtersByType } from "../filters/registry";
import { outcomeOf, simulate, type SimulatedRequest } from "./simulate";
import { inEvaluationOrder } from "./stages";

const POOLS = { pools: { web: { origins: [{ url: "https://web.example.net" }] }, plain: { origins: [{ url: "http://plain.example.net" }] } } };

function ingress(name: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}) {
  return { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name, annotations }, spec };
}
const rules = (host: string, pool = "web") => ({ rules: [{ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: pool, port: { number: 80 } } } }] } }] });

function load(...values: unknown[]) {
  const merge = mergeDocuments(values.map((value, index) => ({ file: "c.yaml", index, value })));
  const parsed = parseConfig(merge.document);
  const problems = [...merge.problems, ...parsed.problems.map((p) => locateProblem(merge, p))].map((p) => `${p.path}: ${p.message}`);
  return { problems, runtime: parsed.ok ? compileRuntime("v1", parsed.config, { random: () => 0 }) : undefined };
}

function outcome(runtime: ReturnType<typeof load>["runtime"], request: SimulatedRequest) {
  if (!runtime) throw new Error("config did not load");
  return outcomeOf(runtime, simulate(runtime, request).decision);
}

describe("HTTPS redirect and HSTS from an Ingress", () => {
  const { runtime, problems } = load(POOLS, ingress("tls", { tls: [{ hosts: ["foo.bar.com"] }], ...rules("foo.bar.com") }), ingress("open", rules("open.example.com")));

  it("redirects plain HTTP to HTTPS with 308 for tls hosts, path and query kept, one trailing slash dropped as ingress-nginx does", () => {
    expect(problems).toEqual([]);
    expect(outcome(runtime, { host: "foo.bar.com", path: "/account/login?next=%2Fa&x=1" })).toMatchObject({ status: 308, location: "https://foo.bar.com/account/login?next=%2Fa&x=1" });
    expect(outcome(runtime, { host: "foo.bar.com:8080", path: "/docs/" })).toMatchObject({ status: 308, location: "https://foo.bar.com/docs" });
    expect(outcome(runtime, { host: "open.example.com", path: "/" })).toMatchObject({ status: undefined, pool: "web" });
  });

  it("adds HSTS with ingress-nginx's defaults to HTTPS responses only", () => {
    const https = outcome(runtime, { host: "foo.bar.com", path: "/", scheme: "https" });
    expect(https).toMatchObject({ status: undefined, pool: "web" });
    expect(https.responseHeaders.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    expect(outcome(runtime, { host: "open.example.com", path: "/", scheme: "https" }).responseHeaders.get("strict-transport-security")).toBeNull();
  });

  it("ssl-redirect \"false\" turns the redirect off; force-ssl-redirect turns it on without tls; preserve-trailing-slash keeps the slash", () => {
    const loaded = load(
      POOLS,
      ingress("off", { tls: [{ hosts: ["off.example.com"] }], ...rules("off.example.com") }, { "nginx.ingress.kubernetes.io/ssl-redirect": "false" }),
      ingress("forced", rules("forced.example.com"), { "nginx.ingress.kubernetes.io/force-ssl-redirect": "true", "nginx.ingress.kubernetes.io/preserve-trailing-slash": "true" }),
    );
    expect(loaded.problems).toEqual([]);
    expect(outcome(loaded.runtime, { host: "off.example.com", path: "/" })).toMatchObject({ status: undefined, pool: "web" });
    expect(outcome(loaded.runtime, { host: "forced.example.com", path: "/docs/" })).toMatchObject({ status: 308, location: "https://forced.example.com/docs/" });
    expect(outcome(loaded.runtime, { host: "forced.example.com", path: "/docs/", scheme: "https" })).toMatchObject({ status: undefined, pool: "web" });
  });

  it("takes the code from the native filter", () => {
    const loaded = load({ ...POOLS, rules: [{ host: "n.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } }, filters: [{ type: "HTTPSRedirect", httpsRedirect: { statusCode: 301 } }] }] } }] });
    expect(loaded.problems).toEqual([]);
    expect(outcome(loaded.runtime, { host: "n.example.com", path: "/a/?q" })).toMatchObject({ status: 301, location: "https://n.example.com/a/?q" });
  });
});

describe("access lists", () => {
  const { runtime, problems } = load(
    POOLS,
    ingress("allow", rules("allow.example.com"), { "nginx.ingress.kubernetes.io/whitelist-source-range": "10.0.0.0/24, 172.10.0.1, 2001:db8::/32" }),
    ingress("deny", rules("deny.example.com"), { "nginx.ingress.kubernetes.io/denylist-source-range": "10.0.0.0/24,2001:db8:1::/48" }),
  );

  it.each([
    ["allow.example.com", "10.0.0.17", undefined],
    ["allow.example.com", "172.10.0.1", undefined],
    ["allow.example.com", "2001:db8:ffff::1", undefined],
    ["allow.example.com", "::ffff:10.0.0.5", undefined],
    ["allow.example.com", "172.10.0.2", 403],
    ["allow.example.com", "2001:db9::1", 403],
    ["allow.example.com", undefined, 403],
    ["allow.example.com", "not an address", 403],
    ["deny.example.com", "10.0.0.17", 403],
    ["deny.example.com", "2001:db8:1:2::1", 403],
    ["deny.example.com", "2001:db8:2::1", undefined],
    ["deny.example.com", "10.0.1.1", undefined],
    ["deny.example.com", undefined, 403],
  ])("%s from %s: %s", (host, clientIp, status) => {
    expect(problems).toEqual([]);
    const o = outcome(runtime, { host, path: "/x", scheme: "https", ...(clientIp ? { clientIp } : {}) });
    expect(o.status).toBe(status);
    expect(o.pool).toBe(status === undefined ? "web" : undefined);
  });

  it("allows and denies by country and ASN, natively; unknown values are denied by a list", () => {
    const filter = { type: "AccessControl", accessControl: { denyCountries: ["ru"], allowAsns: [64500, 64501] } };
    const loaded = load({ ...POOLS, rules: [{ host: "geo.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } }, filters: [filter] }] } }] });
    expect(loaded.problems).toEqual([]);
    const at = (country: string | undefined, asn: number | undefined) => outcome(loaded.runtime, { host: "geo.example.com", path: "/", scheme: "https", country, asn }).status;
    expect(at("DE", 64500)).toBeUndefined();
    expect(at("RU", 64500)).toBe(403);
    expect(at("DE", 13335)).toBe(403);
    expect(at(undefined, 64501)).toBe(403);
    expect(at("DE", undefined)).toBe(403);
  });

  it("runs the HTTPS redirect before the access lists and both before other filters, whatever the order written", () => {
    const filters = [
      { type: "RequestRedirect", requestRedirect: { hostname: "elsewhere.example.com" } },
      { type: "AccessControl", accessControl: { allowSourceRanges: ["192.0.2.0/24"] } },
      { type: "HTTPSRedirect", httpsRedirect: {} },
    ];
    const loaded = load({ ...POOLS, rules: [{ host: "o.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } }, filters }] } }] });
    expect(loaded.problems).toEqual([]);
    expect(outcome(loaded.runtime, { host: "o.example.com", path: "/p", clientIp: "198.51.100.1" })).toMatchObject({ status: 308, location: "https://o.example.com/p" });
    expect(outcome(loaded.runtime, { host: "o.example.com", path: "/p", scheme: "https", clientIp: "198.51.100.1" }).status).toBe(403);
    expect(outcome(loaded.runtime, { host: "o.example.com", path: "/p", scheme: "https", clientIp: "192.0.2.9" })).toMatchObject({ status: 302, location: "https://elsewhere.example.com/p" });
  });

  it("reports every bad entry at its annotation or filter field, and refuses filters written in an Ingress manifest", () => {
    const bad = load(
      POOLS,
      ingress("bad", rules("bad.example.com"), { "nginx.ingress.kubernetes.io/whitelist-source-range": "10.0.0.0/33,,300.1.1.1", "nginx.ingress.kubernetes.io/ssl-redirect": "yes" }),
      { ...POOLS.pools && {}, rules: [{ host: "n.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } }, filters: [{ type: "AccessControl", accessControl: { allowSourceRanges: ["10.0.0.1", "fe80::/129"], allowCountries: ["Germany"] } }] }] } }] },
      ingress("with-filters", { rules: [{ host: "f.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } }, filters: [] }] } }] }),
    );
    expect(bad.problems).toEqual([
      'c.yaml[1]: metadata.annotations["nginx.ingress.kubernetes.io/ssl-redirect"] (Ingress bad): must be "true" or "false", got "yes"',
      'c.yaml[1]: metadata.annotations["nginx.ingress.kubernetes.io/whitelist-source-range"] (Ingress bad): entry 0: prefix length must be 0 to 32, got "10.0.0.0/33"',
      'c.yaml[1]: metadata.annotations["nginx.ingress.kubernetes.io/whitelist-source-range"] (Ingress bad): entry 1: empty entry (is there a stray comma?), got ""',
      'c.yaml[1]: metadata.annotations["nginx.ingress.kubernetes.io/whitelist-source-range"] (Ingress bad): entry 2: not an IPv4 address or CIDR, got "300.1.1.1"',
      "c.yaml[3]: spec.rules[0].http.paths[0].filters (Ingress with-filters): unknown field: a Kubernetes IngressPath has no filters (native rules have them; on an Ingress, annotations say what to do)",
      'c.yaml[2]: rules[0].http.paths[0].filters[0].accessControl.allowSourceRanges[1]: prefix length must be 0 to 128, got "fe80::/129"',
      'c.yaml[2]: rules[0].http.paths[0].filters[0].accessControl.allowCountries[0]: must be a two-letter country code (ISO 3166-1 alpha-2, e.g. "DE"), got "Germany"',
    ]);
  });
});

describe("backend-protocol", () => {
  it('"HTTPS" requires https origins in every pool the Ingress names; GRPC is refused; "HTTP" asks nothing', () => {
    const { problems } = load(
      POOLS,
      ingress("secure", rules("a.example.com", "plain"), { "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS" }),
      ingress("fine", rules("b.example.com", "web"), { "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS" }),
      ingress("grpc", rules("c.example.com", "web"), { "nginx.ingress.kubernetes.io/backend-protocol": "GRPC" }),
      ingress("http", rules("d.example.com", "plain"), { "nginx.ingress.kubernetes.io/backend-protocol": "HTTP" }),
    );
    expect(problems).toEqual([
      'c.yaml[3]: metadata.annotations["nginx.ingress.kubernetes.io/backend-protocol"] (Ingress grpc): refused: "GRPC" is not supported: edge-ingress talks HTTP or HTTPS to origins, as the origin URL\'s scheme says (GRPC, GRPCS, FCGI and AUTO_HTTP are not built). Use "HTTP" or "HTTPS", or remove the annotation',
      'c.yaml[1]: metadata.annotations["nginx.ingress.kubernetes.io/backend-protocol"] (Ingress secure): "HTTPS" asks for TLS to the origins, but pool "plain" has plain http:// origins (http://plain.example.net): give them https:// URLs, or use "HTTP"',
    ]);
  });
});

describe("per-host policies (native hosts)", () => {
  const doc = {
    ...POOLS,
    hosts: [
      { host: "Shop.example.com", filters: [{ type: "AccessControl", accessControl: { denySourceRanges: ["203.0.113.0/24"] } }, { type: "HTTPSRedirect", httpsRedirect: { statusCode: 307 } }] },
      { host: "*.example.com", filters: [{ type: "StrictTransportSecurity", strictTransportSecurity: { maxAgeSeconds: 600, preload: true } }] },
    ],
    rules: [
      { host: "shop.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } }, filters: [{ type: "AccessControl", accessControl: { allowCountries: ["DE"] } }] }] } },
      { host: "a.b.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } } }] } },
    ],
  };
  const { runtime, problems } = load(doc);

  it("runs the host's redirect, then the host's and the route's access lists, whatever rule serves the host", () => {
    expect(problems).toEqual([]);
    expect(outcome(runtime, { host: "shop.example.com", path: "/x", clientIp: "203.0.113.9" })).toMatchObject({ status: 307, location: "https://shop.example.com/x" });
    expect(outcome(runtime, { host: "shop.example.com", path: "/x", scheme: "https", clientIp: "203.0.113.9", country: "DE" }).status).toBe(403);
    expect(outcome(runtime, { host: "shop.example.com", path: "/x", scheme: "https", clientIp: "198.51.100.9", country: "FR" }).status).toBe(403);
    expect(outcome(runtime, { host: "shop.example.com", path: "/x", scheme: "https", clientIp: "198.51.100.9", country: "DE" })).toMatchObject({ status: undefined, pool: "web" });
  });

  it("matches wildcards over one or more labels, precise hosts first, and adds HSTS on HTTPS only", () => {
    const https = outcome(runtime, { host: "a.b.example.com", path: "/", scheme: "https" });
    expect(https.responseHeaders.get("strict-transport-security")).toBe("max-age=600; preload");
    expect(outcome(runtime, { host: "a.b.example.com", path: "/" }).responseHeaders.get("strict-transport-security")).toBeNull();
    // shop.example.com has its own entry: the wildcard's HSTS is not added.
    expect(outcome(runtime, { host: "shop.example.com", path: "/", scheme: "https", clientIp: "198.51.100.9", country: "DE" }).responseHeaders.get("strict-transport-security")).toBeNull();
  });

  it("refuses filters that do not belong to a whole host, a host twice, and a bad host, each where written", () => {
    const bad = load({
      ...POOLS,
      hosts: [
        { host: "x.example.com", filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "a", value: "b" }] } }] },
        { host: "X.example.com", filters: [{ type: "HTTPSRedirect", httpsRedirect: {} }] },
        { host: "bad host", filters: [{ type: "HTTPSRedirect", httpsRedirect: {} }] },
      ],
    });
    expect(bad.problems).toEqual([
      'c.yaml[0]: hosts[0].filters[0].type: must be one of HTTPSRedirect, AccessControl, StrictTransportSecurity, BasicAuth, ExternalAuth for a whole host, got "RequestHeaderModifier" (put it on a rule)',
      'c.yaml[0]: hosts[1].host: "x.example.com" is listed twice: put all its filters in one entry',
      'c.yaml[0]: hosts[2].host: must be a lower-case DNS name, optionally starting with "*." (e.g. "api.example.com", "*.example.com"), got "bad host"',
    ]);
  });
});

describe("the order of a path's filters", () => {
  const ctx = { pools: new Set(["web"]), matchPathTypes: ["PathPrefix"], namespace: "default", onBackendRef: false };
  const compiled = (type: string, raw: unknown) => filtersByType.get(type)!.compile(raw as never, ctx);

  it("puts NginxCORS's preflight after the access lists and before authentication, whatever order they are written in", () => {
    const written = [
      compiled("RequestHeaderModifier", { set: [{ name: "x-a", value: "1" }] }),
      compiled("BasicAuth", { secret: "USERS" }),
      compiled("NginxCORS", {}),
      compiled("AccessControl", { allowSourceRanges: ["10.0.0.0/8"] }),
      compiled("HTTPSRedirect", {}),
    ];
    expect(inEvaluationOrder(written).map((f) => f.type)).toEqual(["HTTPSRedirect", "AccessControl", "NginxCORS", "BasicAuth", "RequestHeaderModifier"]);
  });
});
