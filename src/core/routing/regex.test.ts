// User regexes against adversarial paths: the answers must be right, and they
// must come at all. On a backtracking engine the inputs below need 2^40 or
// more steps, so these tests time out there: that is the failure they guard.
// (Speed itself is measured by the benchmarks, not asserted here.)
import { describe, expect, it } from "vitest";
import type { Route } from "../config/types";
import { compileRoutes } from "./index";
import { checkRegex, compileRegex, compileRegexPath, RegexError } from "./regex";

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

describe("regex paths match in linear time", () => {
  it.each(EVIL)("%s on an adversarial path of %#", (pattern, path, matches) => {
    expect(compileRegexPath(pattern).test(path)).toBe(matches);
  });

  it.each(EVIL)("%s with its groups on an adversarial path of %#", (pattern, path, matches) => {
    expect(compileRegexPath(pattern).exec(path) !== null).toBe(matches);
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

describe("compileRegex", () => {
  it("returns the whole match and every group, undefined for a group that took no part", () => {
    const regex = compileRegex("/api/(v[0-9]+)/(\\w+)?");
    expect(regex.groupCount).toBe(2);
    expect(regex.exec("x/api/v2/")).toEqual(["/api/v2/", "v2", undefined]);
    expect(regex.exec("/api/v2/users")).toEqual(["/api/v2/users", "v2", "users"]);
    expect(regex.exec("/api/x")).toBeNull();
  });

  it("gives the groups ingress-nginx rewrite-target examples use", () => {
    const regex = compileRegex("/something(/|$)(.*)", { anchorStart: true, caseInsensitive: true });
    expect(regex.exec("/something")).toEqual(["/something", "", ""]);
    expect(regex.exec("/something/new")).toEqual(["/something/new", "/", "new"]);
    expect(regex.exec("/SOMETHING/a/b")).toEqual(["/SOMETHING/a/b", "/", "a/b"]);
    expect(regex.exec("/x/something/new")).toBeNull();
  });

  it("picks the leftmost-first match, as RE2 and Perl (not the longest, as POSIX)", () => {
    expect(compileRegex("(a|ab)(c|bcd)(d*)").exec("xabcd")).toEqual(["abcd", "a", "bcd", ""]);
    expect(compileRegex("a+?").exec("aaa")).toEqual(["a"]);
    expect(compileRegex("(a*)+").exec("b")).toEqual(["", ""]);
    expect(compileRegex("(?:(a)|b)+").exec("ab")).toEqual(["ab", "a"]);
  });

  it("anchors at the start and the end on request", () => {
    expect(compileRegex("b+").exec("abb")).toEqual(["bb"]);
    expect(compileRegex("b+", { anchorStart: true }).test("abb")).toBe(false);
    expect(compileRegex("/a+", { anchorStart: true, anchorEnd: true }).test("/aa")).toBe(true);
    expect(compileRegex("/a+", { anchorStart: true, anchorEnd: true }).test("/aab")).toBe(false);
    expect(compileRegex("a|ab", { anchorEnd: true }).exec("ab")).toEqual(["ab"]);
  });

  it("folds ASCII letters only, with the option or (?i), and (?-i) turns it off", () => {
    expect(compileRegex("/api", { caseInsensitive: true }).test("/API")).toBe(true);
    expect(compileRegex("(?i)/api").test("/Api")).toBe(true);
    expect(compileRegex("/a(?-i)b", { caseInsensitive: true }).exec("/AB /Ab")).toEqual(["/Ab"]);
    expect(compileRegex("(?i:[a-c])d").test("Bd")).toBe(true);
    expect(compileRegex("(?i:[a-c])d").test("BD")).toBe(false);
    expect(compileRegex("caf\\xe9", { caseInsensitive: true }).test("CAF\u00c9")).toBe(false);
    expect(compileRegex("(?i)[^a]").test("A")).toBe(false);
  });

  it("has RE2's ASCII classes, and a dot that stops at newline unless (?s)", () => {
    expect(compileRegex("^\\w+$").test("caf\u00e9")).toBe(false);
    expect(compileRegex("^\\s$").test("\v")).toBe(false);
    expect(compileRegex("^\\d+$").test("\u0663")).toBe(false);
    expect(compileRegex("\\bb").exec("a b ab")).toEqual(["b"]);
    expect(compileRegex("a.b").test("a\nb")).toBe(false);
    expect(compileRegex("(?s)a.b").test("a\nb")).toBe(true);
    expect(compileRegex("^b$").test("a\nb")).toBe(false);
    expect(compileRegex("(?m)^b$").test("a\nb")).toBe(true);
    expect(compileRegex("a$").test("a\n")).toBe(false);
  });

  it("reads RE2's own syntax", () => {
    expect(compileRegex("/u/(?P<id>[0-9]+)/(?<tab>\\w+)").exec("/u/42/x")).toEqual(["/u/42/x", "42", "x"]);
    expect(compileRegex("\\Q.*+\\E").exec("a.*+")).toEqual([".*+"]);
    expect(compileRegex("[[:alpha:]]+[[:^alpha:]]").exec("ab1")).toEqual(["ab1"]);
    expect(compileRegex("\\x41\\x{42}\\103\\0").test("ABC\0")).toBe(true);
    expect(compileRegex("\\Aa\\z").test("a")).toBe(true);
    expect(compileRegex("a{,2}").test("a{,2}")).toBe(true);
    expect(compileRegex("[]a]").test("]")).toBe(true);
    expect(compileRegex("(?U)a+").exec("aaa")).toEqual(["a"]);
    expect(compileRegex("x{2,3}").exec("xxxx")).toEqual(["xxx"]);
  });

  it("parses, bounds and runs the deepest nesting a pattern's length allows", () => {
    expect(checkRegex("(".repeat(512) + ")".repeat(512))).toMatch(/^regular expression too large \(it compiles to 1027 instructions/);
    const nested = compileRegex("(?:".repeat(170) + "a*" + ")*".repeat(170));
    expect(nested.exec("aab")).toEqual(["aa"]);
    expect(compileRegex("(".repeat(240) + ")".repeat(240)).exec("x")?.length).toBe(241);
  });

  it("refuses what checkRegex refuses, with the same message", () => {
    for (const pattern of ["(", "(?=a)", "a{1001}", "\\pL", "x".repeat(2000)]) {
      const message = checkRegex(pattern);
      expect(message, pattern).toBeDefined();
      expect(() => compileRegex(pattern), pattern).toThrow(new RegexError(message!));
    }
  });
});

describe("compiled regexes sharing the engine's step lists", () => {
  it("answer the same whatever ran before them: a larger program, a smaller one, a test between two captures", () => {
    const large = compileRegex("/static/[a-z0-9._/-]{1,200}$");
    const small = compileRegex("^/u/([a-z]+)/(\\d+)$");
    const inputs = ["/static/app.js", "/static/", "/u/ann/42", "/u/ann/x", `/static/${"a".repeat(250)}`, "/x"];
    // Each answer on its own, from a program that ran nothing else first.
    const alone = inputs.map((input) => [compileRegex("/static/[a-z0-9._/-]{1,200}$").test(input), compileRegex("^/u/([a-z]+)/(\\d+)$").exec(input)]);
    expect(alone.map(([t]) => t)).toEqual([true, false, false, false, false, false]);
    expect(alone[2]![1]).toEqual(["/u/ann/42", "ann", "42"]);
    for (let round = 0; round < 3; round++) {
      inputs.forEach((input, i) => {
        expect(small.exec(input), `${round} exec ${input}`).toEqual(alone[i]![1]);
        expect(large.test(input), `${round} test ${input}`).toBe(alone[i]![0]);
        expect(small.test(input), `${round} small test ${input}`).toBe(alone[i]![1] !== null);
      });
    }
  });
});
