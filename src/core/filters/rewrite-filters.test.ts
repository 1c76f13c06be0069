// RewriteTarget, AppRoot and StaticRedirect: the ingress-nginx rewrite and
// redirect annotations as filters.
import { describe, expect, it } from "vitest";
import * as v from "valibot";
import type { Filter, FilterRequest } from "./filter";
import type { FilterContext } from "./module";
import { filtersByType } from "./registry";

const ctx: FilterContext = { pools: new Set(["web"]), matchPathTypes: ["RegularExpression"], namespace: "default", onBackendRef: false };

function compile(type: string, raw: unknown): Filter {
  const module = filtersByType.get(type);
  if (!module) throw new Error(`no filter ${type}`);
  const parsed = v.safeParse(module.schema, raw);
  if (!parsed.success) throw new Error(parsed.issues.map((i) => i.message).join("; "));
  const problems = module.check?.(parsed.output, ctx) ?? [];
  if (problems.length > 0) throw new Error(problems.map((p) => p.message).join("; "));
  return module.compile(parsed.output, ctx);
}

function problemsOf(type: string, raw: unknown): string[] {
  const module = filtersByType.get(type)!;
  const parsed = v.safeParse(module.schema, raw);
  if (!parsed.success) return parsed.issues.map((i) => i.message);
  return (module.check?.(parsed.output, ctx) ?? []).map((p) => p.message);
}

function request(path: string, { scheme = "http", port = 80, hostname = "app.example.com", search = "" } = {}): FilterRequest {
  return {
    method: "GET", scheme, hostname, port, clientPath: path, path, search, upstreamHost: undefined,
    clientHeaders: new Headers(), headers: new Headers(), matchedPrefix: undefined, mirrors: [], random: () => 0,
  };
}

describe("RewriteTarget", () => {
  const filter = compile("RewriteTarget", { pattern: "/something(/|$)(.*)", target: "/$2", caseInsensitive: true });
  it.each([
    ["/something", "/"],
    ["/something/", "/"],
    ["/something/new", "/new"],
    ["/SOMETHING/new/deeper", "/new/deeper"],
    ["/other", "/other"],
  ])("%s -> %s", (path, expected) => {
    const r = request(path, { search: "?q=1" });
    expect(filter.onRequest?.(r)).toBeUndefined();
    expect([r.path, r.search]).toEqual([expected, "?q=1"]);
  });
  it("is case-sensitive unless asked", () => {
    const r = request("/SOMETHING/new");
    compile("RewriteTarget", { pattern: "/something(/|$)(.*)", target: "/$2" }).onRequest?.(r);
    expect(r.path).toBe("/SOMETHING/new");
  });
  it("refuses nginx variables and bad patterns", () => {
    expect(problemsOf("RewriteTarget", { pattern: "/a", target: "/$host" })[0]).toMatch(/\$1 to \$9/);
    expect(problemsOf("RewriteTarget", { pattern: "/a(", target: "/" })[0]).toMatch(/got "\/a\("/);
  });
});

describe("AppRoot", () => {
  const filter = compile("AppRoot", { path: "/app1" });
  it("answers / with 302 to the app root, on the client's scheme and Host", () => {
    expect(filter.onRequest?.(request("/", { search: "?x=1" }))).toEqual({ status: 302, headers: { location: "http://app.example.com/app1" }, body: "" });
    expect(filter.onRequest?.(request("/", { scheme: "https", port: 8443 }))?.headers.location).toBe("https://app.example.com:8443/app1");
  });
  it("leaves every other path alone", () => {
    expect(filter.onRequest?.(request("/app1"))).toBeUndefined();
    expect(filter.onRequest?.(request("//"))).toBeUndefined();
  });
  it("refuses a path that is not absolute", () => {
    expect(problemsOf("AppRoot", { path: "app1" })[0]).toMatch(/starting with "\/"/);
  });
});

describe("StaticRedirect", () => {
  it("answers every request with the Location as written, 301 by default", () => {
    const filter = compile("StaticRedirect", { location: "https://www.google.com" });
    expect(filter.onRequest?.(request("/some/page", { search: "?q=1" }))).toEqual({ status: 301, headers: { location: "https://www.google.com" }, body: "" });
    expect(compile("StaticRedirect", { location: "https://x.example/a", statusCode: 307 }).onRequest?.(request("/"))?.status).toBe(307);
  });
  it("refuses a relative URL and other codes", () => {
    expect(problemsOf("StaticRedirect", { location: "/elsewhere" })[0]).toMatch(/absolute http\(s\) URL/);
    expect(problemsOf("StaticRedirect", { location: "https://x.example", statusCode: 300 })[0]).toMatch(/301, 302/);
  });
});
