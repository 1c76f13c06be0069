import { describe, expect, it } from "vitest";
import { parseConfig } from "../core/config/parse";
import type { Config } from "../core/config/types";
import { diffConfigs } from "./diff";

function config(doc: unknown): Config {
  const parsed = parseConfig(doc);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config;
}
const route = (host: string, path: string, pool: string, pathType = "Prefix") => ({ host, http: { paths: [{ path, pathType, backend: { service: { name: pool } } }] } });

const before = config({
  pools: {
    web: { origins: [{ url: "https://a.example.net", weight: 2 }, { url: "https://b.example.net" }], healthCheck: { path: "/healthz", headers: { authorization: "secret-1" } } },
    old: { origins: [{ url: "https://old.example.net" }] },
  },
  rules: [route("app.example.com", "/", "web"), route("app.example.com", "/old", "old"), route("app.example.com", "/x", "web")],
});

describe("diffConfigs", () => {
  it("lists everything as added against an empty KV", () => {
    expect(diffConfigs(undefined, before)).toEqual([
      "+ pool web (round-robin): https://a.example.net (weight 2), https://b.example.net",
      "+ pool old (round-robin): https://old.example.net",
      "+ route app.example.com Prefix / -> web",
      "+ route app.example.com Prefix /old -> old",
      "+ route app.example.com Prefix /x -> web",
    ]);
  });

  it("says nothing when nothing changed", () => {
    expect(diffConfigs(before, before)).toEqual([]);
  });

  it("names pools and routes added, removed and changed, field by field, without header values", () => {
    const after = config({
      pools: {
        web: {
          policy: "random",
          timeoutMs: 5000,
          origins: [{ url: "https://a.example.net", weight: 3 }, { url: "https://c.example.net" }],
          healthCheck: { path: "/ready", expectedStatus: [200, "300-302"], headers: { authorization: "secret-2" } },
          whenAllDown: "503",
          passiveEjection: { on5xx: true },
        },
        api: { origins: [{ url: "https://api.example.net" }] },
      },
      rules: [route("app.example.com", "/", "web"), route("app.example.com", "/x/", "api"), route("*.example.com", "/", "api", "Exact")],
      defaultBackend: { service: { name: "api" } },
    });
    const lines = diffConfigs(before, after);
    expect(lines).toEqual([
      "~ pool web: policy round-robin -> random",
      "~ pool web: origin https://a.example.net weight 2 -> 3",
      "~ pool web: + origin https://c.example.net",
      "~ pool web: - origin https://b.example.net",
      "~ pool web: timeoutMs 30000 -> 5000",
      "~ pool web: whenAllDown fail-open -> 503",
      '~ pool web: healthCheck.path "/healthz" -> "/ready"',
      "~ pool web: healthCheck.expectedStatus 200-399 -> 200,300-302",
      "~ pool web: healthCheck.headers.authorization <redacted, 8 chars> -> <redacted, 8 chars> (changed)",
      "~ pool web: passiveEjection.on5xx false -> true",
      "+ pool api (round-robin): https://api.example.net",
      "- pool old",
      // "/x" and "/x/" are the same Prefix rule: a change of pool, not a new route.
      "~ route app.example.com Prefix /x/: web -> api",
      "+ route *.example.com Exact / -> api",
      "- route app.example.com Prefix /old -> old",
      "~ defaultBackend: none -> api",
    ]);
    expect(lines.join("\n")).not.toContain("secret");
  });

  it("reports health checks added and removed, and rules reordered", () => {
    const plain = config({ pools: { web: { origins: [{ url: "https://a.example.net" }] } }, rules: [route("a.example.com", "/a", "web"), route("a.example.com", "/b", "web")] });
    const checked = config({
      pools: { web: { origins: [{ url: "https://a.example.net" }], healthCheck: { path: "/h", bodyContains: "ok" } } },
      rules: [route("a.example.com", "/b", "web"), route("a.example.com", "/a", "web")],
    });
    expect(diffConfigs(plain, checked)).toEqual([
      '~ pool web: + healthCheck GET /h containing "ok"',
      "~ rules reordered (order decides between equally long paths of the same type)",
    ]);
    expect(diffConfigs(checked, plain)[0]).toBe("~ pool web: - healthCheck (origins are no longer probed)");
  });

  it("names Ingresses added and removed, and every annotation and tls change of one", () => {
    const pools = { web: { origins: [{ url: "https://a.example.net" }] } };
    const a = "nginx.ingress.kubernetes.io/proxy-buffering";
    const b = "nginx.ingress.kubernetes.io/proxy-http-version";
    const old = config({
      pools,
      ingresses: [
        { name: "shop", namespace: "prod", annotations: { [a]: "on", [b]: "1.1" }, tls: [{ hosts: ["shop.example.com"] }] },
        { name: "gone" },
      ],
    });
    const now = config({
      pools,
      ingresses: [
        { name: "shop", namespace: "prod", annotations: { [a]: "off", "example.com/owner": "team-a" } },
        { name: "new", annotations: { [a]: "on" } },
      ],
    });
    expect(diffConfigs(old, now)).toEqual([
      `~ Ingress prod/shop: annotation ${a} "on" -> "off"`,
      '~ Ingress prod/shop: + annotation example.com/owner "team-a"',
      `~ Ingress prod/shop: - annotation ${b}`,
      "~ Ingress prod/shop: tls shop.example.com -> none",
      `+ Ingress new (annotations: ${a})`,
      "- Ingress gone",
    ]);
    expect(diffConfigs(undefined, old)).toEqual([
      "+ pool web (round-robin): https://a.example.net",
      `+ Ingress prod/shop (annotations: ${a}, ${b}; tls: shop.example.com)`,
      "+ Ingress gone",
    ]);
    expect(diffConfigs(old, old)).toEqual([]);
  });
});

describe("diff of Gateway API documents", () => {
  it("lists listeners and HTTPRoute rules added, changed and removed", () => {
    const doc = (weight: number, extra: unknown[] = []) => ({
      pools: { a: { origins: [{ url: "https://a.example.net" }] }, b: { origins: [{ url: "https://b.example.net" }] } },
      gateways: [{ name: "gw", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] }],
      httpRoutes: [{ name: "r", parentRefs: [{ name: "gw" }], hostnames: ["x.example.com"], rules: [{ backendRefs: [{ name: "a", weight }, { name: "b", weight: 1 }] }, ...extra] }],
    });
    const parse = (d: unknown) => {
      const p = parseConfig(d);
      if (!p.ok) throw new Error(JSON.stringify(p.problems));
      return p.config;
    };
    expect(diffConfigs(parse(doc(1)), parse(doc(9, [{ matches: [{ method: "POST" }], backendRefs: [{ name: "b" }] }])))).toEqual([
      "~ HTTPRoute default/r rule 0: x.example.com Prefix / -> a (1), b (1) -> x.example.com Prefix / -> a (9), b (1)",
      "+ HTTPRoute default/r rule 1: x.example.com Prefix / POST -> b",
    ]);
    expect(diffConfigs(undefined, parse(doc(1)))).toContain("+ listener default/gw http: HTTP 80");
  });
});
