// Each filter's own behaviour, beyond the shared contract.
import { describe, expect, it } from "vitest";
import * as v from "valibot";
import type { FilterRequest } from "./filter";
import type { FilterContext } from "./module";
import { filtersByType } from "./registry";
import { modifyPath } from "./path-modifier";

const ctx: FilterContext = { pools: new Set(["shadow"]), matchPathTypes: ["PathPrefix"], namespace: "default", onBackendRef: false };

function build(type: string, config: unknown) {
  const module = filtersByType.get(type)!;
  const parsed = v.parse(module.schema, config);
  return { filter: module.compile(parsed, ctx), problems: module.check?.(parsed, ctx) ?? [] };
}

function request(over: Partial<FilterRequest> = {}): FilterRequest {
  return {
    method: "GET", scheme: "http", hostname: "shop.example", port: 80, clientPath: "/foo/bar", path: "/foo/bar", search: "?q=1",
    upstreamHost: undefined, clientHeaders: new Headers(), headers: new Headers({ "x-old": "1", keep: "a" }), matchedPrefix: "/foo",
    mirrors: [], random: () => 0.5, clientIp: undefined, country: undefined, asn: undefined, ...over,
  };
}

describe("ReplacePrefixMatch (the field doc's table)", () => {
  const rows: [string, string, string, string][] = [
    ["/foo/bar", "/foo", "/xyz", "/xyz/bar"], ["/foo/bar", "/foo", "/xyz/", "/xyz/bar"], ["/foo/bar", "/foo/", "/xyz", "/xyz/bar"],
    ["/foo/bar", "/foo/", "/xyz/", "/xyz/bar"], ["/foo", "/foo", "/xyz", "/xyz"], ["/foo/", "/foo", "/xyz", "/xyz/"],
    ["/foo/bar", "/foo", "", "/bar"], ["/foo/", "/foo", "", "/"], ["/foo", "/foo", "", "/"], ["/foo/", "/foo", "/", "/"], ["/foo", "/foo", "/", "/"],
  ];
  it.each(rows)("%s with prefix %s and replacement %j -> %s", (path, prefix, replacement, expected) => {
    expect(modifyPath(path, { type: "ReplacePrefixMatch", replacePrefixMatch: replacement }, prefix)).toBe(expected);
  });
});

describe("ReplacePrefixMatch on a path with ;parameters (matched without them)", () => {
  // The matched elements go whole, parameters and all, so the result is always a path.
  const rows: [string, string, string, string][] = [
    ["/api;@elsewhere.example/steal", "/api", "/", "/steal"], ["/api%3B@elsewhere.example/steal", "/api", "", "/steal"],
    ["/api;x", "/api", "/v2", "/v2"], ["/;x/api/users", "/api", "/v2", "/v2/users"], ["/a;x/b;y/c;z", "/a/b", "/z", "/z/c;z"],
    ["/a;x/b", "/", "/z", "/z/a;x/b"],
  ];
  it.each(rows)("%s with prefix %s and replacement %j -> %s", (path, prefix, replacement, expected) => {
    expect(modifyPath(path, { type: "ReplacePrefixMatch", replacePrefixMatch: replacement }, prefix)).toBe(expected);
  });
});

describe("filters", () => {
  it("RequestHeaderModifier sets, appends and removes, case-insensitively", () => {
    const r = request();
    build("RequestHeaderModifier", { set: [{ name: "X-Old", value: "2" }], add: [{ name: "keep", value: "b" }], remove: ["KEEP2"] }).filter.onRequest?.(r);
    expect(r.headers.get("x-old")).toBe("2");
    expect(r.headers.get("keep")).toBe("a, b");
  });

  it("RequestHeaderModifier refuses Host and hop-by-hop fields, and a name twice", () => {
    const { problems } = build("RequestHeaderModifier", { set: [{ name: "Host", value: "x" }, { name: "a", value: "1" }, { name: "A", value: "2" }], remove: ["Connection"] });
    expect(problems.map((p) => p.path.join("."))).toEqual(["set.0.name", "set.2.name", "remove.0"]);
    expect(problems[0]?.message).toMatch(/URLRewrite/);
  });

  it("RequestRedirect fills what it does not set from the request and leaves out well-known ports", () => {
    const at = (config: unknown, over: Partial<FilterRequest> = {}) => build("RequestRedirect", config).filter.onRequest?.(request(over));
    expect(at({ scheme: "https" })).toEqual({ status: 302, headers: { location: "https://shop.example/foo/bar?q=1" }, body: "" });
    expect(at({ hostname: "other.example", statusCode: 301 }, { port: 8080 })?.headers.location).toBe("http://other.example:8080/foo/bar?q=1");
    expect(at({ scheme: "https", port: 8443 })?.headers.location).toBe("https://shop.example:8443/foo/bar?q=1");
    expect(at({ path: { type: "ReplaceFullPath", replaceFullPath: "/new" } })?.headers.location).toBe("http://shop.example/new?q=1");
  });

  it("ReplacePrefixMatch needs exactly one PathPrefix match", () => {
    const module = filtersByType.get("URLRewrite")!;
    const raw = v.parse(module.schema, { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/x" } });
    expect(module.check?.(raw, { ...ctx, matchPathTypes: ["Exact"] })[0]?.message).toMatch(/exactly one match, with a PathPrefix/);
    expect(module.check?.(raw, { ...ctx, matchPathTypes: ["PathPrefix", "PathPrefix"] })).toHaveLength(1);
  });

  it("URLRewrite sets the Host the origin receives and the path, and keeps the query", () => {
    const r = request();
    build("URLRewrite", { hostname: "internal.example", path: { type: "ReplaceFullPath", replaceFullPath: "/v2" } }).filter.onRequest?.(r);
    expect([r.upstreamHost, r.path, r.search]).toEqual(["internal.example", "/v2", "?q=1"]);
  });

  it("RequestMirror copies the share of requests it is given, and names an existing pool", () => {
    const half = build("RequestMirror", { backendRef: { name: "shadow" }, percent: 50 }).filter;
    const low = request({ random: () => 0.2 });
    const high = request({ random: () => 0.7 });
    half.onRequest?.(low);
    half.onRequest?.(high);
    expect([low.mirrors, high.mirrors]).toEqual([[{ pool: "shadow" }], []]);
    const module = filtersByType.get("RequestMirror")!;
    const raw = v.parse(module.schema, { backendRef: { name: "nope", namespace: "other" } });
    expect(module.check?.(raw, ctx).map((p) => p.path.join("."))).toEqual(["backendRef.namespace", "backendRef.name"]);
  });

  it("CORS answers a preflight itself and never sends * with credentials", () => {
    const cors = build("CORS", { allowOrigins: ["*"], allowCredentials: true, allowMethods: ["*"], allowHeaders: ["*"] }).filter;
    const pre = request({ method: "OPTIONS", clientHeaders: new Headers({ origin: "https://a.example", "access-control-request-method": "PUT", "access-control-request-headers": "x-y" }) });
    const answer = cors.onRequest?.(pre);
    expect(answer?.status).toBe(204);
    expect(answer?.headers).toMatchObject({
      "access-control-allow-origin": "https://a.example",
      "access-control-allow-methods": "PUT",
      "access-control-allow-headers": "x-y",
      "access-control-allow-credentials": "true",
      "access-control-max-age": "5",
    });
  });
});

describe("AccessControl", () => {
  it("compiles one shared filter per distinct list (an Ingress's paths share its list), and a different one for another list", () => {
    const a = build("AccessControl", { allowSourceRanges: ["10.0.0.0/8"], denySourceRanges: ["10.1.0.0/16"] });
    const b = build("AccessControl", { allowSourceRanges: ["10.0.0.0/8"], denySourceRanges: ["10.1.0.0/16"] });
    const c = build("AccessControl", { allowSourceRanges: ["10.0.0.0/8"] });
    expect(a.problems).toEqual([]);
    expect(b.filter).toBe(a.filter);
    expect(c.filter).not.toBe(a.filter);
    expect(a.filter.onRequest?.(request({ clientIp: "10.1.2.3" }))?.status).toBe(403);
    expect(c.filter.onRequest?.(request({ clientIp: "10.1.2.3" }))).toBeUndefined();
  });
});
