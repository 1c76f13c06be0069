import { describe, expect, it } from "vitest";
import type { PathType, Route } from "../config/types";
import { compileRoutes } from "./index";
import { explainRoute } from "./explain";

function route(host: string | undefined, pathType: PathType, path: string, pool: string, source: string): Route {
  return { ...(host === undefined ? {} : { host }), path, pathType, pool, source };
}

describe("explain", () => {
  const routes = [
    route("foo.bar.com", "Prefix", "/", "precise", "rules[0].http.paths[0]"),
    route("*.foo.com", "Prefix", "/aaa", "aaa", "rules[1].http.paths[0]"),
    route("*.foo.com", "Prefix", "/aaa/bbb", "bbb", "rules[1].http.paths[1]"),
    route("*.foo.com", "Exact", "/aaa", "exact", "rules[1].http.paths[2]"),
    route("*.foo.com", "Prefix", "/ccc", "ccc-1", "rules[1].http.paths[3]"),
    route("*.foo.com", "Prefix", "/ccc", "ccc-2", "rules[2].http.paths[0]"),
    route("*.foo.com", "Exact", "/zzz", "zzz", "rules[2].http.paths[1]"),
    route(undefined, "Prefix", "/", "hostless", "rules[3].http.paths[0]"),
  ];
  const table = compileRoutes(routes);
  const withDefault = compileRoutes(routes.slice(0, 7), { pool: "fallback", source: "defaultBackend" });

  it("names the host group chosen and why", () => {
    const e = explainRoute(table, "Bar.Foo.com:8080", "/aaa/bbb/x");
    expect(e.host).toBe("bar.foo.com");
    expect(e.hostGroup).toEqual({ kind: "wildcard", pattern: "*.foo.com" });
    expect(e.hostReason).toBe(
      "host bar.foo.com matched wildcard *.foo.com; precise hosts beat wildcards; rules without host are not consulted",
    );
    expect(explainRoute(table, "foo.bar.com", "/").hostReason).toBe(
      "host foo.bar.com matched precise host foo.bar.com; rules without host are not consulted",
    );
    expect(explainRoute(table, "elsewhere.example", "/").hostGroup).toEqual({ kind: "any", pattern: "" });
  });

  it("lists every route of the group with whether it matched and its length", () => {
    const e = explainRoute(table, "bar.foo.com", "/aaa/bbb/x");
    expect(e.routes.map((r) => [r.route.pool, r.matched, r.length])).toEqual([
      ["aaa", true, 4],
      ["bbb", true, 8],
      ["exact", false, 4],
      ["ccc-1", false, 4],
      ["ccc-2", false, 4],
      ["zzz", false, 4],
    ]);
  });

  it("longest path", () => {
    const e = explainRoute(table, "bar.foo.com", "/aaa/bbb/x");
    expect(e.match?.pool).toBe("bbb");
    expect(e.step).toBe("longest-path");
    expect(e.decision).toBe("longest path: /aaa/bbb (8) over /aaa (4)");
  });

  it("equal length: Exact beats Prefix", () => {
    const e = explainRoute(table, "bar.foo.com", "/aaa");
    expect(e.match?.pool).toBe("exact");
    expect(e.step).toBe("path-type");
    expect(e.decision).toBe("equal length 4: Exact beats Prefix");
  });

  it("equal length and type: first declared", () => {
    const e = explainRoute(table, "bar.foo.com", "/ccc/1");
    expect(e.match?.pool).toBe("ccc-1");
    expect(e.step).toBe("first-declared");
    expect(e.decision).toBe("equal length 4, both Prefix: first declared wins (rules[1].http.paths[3] over rules[2].http.paths[0])");
  });

  it("only one match", () => {
    const e = explainRoute(table, "bar.foo.com", "/zzz");
    expect(e.step).toBe("only-match");
    expect(e.decision).toBe("only matching path: Exact /zzz (4)");
  });

  it("shows each path with the length precedence compares: a Prefix without its trailing slash", () => {
    const slash = compileRoutes([
      route("a.example", "Prefix", "/foo/", "prefix", "rules[0].http.paths[0]"),
      route("a.example", "Exact", "/foo", "exact", "rules[0].http.paths[1]"),
      route("a.example", "Prefix", "/bar/", "bar", "rules[0].http.paths[2]"),
    ]);
    const tie = explainRoute(slash, "a.example", "/foo");
    expect(tie.lines).toContain("  match  Prefix /foo/ (4) -> prefix  [rules[0].http.paths[0]]");
    expect(tie.decision).toBe("equal length 4: Exact beats Prefix");
    expect(explainRoute(slash, "a.example", "/bar/x").decision).toBe("only matching path: Prefix /bar/ (4)");
  });

  it("no path matched; defaultBackend", () => {
    const e = explainRoute(withDefault, "bar.foo.com", "/nothing");
    expect(e.match).toEqual({ pool: "fallback", hostMatch: "wildcard", decidedBy: "default-backend" });
    expect(e.step).toBe("default-backend");
    expect(e.decision).toBe("no path matched; defaultBackend fallback");
    expect(explainRoute(withDefault, "unknown.example", "/").decision).toBe("no rule matched; defaultBackend fallback");
  });

  it("no rule matched", () => {
    const e = explainRoute(compileRoutes(routes.slice(0, 7)), "unknown.example", "/");
    expect(e.match).toBeUndefined();
    expect(e.hostGroup).toBeUndefined();
    expect(e.routes).toEqual([]);
    expect(e.step).toBe("no-match");
    expect(e.hostReason).toBe("host unknown.example matched no host rule, and there are no rules without host");
    expect(explainRoute(table, "bar.foo.com", "/nothing").step).toBe("no-match");
  });

  it("agrees with match and mentions a shadowed wildcard", () => {
    const t = compileRoutes([route("a.foo.com", "Prefix", "/", "a", "r0"), route("*.foo.com", "Prefix", "/", "w", "r1")]);
    const e = explainRoute(t, "a.foo.com", "/x");
    expect(e.match).toBe(t.match("a.foo.com", "/x"));
    expect(e.hostReason).toBe("host a.foo.com matched precise host a.foo.com; it beats wildcard *.foo.com, which also matches");
  });

  it("renders lines for a human", () => {
    const e = explainRoute(table, "bar.foo.com:443", "/aaa/bbb/x");
    expect(e.lines).toEqual([
      'host: "bar.foo.com:443" -> bar.foo.com',
      e.hostReason,
      "path: /aaa/bbb/x",
      "  match  Prefix /aaa (4) -> aaa  [rules[1].http.paths[0]]",
      "  match  Prefix /aaa/bbb (8) -> bbb  [rules[1].http.paths[1]]",
      "    -    Exact /aaa (4) -> exact  [rules[1].http.paths[2]]",
      "    -    Prefix /ccc (4) -> ccc-1  [rules[1].http.paths[3]]",
      "    -    Prefix /ccc (4) -> ccc-2  [rules[2].http.paths[0]]",
      "    -    Exact /zzz (4) -> zzz  [rules[2].http.paths[1]]",
      "decided: longest path: /aaa/bbb (8) over /aaa (4)",
      "result: pool bbb",
    ]);
  });
});
