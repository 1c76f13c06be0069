// Gateway API documents in config files: merged with Ingress and native
// documents, every problem named by file, manifest and field, what is not
// implemented refused by name, and the host ownership rule.
import { describe, expect, it } from "vitest";
import { locateProblem, mergeDocuments, type SourceDocument } from "../config/manifests";
import { parseConfig } from "../config/parse";

const pools = { pools: { web: { origins: [{ url: "https://web.example.net" }] }, api: { origins: [{ url: "https://api.example.net" }] } } };
const gateway = (listeners: unknown[] = [{ name: "http", port: 80, protocol: "HTTP" }]) => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "Gateway",
  metadata: { name: "edge" },
  spec: { gatewayClassName: "edge-ingress", listeners },
});
const route = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: "web" }) => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata,
  spec: { parentRefs: [{ name: "edge" }], ...spec },
});

function load(...values: unknown[]) {
  const docs: SourceDocument[] = values.map((value, index) => ({ file: "c.yaml", index, value }));
  const merge = mergeDocuments(docs);
  const parsed = parseConfig(merge.document);
  return { merge, parsed, problems: [...merge.problems.map((p) => `${p.path}: ${p.message}`), ...parsed.problems.map((p) => { const l = locateProblem(merge, p); return `${l.path}: ${l.message}`; })] };
}

describe("Gateway API manifests", () => {
  it("reads Gateway and HTTPRoute manifests (also in a List) beside native and Ingress documents", () => {
    const { parsed, problems } = load(
      pools,
      { apiVersion: "v1", kind: "List", items: [gateway(), route({ hostnames: ["www.example.com"], rules: [{ backendRefs: [{ name: "web", port: 80 }] }] })] },
      { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "legacy" }, spec: { rules: [{ host: "api.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } }] } }] } },
    );
    expect(problems).toEqual([]);
    if (!parsed.ok) return;
    expect(parsed.config.gatewayRoutes?.map((r) => [r.host, r.path, r.pool, r.listeners])).toEqual([["www.example.com", "/", "web", ["http:80"]]]);
    expect(parsed.config.routes.map((r) => r.host)).toEqual(["api.example.com"]);
  });

  it("names the file, the manifest and the field of each problem", () => {
    const { problems } = load(
      pools,
      gateway(),
      route({
        rules: [
          {
            matches: [{ path: { type: "Exact", value: "no-slash" }, headers: [{ name: "x", value: "1" }, { name: "X", value: "2" }] }],
            filters: [{ type: "ExtensionRef", extensionRef: { group: "x", kind: "y", name: "z" } }, { type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "Host", value: "x" }] } }],
            backendRefs: [{ name: "web", namespace: "other" }, { name: "web", kind: "ServiceImport" }],
            timeouts: { request: "1s", backendRequest: "2s" },
            sessionPersistence: { type: "Cookie" },
          },
        ],
      }),
    );
    const has = (pattern: RegExp) => expect(problems.some((p) => pattern.test(p)), `${pattern} in\n${problems.join("\n")}`).toBe(true);
    has(/^c\.yaml\[2\]: spec\.rules\[0\]\.filters\[0\]\.type \(HTTPRoute default\/web\): ExtensionRef filters are not supported/);
    has(/^c\.yaml\[2\]: spec\.rules\[0\]\.sessionPersistence \(HTTPRoute default\/web\): sessionPersistence is not supported/);
    has(/spec\.rules\[0\]\.matches\[0\]\.path\.value .*must be an absolute path/);
    has(/spec\.rules\[0\]\.matches\[0\]\.headers\[1\]\.name .*names "x" twice/);
    has(/spec\.rules\[0\]\.filters\[1\]\.requestHeaderModifier\.set\[0\]\.name .*cannot be "host"/);
    has(/spec\.rules\[0\]\.backendRefs\[0\]\.namespace .*ReferenceGrant/);
    has(/spec\.rules\[0\]\.backendRefs\[1\]\.kind .*must be Service/);
    has(/spec\.rules\[0\]\.timeouts\.backendRequest .*must not be longer than timeouts\.request/);
  });

  it("refuses route kinds and policies it does not implement, by name", () => {
    const { problems } = load(pools, { apiVersion: "gateway.networking.k8s.io/v1", kind: "GRPCRoute", metadata: { name: "g" }, spec: {} }, { apiVersion: "gateway.networking.k8s.io/v1beta1", kind: "ReferenceGrant", metadata: { name: "r" }, spec: {} });
    expect(problems).toEqual([
      "c.yaml[1]: kind (GRPCRoute default/g): GRPCRoute is not supported by edge-ingress (only HTTPRoute)",
      "c.yaml[2]: kind (ReferenceGrant default/r): ReferenceGrant is not supported: cross-namespace references are refused",
    ]);
  });

  it("keeps namespace/name identities apart and refuses attaching across namespaces without allowedRoutes All", () => {
    const ok = load(pools, gateway([{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } }]),
      route({ hostnames: ["a.example.com"], parentRefs: [{ name: "edge", namespace: "default" }] }, { name: "web", namespace: "team-a" }),
      route({ hostnames: ["b.example.com"], parentRefs: [{ name: "edge", namespace: "default" }] }, { name: "web", namespace: "team-b" }));
    expect(ok.problems).toEqual([]);
    const same = load(pools, gateway(), route({ parentRefs: [{ name: "edge", namespace: "default" }] }, { name: "web", namespace: "team-a" }));
    expect(same.problems.join("\n")).toMatch(/spec\.parentRefs\[0\]\.namespace \(HTTPRoute team-a\/web\): the listeners of Gateway default\/edge accept routes of namespace "default" only/);
    const twice = load(pools, gateway(), route({}), route({}));
    expect(twice.problems.join("\n")).toMatch(/c\.yaml\[3\]: metadata\.name \(HTTPRoute default\/web\): HTTPRoute default\/web is already defined/);
  });

  it("says when a route's hostnames meet no listener, or a parentRef names nothing", () => {
    const { problems } = load(pools, gateway([{ name: "http", port: 80, protocol: "HTTP", hostname: "*.example.com" }]),
      route({ hostnames: ["www.example.net"] }), route({ parentRefs: [{ name: "edge", sectionName: "https" }] }, { name: "b" }), route({ parentRefs: [{ name: "nope" }] }, { name: "c" }));
    expect(problems.join("\n")).toMatch(/HTTPRoute default\/web\): no hostname intersects a listener hostname/);
    expect(problems.join("\n")).toMatch(/spec\.parentRefs\[0\]\.sectionName \(HTTPRoute default\/b\): Gateway default\/edge has no listener "https"/);
    expect(problems.join("\n")).toMatch(/spec\.parentRefs\[0\]\.name \(HTTPRoute default\/c\): no Gateway default\/nope/);
  });

  it("gives a host pattern to one model: an Ingress rule and an HTTPRoute claiming it are both named", () => {
    const { problems } = load(pools, gateway(), route({ hostnames: ["www.example.com"], rules: [{ backendRefs: [{ name: "web" }] }] }),
      { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "legacy" }, spec: { rules: [{ host: "www.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } }] } }] } });
    expect(problems).toEqual([
      "c.yaml[2]: spec.hostnames (HTTPRoute default/web): HTTPRoute default/web serves host www.example.com, which the Ingress rule at c.yaml[3]: spec.rules[0].http.paths[0] (Ingress legacy) also claims: a host belongs to either Ingress rules or HTTPRoutes; move one of them to another host",
    ]);
  });

  it("accepts a backendRef naming no pool (its share answers 500) and says so as a warning", () => {
    const { parsed } = load(pools, gateway(), route({ rules: [{ backendRefs: [{ name: "web" }, { name: "missing" }] }] }));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.config.warnings?.map((w) => w.path)).toEqual(["httpRoutes[0].rules[0].backendRefs[1].name"]);
  });
});
