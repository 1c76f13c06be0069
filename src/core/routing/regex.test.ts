// User regexes against adversarial paths: the answers must be right, and they
// must come at all. On a backtracking engine the inputs below need 2^40 or
// more steps, so these tests time out there: that is the failure they guard.
// (Speed itself is measured by the benchmarks, not asserted here.)
import { describe, expect, it } from "vitest";
import type { Route } from "../config/types";
import { compileRoutes } from "./index";
import { compileRegexPath } from "./regex";

/** Pattern, a path built to make a backtracking engine explore every split, and whether it matches. */
const EVIL: readonly [string, string, boolean][] = [
  ["/api/(\\w|\\d)*$", `/api/${"1".repeat(40)}!`, false],
  ["/api/(\\w|\\d)*$", `/api/${"1".repeat(40)}`, true],
  ["/.*.*.*.*.*=$", `/${"=".repeat(5000)}x`, false],
  ["/.*.*.*.*.*=$", `/${"=".repeat(5000)}`, true],
  ["/(a+)+$", `/${"a".repeat(40)}!`, false],
  ["/(a|aa)+$", `/${"a".repeat(60)}!`, false],
  ["/(a|a?)+$", `/${"a".repeat(40)}!`, false],
  ["/(x+x+)+y", `/${"x".repeat(5000)}`, false],
  ["/(x+x+)+y", `/${"x".repeat(5000)}y`, true],
  ["/([a-z0-9]+[-.]?)+\\.png$", `/${"a".repeat(40)}!`, false],
  ["/(.*,){12}", `/${",".repeat(5000)}`, true],
];

describe("regex paths run on RE2", () => {
  it.each(EVIL)("%s on an adversarial path of %#", (pattern, path, matches) => {
    expect(compileRegexPath(pattern).test(path)).toBe(matches);
  });

  it("keeps ingress-nginx semantics: anchored at the start, case-insensitive, open at the end", () => {
    const regex = compileRegexPath("/api/v[0-9]+");
    expect(regex.test("/API/V2/users")).toBe(true);
    expect(regex.test("/x/api/v2")).toBe(false);
    expect(compileRegexPath("/a$").test("/a\n")).toBe(false);
    expect(compileRegexPath("/a|/b").test("/x/b")).toBe(false);
  });

  it("routes an adversarial request through the compiled table", () => {
    const routes: Route[] = [
      { host: undefined, path: "/", pathType: "Prefix", pool: "web", source: "rules[0].http.paths[0]" },
      { host: undefined, path: "/api/(\\w|\\d)*$", pathType: "ImplementationSpecific", pool: "api", source: "rules[0].http.paths[1]" },
    ];
    const table = compileRoutes(routes);
    expect(table.match("a.example", `/api/${"1".repeat(40)}!`)?.pool).toBe("web");
    expect(table.match("a.example", `/api/${"1".repeat(40)}`)?.pool).toBe("api");
  });
});
