import { describe, expect, it } from "vitest";
import { describeSource, locateProblem, mergeDocuments, relocateSources, type MergeOptions, type SourceDocument } from "./manifests";
import { formatLocation, splitPath } from "./locations";
import { parseConfig } from "./parse";
import { joinPath } from "./messages";

const pools = { pools: { web: { origins: [{ url: "https://web.example.net" }] }, api: { origins: [{ url: "https://api.example.net" }] } } };
const backend = (name: string, port: unknown = { number: 80 }) => ({ service: { name, ...(port === undefined ? {} : { port }) } });
const path = (p: string, name: string, pathType = "Prefix", port?: unknown) => ({ path: p, pathType, backend: backend(name, port) });
const ingress = (name: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name, ...extra },
  spec,
});
const rulesSpec = (host: string, ...paths: unknown[]) => ({ rules: [{ host, http: { paths } }] });

function docs(file: string, ...values: unknown[]): SourceDocument[] {
  return values.map((value, index) => ({ file, index, value }));
}

/** Merge, then parse the merged document, then move parse problems back: what the CLI prints. */
function check(documents: SourceDocument[], options: MergeOptions = {}) {
  const merge = mergeDocuments(documents, options);
  const parsed = parseConfig(merge.document);
  const problems = [...merge.problems, ...parsed.problems.map((p) => locateProblem(merge, p))].map((p) => `${p.path}: ${p.message}`);
  return { merge, parsed, problems };
}

describe("mergeDocuments", () => {
  it("merges a native document and an Ingress into one valid config, rules in order", () => {
    const { merge, parsed, problems } = check(
      docs("a.yaml", { ...pools, rules: [{ host: "app.example.com", http: { paths: [path("/", "web")] } }] }, ingress("api", rulesSpec("app.example.com", path("/api", "api")))),
    );
    expect(problems).toEqual([]);
    expect(merge.notes).toEqual([]);
    expect(parsed.ok && parsed.config.routes.map((r) => `${r.host} ${r.path} ${r.pool}`)).toEqual([
      "app.example.com / web",
      "app.example.com /api api",
    ]);
    expect(merge.ruleSources).toEqual([
      { file: "a.yaml", index: 0, segments: ["rules", 0] },
      { file: "a.yaml", index: 1, segments: ["spec", "rules", 0], ingress: "api" },
    ]);
    expect(describeSource(merge, "rules[1].http.paths[0]")).toBe("a.yaml[1]: spec.rules[0].http.paths[0] (Ingress api)");
    expect(relocateSources(merge, "first declared wins (rules[0].http.paths[0] over rules[1].http.paths[0])")).toBe(
      "first declared wins (a.yaml[0]: rules[0].http.paths[0] over a.yaml[1]: spec.rules[0].http.paths[0] (Ingress api))",
    );
  });

  it("takes pools, rules and Ingresses from several files", () => {
    const { merge, problems } = check([
      ...docs("pools.yaml", pools),
      ...docs("ing.yaml", ingress("one", rulesSpec("a.example.com", path("/", "web"))), ingress("two", rulesSpec("b.example.com", path("/", "api")))),
    ]);
    expect(problems).toEqual([]);
    expect(Object.keys(merge.document.pools)).toEqual(["web", "api"]);
    expect(merge.document.rules).toHaveLength(2);
    expect(merge.poolSources.get("api")).toEqual({ file: "pools.yaml", index: 0, segments: ["pools", "api"] });
  });

  it("reports a pool defined twice, and keeps the first definition", () => {
    const { merge, problems } = check([...docs("a.yaml", pools), ...docs("b.yaml", { pools: { web: { origins: [{ url: "https://other.example.net" }] } } })]);
    expect(problems).toEqual(['b.yaml[0]: pools.web: pool "web" is already defined at a.yaml[0]: pools.web']);
    expect(merge.document.pools.web).toEqual(pools.pools.web);
  });

  it("allows one defaultBackend, stated twice alike, and refuses two different ones", () => {
    const same = check(docs("a.yaml", { ...pools, defaultBackend: backend("web") }, ingress("x", { defaultBackend: backend("web") })));
    expect(same.problems).toEqual([]);
    expect(same.parsed.ok && same.parsed.config.defaultBackend?.pool).toBe("web");
    const different = check(docs("a.yaml", { ...pools, defaultBackend: backend("web") }, ingress("x", { defaultBackend: backend("api") })));
    expect(different.problems).toEqual([
      'a.yaml[1]: spec.defaultBackend (Ingress x): conflicts with the defaultBackend at a.yaml[0]: defaultBackend (pool "web"): at most one defaultBackend may be set across all documents',
    ]);
  });

  it("allows one pathNormalization, stated twice alike, and refuses two different ones", () => {
    const same = check([...docs("a.yaml", { ...pools, pathNormalization: { mergeSlashes: false } }), ...docs("b.yaml", { pathNormalization: { mergeSlashes: false } })]);
    expect(same.problems).toEqual([]);
    expect(same.parsed.ok && same.parsed.config.pathNormalization).toEqual({ escapedSlashes: "reject", mergeSlashes: false });
    const different = check([...docs("a.yaml", { ...pools, pathNormalization: { mergeSlashes: false } }), ...docs("b.yaml", { pathNormalization: { escapedSlashes: "keep" } })]);
    expect(different.problems).toEqual([
      'b.yaml[0]: pathNormalization: conflicts with the pathNormalization at a.yaml[0]: pathNormalization ({"mergeSlashes":false}): at most one pathNormalization may be set across all documents',
    ]);
    const bad = check(docs("a.yaml", { ...pools, pathNormalization: { escapedSlashes: 1 } }));
    expect(bad.problems).toEqual(['a.yaml[0]: pathNormalization.escapedSlashes: must be "reject" or "keep", got 1']);
  });

  it("unpacks kind: List (v1 List and IngressList) and skips other kinds with a note", () => {
    const list = {
      apiVersion: "v1",
      kind: "List",
      items: [
        ingress("one", rulesSpec("a.example.com", path("/", "web"))),
        { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: {} },
        { apiVersion: "networking.k8s.io/v1", kind: "IngressList", items: [ingress("two", rulesSpec("b.example.com", path("/", "api")))] },
      ],
    };
    const { merge, problems } = check(docs("all.yaml", pools, list, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" } }));
    expect(problems).toEqual([]);
    expect(merge.document.rules).toHaveLength(2);
    expect(merge.ruleSources[1]).toEqual({ file: "all.yaml", index: 1, segments: ["items", 2, "items", 0, "spec", "rules", 0], ingress: "two" });
    expect(merge.notes).toEqual([
      'all.yaml[1]: items[1]: skipped Service "web" (only Ingress, Gateway API, ConfigMap and native documents are read)',
      'all.yaml[2]: skipped Deployment "web" (only Ingress, Gateway API, ConfigMap and native documents are read)',
    ]);
  });

  it("keeps only Ingresses of the wanted class, by ingressClassName or annotation, with a note for each one skipped", () => {
    const { merge, problems } = check(
      docs(
        "a.yaml",
        pools,
        ingress("by-name", { ingressClassName: "edge", ...rulesSpec("a.example.com", path("/", "web")) }),
        ingress("by-annotation", rulesSpec("b.example.com", path("/", "web")), { annotations: { "kubernetes.io/ingress.class": "edge" } }),
        ingress("nginx", { ingressClassName: "nginx", ...rulesSpec("c.example.com", path("/", "api")) }),
        // Another controller's manifest is not judged: this one would be invalid.
        ingress("classless", { rules: [{ host: "d.example.com", http: { paths: [path("//bad", "nope")] } }] }),
      ),
      { ingressClass: "edge" },
    );
    expect(problems).toEqual([]);
    expect(merge.ruleSources.map((s) => s.ingress)).toEqual(["by-name", "by-annotation"]);
    expect(merge.notes).toEqual([
      'a.yaml[3]: skipped Ingress "nginx" (class "nginx", not "edge")',
      'a.yaml[4]: skipped Ingress "classless" (no ingress class, not "edge")',
    ]);
  });

  it("reads every Ingress when no class is asked for, records its annotations and tls, and notes that tls hosts are redirected and get HSTS", () => {
    const { merge, problems } = check(
      docs("a.yaml", pools, {
        ...ingress("x", { ingressClassName: "nginx", tls: [{ hosts: ["a.example.com"], secretName: "a-tls" }], ...rulesSpec("a.example.com", path("/", "web"))}, {
          namespace: "prod",
          annotations: { "nginx.ingress.kubernetes.io/proxy-buffering": "on", "kubectl.kubernetes.io/last-applied-configuration": "{}" },
          labels: { app: "x" },
          uid: "0b9c",
          resourceVersion: "12",
          managedFields: [],
        }),
        status: { loadBalancer: {} },
      }),
    );
    expect(problems).toEqual([]);
    expect(merge.document.rules).toHaveLength(1);
    expect(merge.notes).toEqual([
      'a.yaml[1]: metadata.annotations["nginx.ingress.kubernetes.io/proxy-buffering"] (Ingress x): ignored, harmless: nginx buffer tuning: edge-ingress streams bodies both ways, with no buffers to size',
      "a.yaml[1]: spec.tls (Ingress x): Cloudflare terminates TLS at the edge, so certificates are not needed; hosts a.example.com serve HTTPS, as ingress-nginx gives them a certificate: their paths are redirected from HTTP to HTTPS (308), whichever Ingress they come from, unless it sets nginx.ingress.kubernetes.io/ssl-redirect: \"false\", and HTTPS responses carry Strict-Transport-Security: max-age=31536000; includeSubDomains (ingress-nginx's ConfigMap defaults)",
    ]);
    expect(merge.warnings).toEqual([]);
    // kubectl's copy of the manifest is not kept: the manifest itself is.
    expect(merge.document.ingresses).toEqual([
      { name: "x", namespace: "prod", annotations: { "nginx.ingress.kubernetes.io/proxy-buffering": "on" }, tls: [{ hosts: ["a.example.com"], secretName: "a-tls" }] },
    ]);
  });

  it("refuses a misspelt metadata field, which would otherwise drop what it holds", () => {
    const { problems } = check(docs("a.yaml", pools, ingress("x", rulesSpec("a.example.com", path("/", "web")), { anotations: { "nginx.ingress.kubernetes.io/auth-type": "basic" } })));
    expect(problems).toEqual(["a.yaml[1]: metadata.anotations (Ingress x): unknown field (check its spelling and indentation)"]);
  });

  it("refuses non-string annotation values, as kubectl does", () => {
    const { problems } = check(docs("a.yaml", pools, ingress("x", rulesSpec("a.example.com", path("/", "web")), { annotations: { "example.com/flag": false } })));
    expect(problems).toEqual([
      'a.yaml[1]: metadata.annotations["example.com/flag"] (Ingress x): must be a string (quote it: annotation and label values are strings), got false',
    ]);
  });

  it("requires networking.k8s.io/v1 for an Ingress", () => {
    const old = { ...ingress("x", {}), apiVersion: "networking.k8s.io/v1beta1" };
    const { problems } = check(docs("a.yaml", pools, old, { ...ingress("y", {}), apiVersion: 3 }));
    expect(problems).toEqual([
      'a.yaml[1]: apiVersion (Ingress x): must be networking.k8s.io/v1 for kind Ingress, got "networking.k8s.io/v1beta1" (v1beta1 was removed in Kubernetes 1.22: rewrite it for v1, e.g. with "kubectl convert")',
      "a.yaml[2]: apiVersion (Ingress y): must be networking.k8s.io/v1 for kind Ingress, got 3",
    ]);
  });

  it("applies the API server's rules kubectl users know, and reports every problem", () => {
    const bad = ingress("Bad_Name", {
      ingressClassName: "Edge",
      rules: [
        {
          host: "a.example.com",
          http: {
            paths: [
              path("/a//b", "web"),
              path("/a/..", "web", "Exact"),
              { path: "/x", pathType: "Prefix", backend: { service: { name: "web" } } },
              path("/y", "web", "Prefix", { number: 80, name: "http" }),
              path("/z", "web", "Prefix", { name: "HTTP" }),
              path("regex", "web", "ImplementationSpecific"),
            ],
          },
        },
      ],
    });
    const { problems } = check(docs("a.yaml", pools, bad, ingress("empty", {}),
      { apiVersion: "networking.k8s.io/v1", kind: "Ingress", spec: { rules: [] }, extra: 1 },
      { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { namespace: "x" } }));
    expect(problems).toEqual([
      'a.yaml[1]: metadata.name (Ingress Bad_Name): must be a lower-case DNS subdomain (letters, digits, "-" and "."), got "Bad_Name"',
      'a.yaml[1]: spec.ingressClassName (Ingress Bad_Name): must be a lower-case DNS subdomain, got "Edge"',
      "a.yaml[1]: spec.rules[0].http.paths[2].backend.service.port (Ingress Bad_Name): port name or number is required (Kubernetes requires it; edge-ingress ignores it)",
      "a.yaml[1]: spec.rules[0].http.paths[3].backend.service.port (Ingress Bad_Name): cannot set both port name & port number",
      'a.yaml[1]: spec.rules[0].http.paths[4].backend.service.port.name (Ingress Bad_Name): must be an IANA service name (at most 15 lower-case letters, digits and "-", with a letter), got "HTTP"',
      'a.yaml[1]: spec.rules[0].http.paths[5].path (Ingress Bad_Name): must be an absolute path, got "regex"',
      "a.yaml[2]: spec (Ingress empty): either `defaultBackend` or `rules` must be specified",
      "a.yaml[3]: metadata: is required",
      "a.yaml[3]: extra: unknown field (check its spelling and indentation)",
      "a.yaml[3]: spec: either `defaultBackend` or `rules` must be specified",
      "a.yaml[4]: metadata.name: is required",
      "a.yaml[4]: spec: is required",
      // parseConfig's own checks of the merged rules, moved back to the manifest.
      'a.yaml[1]: spec.rules[0].http.paths[0].path (Ingress Bad_Name): must not contain "//" for pathType Prefix (Kubernetes rejects it), got "/a//b"',
      'a.yaml[1]: spec.rules[0].http.paths[1].path (Ingress Bad_Name): must not end with "/.." for pathType Exact (Kubernetes rejects it), got "/a/.."',
    ]);
  });

  it("moves parseConfig's problems back to the file, document and path where they were written", () => {
    const schema = check([
      ...docs("pools.yaml", { pools: { web: { origins: [{ url: "ftp://web" }] } } }),
      ...docs("ing.yaml", ingress("x", rulesSpec("a.example.com", { path: "/", pathType: "prefix", backend: backend("web") }))),
    ]);
    expect(schema.problems).toEqual([
      'pools.yaml[0]: pools.web.origins[0].url: must be an absolute http(s) URL, got "ftp://web"',
      'ing.yaml[0]: spec.rules[0].http.paths[0].pathType (Ingress x): must be one of Exact, Prefix, ImplementationSpecific, got "prefix"',
    ]);
    const { problems } = check([
      ...docs("pools.yaml", { pools: { web: { origins: [{ url: "https://web.example.net" }] } } }),
      ...docs("ing.yaml", ingress("x", rulesSpec("A.example.com", path("/", "missing")))),
      ...docs("default.yaml", { defaultBackend: backend("gone") }),
    ]);
    expect(problems).toEqual([
      'ing.yaml[0]: spec.rules[0].host (Ingress x): must be a lower-case DNS name, optionally starting with "*." (e.g. "api.example.com", "*.example.com"), got "A.example.com"',
      'ing.yaml[0]: spec.rules[0].http.paths[0].backend.service.name (Ingress x): no pool named "missing" (pools: web)',
      'default.yaml[0]: defaultBackend.service.name: no pool named "gone" (pools: web)',
    ]);
  });

  it("reports documents that are not mappings, native fields it does not know, a missing kind, and no pools at all", () => {
    const { problems } = check(docs("a.yaml", ["x"], { pool: {}, rules: {} }, { apiVersion: "networking.k8s.io/v1", spec: {} }, { kind: 7 }, null));
    expect(problems).toEqual([
      'a.yaml[0]: must be a mapping (a native edge-ingress document or a Kubernetes manifest), got ["x"]',
      "a.yaml[1]: pool: unknown field (check its spelling and indentation)",
      "a.yaml[1]: rules: must be a list of Ingress rules, got {}",
      'a.yaml[2]: kind: missing: a Kubernetes manifest needs "kind" (e.g. Ingress); a native document has only pools, rules, defaultBackend, gateways and httpRoutes',
      "a.yaml[3]: kind: must be a string, got 7",
      'a.yaml[0]: pools: no pools defined in any document: add a native document with "pools:" (Ingress backends name pools as their services)',
    ]);
  });

  it("refuses the same Ingress twice and a bad List", () => {
    const one = ingress("one", rulesSpec("a.example.com", path("/", "web")));
    const { problems } = check(docs("a.yaml", pools, one, { ...one, metadata: { name: "one", namespace: "other" } }, one, { kind: "List", apiVersion: "v2", items: [] }, { kind: "List", items: {} }));
    expect(problems).toEqual([
      'a.yaml[3]: metadata.name (Ingress one): an Ingress of this name and namespace is already defined at a.yaml[1]: metadata.name (Ingress one) (kubectl would keep only the last one)',
      'a.yaml[4]: apiVersion: must be v1 for kind List, got "v2"',
      "a.yaml[5]: items: must be a list of manifests, got {}",
    ]);
  });
});

describe("splitPath", () => {
  it("inverts joinPath", () => {
    for (const segments of [[], ["pools", "web", "origins", 1, "url"], ["pools", "Bad Name", "x"], ["metadata", "annotations", "kubernetes.io/ingress.class"]]) {
      expect(splitPath(joinPath(segments))).toEqual(segments);
    }
  });
});

describe("spec.tls across Ingresses, as ingress-nginx gives hosts certificates", () => {
  type Paths = { host: string; http: { paths: { path: string; filters?: { type: string }[] }[] } }[];
  const filtersOf = (merge: ReturnType<typeof check>["merge"]) =>
    Object.fromEntries((merge.document.rules as Paths).flatMap((r) => r.http.paths.map((p) => [`${r.host}${p.path}`, (p.filters ?? []).map((f) => f.type)])));

  it("redirects and gives HSTS to every path on a host one Ingress's tls covers, from any Ingress, in any order", () => {
    const shop = ingress("shop", { tls: [{ hosts: ["shop.example.com"], secretName: "s" }], ...rulesSpec("shop.example.com", path("/", "web")) });
    const api = ingress("shop-api", rulesSpec("shop.example.com", path("/api", "api")));
    const other = ingress("other", rulesSpec("other.example.com", path("/", "web")));
    for (const order of [[shop, api, other], [api, other, shop]]) {
      const { merge, problems } = check(docs("a.yaml", pools, ...order));
      expect(problems).toEqual([]);
      expect(filtersOf(merge)).toEqual({
        "shop.example.com/": ["HTTPSRedirect", "StrictTransportSecurity"],
        "shop.example.com/api": ["HTTPSRedirect", "StrictTransportSecurity"],
        "other.example.com/": [],
      });
    }
  });

  it("counts every rule host of an Ingress with a tls section, listed in it or not, and leaves ssl-redirect per Ingress", () => {
    const blog = ingress("blog", { tls: [{ secretName: "wildcard" }], ...rulesSpec("blog.example.com", path("/", "web")) });
    const feed = ingress("feed", rulesSpec("blog.example.com", path("/feed", "api")), { annotations: { "nginx.ingress.kubernetes.io/ssl-redirect": "false" } });
    const { merge, problems } = check(docs("a.yaml", pools, blog, feed));
    expect(problems).toEqual([]);
    expect(filtersOf(merge)).toEqual({ "blog.example.com/": ["HTTPSRedirect", "StrictTransportSecurity"], "blog.example.com/feed": ["StrictTransportSecurity"] });
  });

  it("does not count an Ingress of another class", () => {
    const tlsElsewhere = ingress("nginx-shop", { ingressClassName: "nginx", tls: [{ hosts: ["shop.example.com"] }], ...rulesSpec("shop.example.com", path("/", "web")) });
    const ours = ingress("edge-shop", { ingressClassName: "edge", ...rulesSpec("shop.example.com", path("/api", "api")) });
    const { merge } = check(docs("a.yaml", pools, tlsElsewhere, ours), { ingressClass: "edge" });
    expect(filtersOf(merge)).toEqual({ "shop.example.com/api": [] });
  });
});

describe("ImplementationSpecific paths of an Ingress", () => {
  const warningsOf = (merge: ReturnType<typeof check>["merge"]) => merge.warnings.map((w) => `${formatLocation(w.at)}: ${w.message}`);

  it("warns, once per Ingress, that they are read as regexes when ingress-nginx would read them as prefixes", () => {
    const { merge, problems } = check(docs("a.yaml", pools, ingress("api", rulesSpec("api.example.com", path("/v1.0", "api", "ImplementationSpecific"), path("/v2", "api", "ImplementationSpecific"), path("/", "web")))));
    expect(problems).toEqual([]);
    expect(warningsOf(merge)).toEqual([
      'a.yaml[1]: spec.rules (Ingress api): ImplementationSpecific paths "/v1.0", "/v2" are read as regular expressions, anchored at the start and case-insensitive, as ingress-nginx reads them with use-regex: "true"; without it ingress-nginx matches them as plain, case-sensitive prefixes. Add the annotation to say you mean a regex, or use pathType Prefix',
    ]);
  });

  it("says nothing when another Ingress's use-regex on the same host makes ingress-nginx read them as regexes", () => {
    const plain = ingress("api", rulesSpec("api.example.com", path("/v1.0", "api", "ImplementationSpecific")));
    const regex = ingress("more", rulesSpec("api.example.com", path("/v2/(.*)", "api", "ImplementationSpecific")), { annotations: { "nginx.ingress.kubernetes.io/use-regex": "true" } });
    const { merge, problems } = check(docs("a.yaml", pools, plain, regex));
    expect(problems).toEqual([]);
    expect(warningsOf(merge)).toEqual([]);
  });

  it("says nothing when use-regex or rewrite-target makes ingress-nginx read them as regexes too", () => {
    for (const annotation of [{ "nginx.ingress.kubernetes.io/use-regex": "true" }, { "nginx.ingress.kubernetes.io/rewrite-target": "/$1" }]) {
      const { merge, problems } = check(docs("a.yaml", pools, ingress("api", rulesSpec("api.example.com", path("/v1/(.*)", "api", "ImplementationSpecific")), { annotations: annotation })));
      expect(problems).toEqual([]);
      expect(warningsOf(merge)).toEqual([]);
    }
  });
});
