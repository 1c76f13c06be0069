// HTTPRoute conditions inside the compiled table: the Gateway API's
// precedence (path, then method, header count, query count, then order).
import { describe, expect, it } from "vitest";
import type { MatchConditions, Route } from "../config/types";
import { poolAction } from "../action/action";
import type { RequestFacts } from "./conditions";
import { compileRoutes } from "./table";
import { explainRoute } from "./explain";

let n = 0;
function gw(host: string | undefined, pathType: Route["pathType"], path: string, pool: string, c: Partial<MatchConditions> = {}, listeners = ["http:80"]): Route {
  const source = `httpRoutes[0].rules[${n++}]`;
  return {
    host,
    path,
    pathType,
    pool,
    source,
    conditions: { method: c.method, headers: c.headers ?? [], queryParams: c.queryParams ?? [] },
    action: { ...poolAction(pool, source), rule: { kind: "HTTPRoute", name: "default/r", ruleIndex: 0, source } },
    listeners,
  };
}

function facts(method = "GET", headers: Record<string, string> = {}, query = "", listener = "http:80"): RequestFacts {
  const h = new Headers(headers);
  const q = new URLSearchParams(query);
  return { method, header: (name) => h.get(name), queryParam: (name) => q.get(name), listener };
}

describe("HTTPRoute conditions in the table", () => {
  it("checks header, query and method only among the rules of the host and path, best first", () => {
    const t = compileRoutes([], undefined, undefined, [
      gw("foo.com", "Prefix", "/", "plain"),
      gw("foo.com", "Prefix", "/", "canary", { headers: [{ name: "env", type: "Exact", value: "canary" }] }),
      gw("foo.com", "Prefix", "/", "two", { queryParams: [{ name: "a", type: "Exact", value: "1" }, { name: "b", type: "Exact", value: "2" }] }),
      gw("foo.com", "Prefix", "/", "one", { queryParams: [{ name: "a", type: "Exact", value: "1" }] }),
      gw("foo.com", "Prefix", "/", "post", { method: "POST" }),
    ]);
    expect(t.match("foo.com", "/x", facts())?.pool).toBe("plain");
    expect(t.match("foo.com", "/x", facts("GET", { Env: "canary" }))?.pool).toBe("canary");
    expect(t.match("foo.com", "/x", facts("GET", {}, "a=1&b=2"))?.pool).toBe("two");
    expect(t.match("foo.com", "/x", facts("GET", {}, "a=1"))?.pool).toBe("one");
    // A method match beats header and query matches.
    expect(t.match("foo.com", "/x", facts("POST", { env: "canary" }, "a=1&b=2"))?.pool).toBe("post");
    // More headers beat more query parameters.
    expect(t.match("foo.com", "/x", facts("GET", { env: "canary" }, "a=1&b=2"))?.pool).toBe("canary");
  });

  it("a longer path beats any number of conditions; an Exact path beats a Prefix of the same length", () => {
    const t = compileRoutes([], undefined, undefined, [
      gw(undefined, "Prefix", "/", "root-method", { method: "GET" }),
      gw(undefined, "Prefix", "/path1", "longer"),
      gw(undefined, "Exact", "/path1", "exact", { headers: [{ name: "x", type: "Exact", value: "1" }] }),
    ]);
    expect(t.match("any.example", "/path1/a")?.pool).toBe("longer");
    expect(t.match("any.example", "/path1", facts("GET", { x: "1" }))?.pool).toBe("exact");
    expect(t.match("any.example", "/path1", facts("GET"))?.pool).toBe("longer");
    expect(t.match("any.example", "/other")?.pool).toBe("root-method");
    expect(t.match("any.example", "/other", facts("PUT"))).toBeUndefined();
  });

  it("falls back from a deeper prefix whose conditions fail to a regex, then a shallower prefix", () => {
    const t = compileRoutes([], undefined, undefined, [
      gw(undefined, "RegularExpression", "/a.+", "regex", { method: "GET" }),
      gw(undefined, "Prefix", "/a/1", "deep", { method: "POST" }),
      gw(undefined, "Prefix", "/a", "shallow", { method: "DELETE" }),
    ]);
    expect(t.match("h", "/a/1", facts("POST"))?.pool).toBe("deep");
    // The regex (4 characters) ties with /a/1 and loses, but beats /a (2).
    expect(t.match("h", "/a/1", facts("GET"))?.pool).toBe("regex");
    expect(t.match("h", "/a/1", facts("DELETE"))?.pool).toBe("shallow");
  });

  it("lets an Exact path beat a longer RegularExpression (the Gateway API's first criterion), in any order; Ingress regexes keep the longest-pattern rule", () => {
    for (const order of [0, 1]) {
      const rules = [gw(undefined, "Exact", "/api/v1", "exact"), gw(undefined, "RegularExpression", "/api/v[0-9]+", "regex"), gw(undefined, "Exact", "/a", "exact-a"), gw(undefined, "RegularExpression", "/.*", "all")];
      const t = compileRoutes([], undefined, undefined, order === 0 ? rules : [...rules].reverse());
      expect([t.match("h", "/api/v1")?.pool, t.match("h", "/a")?.pool, t.match("h", "/api/v2")?.pool, t.match("h", "/b")?.pool]).toEqual(["exact", "exact-a", "regex", "all"]);
    }
    // Among Ingress rules a regex longer than the Exact path wins (README, Matching rules), as ingress-nginx's regex locations do.
    const ingress = compileRoutes([
      { path: "/a", pathType: "Exact", pool: "exact", source: "rules[0].http.paths[0]" },
      { path: "/a.*", pathType: "ImplementationSpecific", pool: "regex", source: "rules[0].http.paths[1]" },
    ]);
    expect(ingress.match("h", "/a")?.pool).toBe("regex");
  });

  it("explains an Exact path's win over a longer RegularExpression", () => {
    const t = compileRoutes([], undefined, undefined, [gw(undefined, "RegularExpression", "/.*", "all"), gw(undefined, "Exact", "/a", "exact")]);
    const e = explainRoute(t, "h", "/a");
    expect([e.match?.pool, e.step, e.decision]).toEqual(["exact", "path-type", "an Exact path beats every other match (Gateway API): /a over RegularExpression /.*"]);
  });

  it("RegularExpression matches the whole path, case-sensitively", () => {
    const t = compileRoutes([], undefined, undefined, [gw(undefined, "RegularExpression", "/v[0-9]+", "regex")]);
    expect(t.match("h", "/v12")?.pool).toBe("regex");
    expect(t.match("h", "/v12/x")).toBeUndefined();
    expect(t.match("h", "/V12")).toBeUndefined();
  });

  it("a Gateway API wildcard covers one or more labels, the most specific hostname wins, and the port is ignored", () => {
    const t = compileRoutes([], undefined, undefined, [gw("*.example.com", "Prefix", "/", "wild"), gw("*.b.example.com", "Prefix", "/", "deeper"), gw("a.example.com", "Prefix", "/", "exact")]);
    expect(t.match("x.example.com", "/")?.pool).toBe("wild");
    expect(t.match("x.y.example.com", "/")?.pool).toBe("wild");
    expect(t.match("x.b.example.com", "/")?.pool).toBe("deeper");
    expect(t.match("A.example.com:8080", "/")?.pool).toBe("exact");
    expect(t.match("example.com", "/")).toBeUndefined();
  });

  it("keeps listeners apart, and lets Ingress rules answer on every listener for the hosts they own", () => {
    const ingress: Route = { host: "legacy.example.com", path: "/", pathType: "Prefix", pool: "legacy", source: "rules[0].http.paths[0]" };
    const t = compileRoutes([ingress], { pool: "default", source: "defaultBackend" }, undefined, [
      gw("app.example.com", "Prefix", "/", "redirect", {}, ["http:80"]),
      gw("app.example.com", "Prefix", "/", "app", {}, ["https:443"]),
    ]);
    expect(t.match("app.example.com", "/", facts("GET", {}, "", "http:80"))?.pool).toBe("redirect");
    expect(t.match("app.example.com", "/", facts("GET", {}, "", "https:443"))?.pool).toBe("app");
    expect(t.match("legacy.example.com", "/", facts("GET", {}, "", "https:443"))?.pool).toBe("legacy");
    // A host no listener claims on this port goes where Ingress sends it: the defaultBackend.
    expect(t.match("app.example.com", "/", facts("GET", {}, "", "http:8080"))?.pool).toBe("default");
  });

  it("works out the request's listener only when some HTTPRoute names one", () => {
    let reads = 0;
    const counted: RequestFacts = { ...facts(), get listener() { reads++; return "http:80"; } };
    const ingress: Route = { host: "legacy.example.com", path: "/", pathType: "Prefix", pool: "legacy", source: "rules[0].http.paths[0]" };
    expect(compileRoutes([ingress]).match("legacy.example.com", "/", counted)?.pool).toBe("legacy");
    expect(reads).toBe(0);
    expect(compileRoutes([ingress], undefined, undefined, [gw("app.example.com", "Prefix", "/", "app")]).match("app.example.com", "/", counted)?.pool).toBe("app");
    expect(reads).toBe(1);
  });
});
