import { describe, expect, it } from "vitest";
import { normalizePath, parseAsWorkerd, type PathNormalization } from "./path";

const KEEP: PathNormalization = { escapedSlashes: "keep", mergeSlashes: true };
const NO_MERGE: PathNormalization = { escapedSlashes: "reject", mergeSlashes: false };

/** [input, forwarded path, matched path] with the default options. */
const NORMALIZED: readonly [string, string, string][] = [
  ["/", "/", "/"],
  ["/admin", "/admin", "/admin"],
  ["/admin/", "/admin/", "/admin/"],
  // Percent-encoded unreserved characters are decoded (RFC 3986 6.2.2.2).
  ["/%61dmin", "/admin", "/admin"],
  ["/%41%5a%30%2D%2e%5F%7e", "/AZ0-._~", "/AZ0-._~"],
  // Other escapes stay encoded, hex upper-cased (6.2.2.1).
  ["/caf%c3%a9", "/caf%C3%A9", "/caf%C3%A9"],
  ["/a%20b%3fc%25", "/a%20b%3Fc%25", "/a%20b%3Fc%25"],
  // Dot segments (5.2.4), encoded ones included.
  ["/a/./b", "/a/b", "/a/b"],
  ["/a/b/../c", "/a/c", "/a/c"],
  ["/a/%2e%2E/c", "/c", "/c"],
  ["/a/.%2e/c", "/c", "/c"],
  ["/a/b/..", "/a/", "/a/"],
  ["/a/b/.", "/a/b/", "/a/b/"],
  ["/..", "/", "/"],
  ["/../../x", "/x", "/x"],
  ["/.well-known/x", "/.well-known/x", "/.well-known/x"],
  ["/a/...", "/a/...", "/a/..."],
  // Empty segments merged.
  ["//admin", "/admin", "/admin"],
  ["/a//b///c", "/a/b/c", "/a/b/c"],
  ["/a//", "/a/", "/a/"],
  ["//", "/", "/"],
  // Segment parameters: forwarded, ignored for matching.
  ["/admin;x", "/admin;x", "/admin"],
  ["/admin;jsessionid=1/page;v=2", "/admin;jsessionid=1/page;v=2", "/admin/page"],
  ["/admin%3bx", "/admin%3Bx", "/admin"],
  ["/;x/admin", "/;x/admin", "/admin"],
  ["/admin/;x", "/admin/;x", "/admin/"],
  ["/a;x/../b", "/b", "/b"],
  // Characters that are not escapes are left alone.
  ["/a|b^c[d]", "/a|b^c[d]", "/a|b^c[d]"],
];

describe("normalizePath", () => {
  it.each(NORMALIZED)("%s -> %s (matched as %s)", (input, path, matchPath) => {
    expect(normalizePath(input)).toEqual({ ok: true, path, matchPath });
  });

  it("is idempotent: a normalized path normalizes to itself", () => {
    for (const [, path] of NORMALIZED) {
      const again = normalizePath(path);
      expect(again.ok && again.path, path).toBe(path);
    }
  });

  it("refuses encoded slashes and backslashes by default", () => {
    for (const input of ["/admin%2fx", "/admin%2Fx", "/admin/..%2fsecret.txt", "/a%5cb", "/a%5Cb", "/a\\b"]) {
      const result = normalizePath(input);
      expect(result.ok, input).toBe(false);
      expect(!result.ok && result.reason, input).toMatch(/is refused \(pathNormalization\.escapedSlashes is "reject"\)$/);
    }
  });

  it("keeps encoded slashes encoded with escapedSlashes: keep, so they never separate segments", () => {
    expect(normalizePath("/admin%2fx", KEEP)).toEqual({ ok: true, path: "/admin%2Fx", matchPath: "/admin%2Fx" });
    expect(normalizePath("/admin/..%2fsecret.txt", KEEP)).toEqual({ ok: true, path: "/admin/..%2Fsecret.txt", matchPath: "/admin/..%2Fsecret.txt" });
    expect(normalizePath("/a%5cb", KEEP)).toEqual({ ok: true, path: "/a%5Cb", matchPath: "/a%5Cb" });
  });

  it("refuses NUL and invalid percent-encoding whatever the options", () => {
    for (const options of [undefined, KEEP, NO_MERGE]) {
      expect(normalizePath("/a%00b", options)).toEqual({ ok: false, reason: "an encoded NUL (%00) is refused" });
      expect(normalizePath("/%ZZ", options)).toEqual({ ok: false, reason: 'invalid percent-encoding "%ZZ"' });
      expect(normalizePath("/100%", options)).toEqual({ ok: false, reason: 'invalid percent-encoding "%"' });
      expect(normalizePath("/a%4", options)).toEqual({ ok: false, reason: 'invalid percent-encoding "%4"' });
    }
  });

  it("refuses a dot segment with parameters, which servers resolve differently", () => {
    for (const input of ["/public/..;/admin", "/public/.;x/admin", "/public/%2e%2e;/admin", "/public/..%3B/admin"]) {
      expect(normalizePath(input), input).toEqual({ ok: false, reason: expect.stringMatching(/^a dot segment with parameters \(".*"\) is refused$/) });
    }
  });

  it("keeps empty segments with mergeSlashes: false", () => {
    expect(normalizePath("//admin", NO_MERGE)).toEqual({ ok: true, path: "//admin", matchPath: "//admin" });
    expect(normalizePath("/a//../b", NO_MERGE)).toEqual({ ok: true, path: "/a/b", matchPath: "/a/b" });
    expect(normalizePath("/;x/admin", NO_MERGE)).toEqual({ ok: true, path: "/;x/admin", matchPath: "//admin" });
  });

  it("refuses a path that does not start with a slash", () => {
    expect(normalizePath("admin")).toEqual({ ok: false, reason: 'the path must start with "/"' });
  });
});

describe("parseAsWorkerd", () => {
  it("encodes ^ in the path as workerd does, and leaves the query and other characters alone", () => {
    const url = parseAsWorkerd("https://h.example/x^y|z?q=^");
    expect(url.pathname).toBe("/x%5Ey|z");
    expect(url.search).toBe("?q=^");
    expect(parseAsWorkerd("https://h.example/a/../b").pathname).toBe("/b");
  });
});
