import { describe, expect, it } from "vitest";
import { compilePattern, type CompiledPattern } from "./pattern";

const compiled = (pattern: string, options = {}): CompiledPattern => {
  const result = compilePattern(pattern, options);
  if (typeof result === "string") throw new Error(result);
  return result;
};

describe("compilePattern", () => {
  it("matches anywhere unless anchored, case-sensitively unless asked", () => {
    expect(compiled("beta").test("x-beta-1")).toBe(true);
    expect(compiled("beta", { anchored: true }).test("x-beta-1")).toBe(false);
    expect(compiled("BETA").test("beta")).toBe(false);
    expect(compiled("BETA", { caseInsensitive: true }).test("beta")).toBe(true);
  });

  it("returns captures with unmatched groups as empty strings", () => {
    expect(compiled("/something(/|$)(.*)").captures("/something")).toEqual(["/something", "", ""]);
    expect(compiled("(a)|(b)").captures("b")).toEqual(["b", "", "b"]);
    expect(compiled("x").captures("y")).toBeUndefined();
  });

  it("refuses what route paths refuse: syntax errors and what the linear-time engine cannot run", () => {
    expect(compilePattern("(")).toMatch(/invalid regular expression/);
    expect(compilePattern("(a)\\1")).toMatch(/backreferences/);
    expect(compilePattern(5 as unknown as string)).toBe("must be a regular expression");
  });

  it("reads RE2 syntax as RE2 does, which JavaScript's RegExp reads otherwise", () => {
    expect(compiled("/x/([[:alpha:]]+)").captures("/x/abc")).toEqual(["/x/abc", "abc"]);
    expect(compiled("a\\Q.*\\E").test("a.*")).toBe(true);
    expect(compiled("a\\Q.*\\E").test("abc")).toBe(false);
    expect(compiled("end\\z").test("the end")).toBe(true);
  });

  it("runs in linear time: a pattern a backtracking engine takes hours over answers at once", () => {
    expect(compiled("^(a|a)*b$").test("a".repeat(40))).toBe(false);
    expect(compiled("/slow/((a|a)*b|.*)").captures(`/slow/${"a".repeat(40)}`)?.[1]).toBe("a".repeat(40));
  });

  it("never throws on odd input", () => {
    expect(compiled("a").test(undefined as unknown as string)).toBe(false);
    expect(compiled("a").captures(null as unknown as string)).toBeUndefined();
  });
});
