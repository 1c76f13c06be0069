import { describe, expect, it, vi } from "vitest";
import type { DefaultBackend, PathType, Route } from "../config/types";
import { compileRoutes } from "./index";

let counter = 0;
function route(host: string | undefined, pathType: PathType, path: string, pool: string): Route {
  return { ...(host === undefined ? {} : { host }), path, pathType, pool, source: `test[${counter++}]` };
}
const fallback: DefaultBackend = { pool: "default", source: "defaultBackend" };
const poolOf = (routes: Route[], host: string, path: string, defaultBackend?: DefaultBackend) =>
  compileRoutes(routes, defaultBackend).match(host, path)?.pool;

describe("host matching", () => {
  const routes = [
    route("foo.bar.com", "Prefix", "/", "precise"),
    route("*.bar.com", "Prefix", "/", "wildcard"),
    route(undefined, "Prefix", "/", "hostless"),
  ];
  const table = compileRoutes(routes);

  it("ignores case, port and a trailing dot", () => {
    for (const host of ["FOO.bar.com", "foo.bar.com:8443", "foo.bar.com.", "Foo.Bar.Com.:80"]) {
      expect(table.match(host, "/")?.pool, host).toBe("precise");
    }
  });

  it("accepts an IPv6 literal with a port as an unknown host", () => {
    expect(table.match("[::1]:8080", "/")).toMatchObject({ pool: "hostless", hostMatch: "any" });
  });

  it("prefers a precise host over a wildcard over host-less rules", () => {
    expect(table.match("foo.bar.com", "/")).toMatchObject({ pool: "precise", hostMatch: "exact" });
    expect(table.match("baz.bar.com", "/")).toMatchObject({ pool: "wildcard", hostMatch: "wildcard" });
    expect(table.match("other.example", "/")).toMatchObject({ pool: "hostless", hostMatch: "any" });
  });

  it("lets a wildcard cover exactly one label", () => {
    expect(table.match("a.b.bar.com", "/")?.pool).toBe("hostless");
    expect(table.match("bar.com", "/")?.pool).toBe("hostless");
    expect(table.match("A.BAR.COM:1", "/")?.pool).toBe("wildcard");
  });

  it("never falls through from a matched host to another host's paths or the host-less paths", () => {
    const t = compileRoutes([
      route("api.example", "Prefix", "/v1", "api"),
      route("*.example", "Prefix", "/v2", "wild"),
      route(undefined, "Prefix", "/", "hostless"),
    ]);
    expect(t.match("api.example", "/v2")).toBeUndefined();
    expect(t.match("api.example", "/other")).toBeUndefined();
    expect(t.match("www.example", "/v1")).toBeUndefined();
    expect(t.match("www.example", "/v2")?.pool).toBe("wild");
  });

  it("sends a matched host without a matching path to the defaultBackend", () => {
    const t = compileRoutes([route("api.example", "Exact", "/v1", "api"), route(undefined, "Prefix", "/", "hostless")], fallback);
    expect(t.match("api.example", "/v2")).toEqual({ pool: "default", hostMatch: "exact", decidedBy: "default-backend" });
    expect(t.match("api.example", "/v2")?.route).toBeUndefined();
  });

  it("uses the defaultBackend when no host group applies, and nothing without one", () => {
    const routes = [route("api.example", "Prefix", "/", "api")];
    expect(compileRoutes(routes, fallback).match("x.example", "/")).toEqual({ pool: "default", hostMatch: "any", decidedBy: "default-backend" });
    expect(compileRoutes(routes).match("x.example", "/")).toBeUndefined();
    expect(compileRoutes([]).match("x.example", "/")).toBeUndefined();
  });

  it("merges rules that share a host", () => {
    const routes = [
      route("a.example", "Prefix", "/one", "one"),
      route("b.example", "Prefix", "/", "b"),
      route("a.example", "Prefix", "/two", "two"),
    ];
    expect(poolOf(routes, "a.example", "/one/x")).toBe("one");
    expect(poolOf(routes, "a.example", "/two/x")).toBe("two");
  });
});

describe("path matching", () => {
  it("Exact is case-sensitive, whole-path, trailing slash significant", () => {
    const routes = [route(undefined, "Exact", "/foo", "exact")];
    expect(poolOf(routes, "h", "/foo")).toBe("exact");
    expect(poolOf(routes, "h", "/Foo")).toBeUndefined();
    expect(poolOf(routes, "h", "/foo/")).toBeUndefined();
    expect(poolOf(routes, "h", "/foo/bar")).toBeUndefined();
    expect(poolOf([route(undefined, "Exact", "/foo/", "slash")], "h", "/foo/")).toBe("slash");
  });

  it("Prefix matches element by element, never a string prefix", () => {
    const routes = [route(undefined, "Prefix", "/foo", "p")];
    for (const path of ["/foo", "/foo/", "/foo/bar", "/foo/bar/"]) expect(poolOf(routes, "h", path), path).toBe("p");
    for (const path of ["/foobar", "/fo", "/", "/FOO", "/bar/foo"]) expect(poolOf(routes, "h", path), path).toBeUndefined();
  });

  it("Prefix ignores the rule's trailing slash", () => {
    const routes = [route(undefined, "Prefix", "/foo/", "p")];
    for (const path of ["/foo", "/foo/", "/foo/x"]) expect(poolOf(routes, "h", path), path).toBe("p");
    expect(poolOf(routes, "h", "/foox")).toBeUndefined();
  });

  it("Prefix / matches every path", () => {
    const routes = [route(undefined, "Prefix", "/", "root")];
    for (const path of ["/", "/a", "/a/b/c/", "//", "/%20"]) expect(poolOf(routes, "h", path), path).toBe("root");
  });

  it("tries every prefix of the path that ends at an element, deepest first, and only / for a path without a leading slash", () => {
    const routes = [route(undefined, "Prefix", "/a", "a"), route(undefined, "Prefix", "/a/b/c", "abc"), route(undefined, "Exact", "/a/b", "exact"), route(undefined, "Prefix", "/", "root")];
    expect(poolOf(routes, "h", "/a/b/c/d")).toBe("abc");
    expect(poolOf(routes, "h", "/a/b/c")).toBe("abc");
    expect(poolOf(routes, "h", "/a/b/cd")).toBe("a"); // "/a/b" is only an Exact path
    expect(poolOf(routes, "h", "/a/b")).toBe("exact");
    expect(poolOf(routes, "h", "/a/b/")).toBe("a");
    expect(poolOf(routes, "h", "/ab")).toBe("root");
    for (const path of ["*", "a/b/c", "", "a"]) expect(poolOf(routes, "h", path), path).toBe("root");
    expect(poolOf(routes.slice(0, 3), "h", "a/b/c")).toBeUndefined();
  });

  it("looks up no more prefixes of a path than the host's deepest Prefix rule has elements, however many the path has", () => {
    const routes = [route("h", "Prefix", "/a/b", "ab"), route("h", "Prefix", "/", "root"), route("h", "Exact", "/x", "x")];
    const table = compileRoutes(routes);
    const deep = `/a/b/${"c/".repeat(5000)}d`;
    const wide = `/a/${"b".repeat(20_000)}/c`;
    expect(table.match("h", deep)?.pool).toBe("ab");
    expect(table.match("h", wide)?.pool).toBe("root");
    const get = vi.spyOn(Map.prototype, "get");
    try {
      for (const path of [deep, wide, `/${"z/".repeat(5000)}`]) {
        get.mockClear();
        table.match("h", path);
        // The host, the whole path, and at most 2 shorter prefixes.
        expect(get.mock.calls.length, path.slice(0, 20)).toBeLessThanOrEqual(4);
      }
    } finally {
      get.mockRestore();
    }
  });

  it("matches the path as it arrived: empty elements and percent-encoding are kept", () => {
    const routes = [route(undefined, "Prefix", "/foo/bar", "p"), route(undefined, "Exact", "/a%2Fb", "encoded")];
    expect(poolOf(routes, "h", "/foo//bar")).toBeUndefined();
    expect(poolOf(routes, "h", "/foo/bar//x")).toBe("p");
    expect(poolOf(routes, "h", "/a%2Fb")).toBe("encoded");
    expect(poolOf(routes, "h", "/a/b")).toBeUndefined();
    expect(poolOf([route(undefined, "Prefix", "/a b", "space")], "h", "/a%20b")).toBeUndefined();
  });

  it("ImplementationSpecific is a regex anchored at the start and case-insensitive", () => {
    const routes = [route(undefined, "ImplementationSpecific", "/api/v[0-9]+/", "re")];
    expect(poolOf(routes, "h", "/api/v2/users")).toBe("re");
    expect(poolOf(routes, "h", "/API/V2/")).toBe("re");
    expect(poolOf(routes, "h", "/x/api/v2/")).toBeUndefined();
    expect(poolOf(routes, "h", "/api/vx/")).toBeUndefined();
  });

  it("keeps an alternation inside the anchor", () => {
    const routes = [route(undefined, "ImplementationSpecific", "/a|/b", "re")];
    expect(poolOf(routes, "h", "/b/x")).toBe("re");
    expect(poolOf(routes, "h", "/x/b")).toBeUndefined();
  });
});

describe("precedence", () => {
  it("the longest matching path wins whatever the order", () => {
    const rules = [
      route(undefined, "Prefix", "/", "root"),
      route(undefined, "Prefix", "/aaa", "aaa"),
      route(undefined, "Prefix", "/aaa/bbb", "bbb"),
      route(undefined, "Exact", "/aaa/bbb/ccc", "exact"),
      route(undefined, "ImplementationSpecific", "/aaa/b.*", "regex"),
    ];
    for (const routes of [rules, [...rules].reverse()]) {
      expect(poolOf(routes, "h", "/aaa/bbb/ccc")).toBe("exact");
      expect(poolOf(routes, "h", "/aaa/bbb/x")).toBe("bbb");
      expect(poolOf(routes, "h", "/aaa/bx")).toBe("regex");
      expect(poolOf(routes, "h", "/aaa/x")).toBe("aaa");
      expect(poolOf(routes, "h", "/zzz")).toBe("root");
    }
  });

  it("ignores a Prefix rule's trailing slash in its length too, so Exact wins the tie", () => {
    const routes = [route(undefined, "Prefix", "/foo/", "prefix"), route(undefined, "Exact", "/foo", "exact")];
    expect(poolOf(routes, "h", "/foo")).toBe("exact");
    expect(poolOf(routes, "h", "/foo/")).toBe("prefix");
  });

  it("on equal length: Exact beats Prefix beats ImplementationSpecific", () => {
    const routes = [
      route(undefined, "ImplementationSpecific", "/foo", "regex"),
      route(undefined, "Prefix", "/foo", "prefix"),
      route(undefined, "Exact", "/foo", "exact"),
    ];
    expect(compileRoutes(routes).match("h", "/foo")).toMatchObject({ pool: "exact", decidedBy: "exact-path" });
    expect(compileRoutes(routes).match("h", "/foo/x")).toMatchObject({ pool: "prefix", decidedBy: "longest-prefix" });
    expect(compileRoutes(routes).match("h", "/foox")).toMatchObject({ pool: "regex", decidedBy: "regex" });
  });

  it("on a full tie the first declared wins", () => {
    const routes = [
      route(undefined, "Prefix", "/foo", "first"),
      route(undefined, "Prefix", "/foo", "second"),
      route(undefined, "Exact", "/bar", "first-exact"),
      route(undefined, "Exact", "/bar", "second-exact"),
      route(undefined, "ImplementationSpecific", "/b.z", "first-regex"),
      route(undefined, "ImplementationSpecific", "/ba.", "second-regex"),
    ];
    expect(poolOf(routes, "h", "/foo/x")).toBe("first");
    expect(poolOf(routes, "h", "/bar")).toBe("first-exact");
    expect(poolOf(routes, "h", "/baz")).toBe("first-regex");
  });

  it("among regexes the longest pattern wins, not the first declared", () => {
    const routes = [route(undefined, "ImplementationSpecific", "/a.*", "short"), route(undefined, "ImplementationSpecific", "/a/b.*", "long")];
    expect(poolOf(routes, "h", "/a/bc")).toBe("long");
    expect(poolOf(routes, "h", "/a/c")).toBe("short");
  });

  it("a longer regex beats a shorter Prefix, and a longer Prefix beats a regex", () => {
    const routes = [route(undefined, "Prefix", "/static", "prefix"), route(undefined, "ImplementationSpecific", "/static/.+\\.png", "png")];
    expect(poolOf(routes, "h", "/static/logo.png")).toBe("png");
    expect(poolOf(routes, "h", "/static/logo.css")).toBe("prefix");
    const longPrefix = [route(undefined, "Prefix", "/static/images", "prefix"), route(undefined, "ImplementationSpecific", "/static/.*", "re")];
    expect(poolOf(longPrefix, "h", "/static/images/a.png")).toBe("prefix");
  });
});

describe("the compiled table", () => {
  it("returns the same frozen object for the same rule", () => {
    const table = compileRoutes([route(undefined, "Prefix", "/", "root")], fallback);
    const a = table.match("h", "/a");
    expect(a).toBe(table.match("other", "/b"));
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(table)).toBe(true);
  });

  it("carries the winning route", () => {
    const r = route("h.example", "Exact", "/x", "p");
    expect(compileRoutes([r]).match("h.example", "/x")).toEqual({ pool: "p", route: r, hostMatch: "exact", decidedBy: "exact-path" });
  });
});
