// route(): the request path normalized once, matched in that spelling, and
// forwarded in it; rule paths compared in the same spelling.
import { describe, expect, it } from "vitest";
import type { PathType, Route } from "../config/types";
import { compileRoutes, routeIdentity, rulePathProblem } from "./index";
import { explainRoute } from "./explain";

const rule = (path: string, pathType: PathType, pool: string, i: number): Route => ({ host: undefined, path, pathType, pool, source: `rules[0].http.paths[${i}]` });
const routes = [rule("/", "Prefix", "web", 0), rule("/admin", "Prefix", "admin", 1), rule("/login", "Exact", "auth", 2)];

describe("route", () => {
  const table = compileRoutes(routes);

  it("matches every spelling of /admin as /admin and forwards that spelling", () => {
    for (const [path, forwarded] of [
      ["/%61dmin", "/admin"],
      ["//admin", "/admin"],
      ["/admin;x", "/admin;x"],
      ["/x/../admin/y", "/admin/y"],
      ["/%2E%2E/admin", "/admin"],
    ] as const) {
      expect(table.route("a.example", path), path).toEqual({ ok: true, path: forwarded, match: expect.objectContaining({ pool: "admin" }) });
    }
    expect(table.route("a.example", "/%6Cogin;jsessionid=1")).toEqual({ ok: true, path: "/login;jsessionid=1", match: expect.objectContaining({ pool: "auth" }) });
  });

  it("refuses what normalization refuses, with the reason", () => {
    expect(table.route("a.example", "/admin%2fx")).toEqual({ ok: false, reason: 'an encoded "/" (%2F) is refused (pathNormalization.escapedSlashes is "reject")' });
    expect(table.route("a.example", "/public/..;/admin")).toMatchObject({ ok: false });
  });

  it("applies the config's options", () => {
    const keep = compileRoutes(routes, undefined, { escapedSlashes: "keep", mergeSlashes: false });
    expect(keep.route("a.example", "/admin%2fx")).toEqual({ ok: true, path: "/admin%2Fx", match: expect.objectContaining({ pool: "web" }) });
    expect(keep.route("a.example", "//admin")).toEqual({ ok: true, path: "//admin", match: expect.objectContaining({ pool: "web" }) });
  });

  it("explain tells the normalization, or the refusal", () => {
    const explained = explainRoute(table, "a.example", "/%61dmin;x");
    expect(explained.lines).toContain("path: /%61dmin;x -> /admin;x (normalized; the origin receives /admin;x)");
    expect(explained.lines).toContain('matched as /admin (";" parameters are not matched)');
    expect(explained.match?.pool).toBe("admin");
    const refused = explainRoute(table, "a.example", "/a%00");
    expect(refused).toMatchObject({ step: "bad-path", refused: "an encoded NUL (%00) is refused", match: undefined });
    expect(refused.lines.at(-1)).toBe("result: 400 (bad request path; no origin is contacted)");
  });
});

describe("rule paths", () => {
  it("are compared in the normalized spelling", () => {
    const table = compileRoutes([rule("/", "Prefix", "web", 0), rule("/%61dmin", "Prefix", "admin", 1), rule("/caf%c3%a9", "Exact", "cafe", 2)]);
    expect(table.route("a.example", "/admin/x")).toMatchObject({ match: { pool: "admin" } });
    expect(table.route("a.example", "/caf%C3%A9")).toMatchObject({ match: { pool: "cafe" } });
  });

  it("have one identity per normalized spelling", () => {
    expect(routeIdentity(rule("/%61dmin", "Prefix", "a", 0))).toBe(routeIdentity(rule("/admin/", "Prefix", "b", 1)));
    expect(routeIdentity(rule("/caf%c3%a9", "Exact", "a", 0))).toBe(routeIdentity(rule("/caf%C3%A9", "Exact", "b", 1)));
  });

  it("may not hold what a normalized request path never holds", () => {
    expect(rulePathProblem("/admin")).toBeUndefined();
    expect(rulePathProblem("/%61dmin")).toBeUndefined();
    expect(rulePathProblem("/admin;x")).toMatch(/^must not contain ";"/);
    expect(rulePathProblem("/admin%3Bx")).toMatch(/^must not contain ";"/);
    expect(rulePathProblem("/a%ZZ")).toBe('must be a valid path: invalid percent-encoding "%ZZ"');
    expect(rulePathProblem("/a%00")).toBe("must be a valid path: an encoded NUL (%00) is refused");
  });
});
