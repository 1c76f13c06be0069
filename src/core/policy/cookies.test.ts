import { describe, expect, it } from "vitest";
import { mulberry32 } from "../selection/test-helpers";
import { cookieRange, findCookie, readCookie } from "./cookies";

/** The rule readCookie implements, written the plain way: split into pairs, a pair's name is the trimmed text before its first "=". */
function referenceRead(header: string, name: string): string | undefined {
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    const value = pair.slice(eq + 1).trim();
    return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  }
  return undefined;
}

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

  it("agrees with the plain split-and-trim rule on random headers made of names, separators, quotes and white space", () => {
    const random = mulberry32(21);
    const parts = ["sid", "xsid", "sidx", "s", "=", "==", ";", "; ", " ", "\t", "\u00a0", '"', "v", "1", "sid=", "; sid=", "a=sid"];
    let found = 0;
    for (let n = 0; n < 20_000; n++) {
      let header = "";
      const length = 1 + Math.floor(random() * 10);
      for (let i = 0; i < length; i++) header += parts[Math.floor(random() * parts.length)];
      const expected = referenceRead(header, "sid");
      expect(readCookie(header, "sid"), JSON.stringify(header)).toBe(expected);
      if (expected !== undefined) found++;
    }
    expect(found).toBeGreaterThan(1000);
  });

  it("findCookie gives the value's place in the header, without its quotes and white space", () => {
    const header = 'a=1; sid = "abc" ;b=2';
    expect(findCookie(header, "sid")).toBe(true);
    expect(header.slice(cookieRange.start, cookieRange.end)).toBe("abc");
    expect(findCookie(header, "c")).toBe(false);
  });
});
