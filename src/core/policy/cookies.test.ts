import { describe, expect, it } from "vitest";
import { readCookie } from "./cookies";

describe("readCookie", () => {
  it("finds a cookie among others, first one winning, quotes removed", () => {
    expect(readCookie("a=1; canary_opt_in=always; b=2", "canary_opt_in")).toBe("always");
    expect(readCookie("x=1;x=2", "x")).toBe("1");
    expect(readCookie('q="quoted"', "q")).toBe("quoted");
    expect(readCookie("e=", "e")).toBe("");
    expect(readCookie("v=a=b", "v")).toBe("a=b");
    expect(readCookie(" \tsid \u00a0= 7 ;other=1", "sid")).toBe("7");
    expect(readCookie("sidx=1; xsid=2; sid=3", "sid")).toBe("3");
    expect(readCookie("novalue; sid=4", "sid")).toBe("4");
    expect(readCookie("a=1;;sid=5;", "sid")).toBe("5");
  });

  it("finds nothing in odd headers, never throwing", () => {
    for (const header of [undefined, null, "", "novalue", "xcanary=always", `a=${"x".repeat(20_000)}`]) {
      expect(readCookie(header, "canary")).toBeUndefined();
    }
    expect(readCookie("=v", "")).toBeUndefined();
  });
});
