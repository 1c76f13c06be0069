import { describe, expect, it } from "vitest";
import { normalizeHost, wildcardKey } from "./host";

describe("normalizeHost", () => {
  it.each([
    ["example.com", "example.com"],
    ["Example.COM", "example.com"],
    ["example.com:8080", "example.com"],
    ["EXAMPLE.com:443", "example.com"],
    ["example.com.", "example.com"],
    ["Example.com.:8080", "example.com"],
    ["[::1]", "[::1]"],
    ["[::1]:8080", "[::1]"],
    ["[2001:DB8::1]:443", "[2001:db8::1]"],
    ["203.0.113.7:80", "203.0.113.7"],
    ["", ""],
    ["::1", "::1"],
  ])("%j -> %j", (raw, expected) => {
    expect(normalizeHost(raw)).toBe(expected);
  });

  it("returns the very same string when nothing changes", () => {
    const host = "already.normal.example";
    expect(normalizeHost(host)).toBe(host);
  });
});

describe("wildcardKey", () => {
  it("drops exactly the first label", () => {
    expect(wildcardKey("bar.foo.com")).toBe("foo.com");
    expect(wildcardKey("baz.bar.foo.com")).toBe("bar.foo.com");
  });

  it("has no key for a single label or an empty first label", () => {
    expect(wildcardKey("localhost")).toBeUndefined();
    expect(wildcardKey(".foo.com")).toBeUndefined();
  });
});
