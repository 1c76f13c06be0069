import { describe, expect, it } from "vitest";
import type { PathType, Route } from "../config/types";
import { checkRegexPath, findUnreachableRoutes, MAX_REGEX_PATH_CHARS, routeIdentity } from "./index";

let counter = 0;
function route(host: string | undefined, pathType: PathType, path: string, pool = "p"): Route {
  return { ...(host === undefined ? {} : { host }), path, pathType, pool, source: `rules[${counter++}]` };
}

describe("routeIdentity", () => {
  it("ignores a Prefix path's trailing slash, and only that", () => {
    expect(routeIdentity(route("a.example", "Prefix", "/foo/"))).toBe(routeIdentity(route("a.example", "Prefix", "/foo")));
    expect(routeIdentity(route(undefined, "Prefix", "/"))).toBe(" Prefix /");
    expect(routeIdentity(route("a.example", "Prefix", "/foo"))).toBe("a.example Prefix /foo");
    expect(routeIdentity(route("a.example", "Exact", "/foo/"))).not.toBe(routeIdentity(route("a.example", "Exact", "/foo")));
  });

  it("tells apart hosts, path types and paths that match different requests", () => {
    const ids = [
      route("a.example", "Prefix", "/foo"),
      route("b.example", "Prefix", "/foo"),
      route("*.example", "Prefix", "/foo"),
      route(undefined, "Prefix", "/foo"),
      route("a.example", "Exact", "/foo"),
      route("a.example", "ImplementationSpecific", "/foo"),
      route("a.example", "Prefix", "/Foo"),
      route("a.example", "Prefix", "/foo//"),
      route(undefined, "Prefix", "//"),
      route(undefined, "Prefix", "/"),
    ].map(routeIdentity);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("checkRegexPath", () => {
  it("accepts ordinary path regexes", () => {
    for (const p of ["/api/v[0-9]+/.*", "/icons", "/", "/(a|b)/x", "/static/.+\\.png$", "/something(/|$)(.*)", "/u/(?P<id>[0-9]+)"]) {
      expect(checkRegexPath(p), p).toBeUndefined();
    }
  });

  it("accepts what a backtracking engine cannot run safely: the engine matches it in linear time", () => {
    for (const p of ["/api/(\\w|\\d)*$", "/.*.*.*.*.*=$", "(a+)+$", "/(x*)*y", "a*".repeat(26)]) expect(checkRegexPath(p), p).toBeUndefined();
  });

  it("rejects invalid syntax, with the engine's reason", () => {
    expect(checkRegexPath("(")).toBe("invalid regular expression (RE2 syntax): missing closing ): `(`");
    expect(checkRegexPath("[a-")).toMatch(/^invalid regular expression \(RE2 syntax\): missing closing \]/);
  });

  it("rejects a pattern that would escape the anchoring group", () => {
    expect(checkRegexPath("a)|(b")).toBe("invalid regular expression (RE2 syntax): unexpected ): `a)|(b`");
  });

  it("names the JavaScript and PCRE syntax RE2 does not have", () => {
    expect(checkRegexPath("/(?=a)b")).toMatch(/^unsupported regular expression: lookaround/);
    expect(checkRegexPath("/(?<!a)b")).toMatch(/^unsupported regular expression: lookaround/);
    expect(checkRegexPath("/(a)\\1")).toMatch(/^unsupported regular expression: backreferences/);
    expect(checkRegexPath("/(?<x>a)\\k<x>")).toMatch(/^unsupported regular expression: backreferences/);
    expect(checkRegexPath("/\\u0041")).toBe("unsupported regular expression: \\uXXXX escapes are not supported; write \\x{XXXX}");
    expect(checkRegexPath("/a*+")).toMatch(/^unsupported regular expression: possessive quantifiers/);
    expect(checkRegexPath("/(?>a+)b")).toMatch(/^unsupported regular expression: atomic groups/);
  });

  it("names what RE2 accepts but this engine refuses, and why", () => {
    expect(checkRegexPath("/\\pL")).toMatch(/^unsupported regular expression: Unicode classes \(\\p, \\P\) are not supported/);
    expect(checkRegexPath("/\\p{Greek}")).toMatch(/^unsupported regular expression: Unicode classes/);
    expect(checkRegexPath("/\\C")).toMatch(/^unsupported regular expression: \\C \(any byte\)/);
    expect(checkRegexPath("/\u{1F600}")).toMatch(/^unsupported regular expression: characters beyond U\+FFFF/);
    expect(checkRegexPath("/\\x{1F600}")).toMatch(/^unsupported regular expression: characters beyond U\+FFFF/);
  });

  it("names what RE2 itself refuses, with RE2's reason", () => {
    expect(checkRegexPath("/\\Z")).toBe("unsupported regular expression: \\Z is not supported; write \\z (end of text) or $");
    expect(checkRegexPath("/a**")).toBe("invalid regular expression (RE2 syntax): invalid nested repetition operator: `**`");
    expect(checkRegexPath("*a")).toBe("invalid regular expression (RE2 syntax): missing argument to repetition operator: `*`");
    expect(checkRegexPath("[z-a]")).toBe("invalid regular expression (RE2 syntax): invalid character class range: `z-a`");
    expect(checkRegexPath("[[:foo:]]")).toBe("invalid regular expression (RE2 syntax): invalid character class range: `[:foo:]`");
    expect(checkRegexPath("(?x)a")).toBe("invalid regular expression (RE2 syntax): invalid or unsupported Perl syntax: `(?x`");
    expect(checkRegexPath("(?P<a>x)(?P<a>y)")).toBe("invalid regular expression (RE2 syntax): duplicate capture group name: `a`");
    expect(checkRegexPath("\\")).toBe("invalid regular expression (RE2 syntax): trailing backslash at end of expression");
    expect(checkRegexPath("\\y")).toBe("invalid regular expression (RE2 syntax): invalid escape sequence: `\\y`");
  });

  it("rejects too large programs and too long patterns", () => {
    expect(checkRegexPath("/static/[a-z0-9._/-]{1,200}$")).toBeUndefined();
    expect(checkRegexPath(".{0,999}")).toBe(
      "regular expression too large (it compiles to 2001 instructions, at most 500; large counted repeats such as {1,500} cost the most)",
    );
    expect(checkRegexPath("[a-z]{1,240}")).toBeUndefined();
    expect(checkRegexPath("[a-z]{1,250}")).toMatch(/^regular expression too large \(it compiles to 502 instructions/);
    expect(checkRegexPath("(a{100}){100}")).toMatch(/^invalid regular expression \(RE2 syntax\): invalid repeat count/);
    expect(checkRegexPath("/a".repeat(200))).toBeUndefined();
    expect(checkRegexPath("/".repeat(MAX_REGEX_PATH_CHARS + 1))).toMatch(/^regular expression too long/);
  });
});

describe("findUnreachableRoutes", () => {
  it("finds nothing in an ordinary config", () => {
    expect(
      findUnreachableRoutes([route("a.example", "Prefix", "/"), route("a.example", "Exact", "/x"), route(undefined, "ImplementationSpecific", "/a?b")]),
    ).toEqual([]);
  });

  it("flags a later duplicate of the same identity", () => {
    const first = route("a.example", "Prefix", "/foo");
    const again = route("a.example", "Prefix", "/foo");
    expect(findUnreachableRoutes([first, again])).toEqual([
      { route: again, reason: `same host, pathType and path as ${first.source} (pool p), which always wins over it` },
    ]);
  });

  it("flags the later spelling of the same Prefix (the trailing slash changes nothing)", () => {
    const short = route("a.example", "Prefix", "/foo");
    const slash = route("a.example", "Prefix", "/foo/");
    expect(findUnreachableRoutes([short, slash]).map((u) => u.route)).toEqual([slash]);
    expect(findUnreachableRoutes([slash, short]).map((u) => u.route)).toEqual([short]);
  });

  it("flags paths that contain a query, a fragment, a backslash or dot segments", () => {
    const paths = ["/a?b=1", "/a#top", "/a\\b", "/a/../b", "/a/.", "/a/%2E%2e/b"];
    const found = findUnreachableRoutes(paths.map((p) => route(undefined, "Exact", p)));
    expect(found.map((u) => u.route.path)).toEqual(paths);
    expect(found[0]?.reason).toMatch(/"\?", which starts the query/);
    expect(found[3]?.reason).toMatch(/dot segment "\.\."/);
  });

  it("flags characters a request path always carries percent-encoded, as the URL parser does", () => {
    for (const char of [" ", '"', "<", ">", "^", "`", "{", "}", "\u007f", "\u0001", "é", "😀"]) {
      const path = `/x${char}y`;
      // The claim holds only if the URL parser really encodes it. Node before 24 leaves "^"; workerd, where the
      // rules are matched, encodes it (test/path-normalization.test.ts checks it there).
      if (char !== "^") expect(new URL(`https://h${path}`).pathname, JSON.stringify(char)).not.toContain(char);
      const [found] = findUnreachableRoutes([route(undefined, "Prefix", path)]);
      expect(found?.reason, JSON.stringify(char)).toMatch(/always carries percent-encoded/);
    }
    expect(findUnreachableRoutes([route(undefined, "Exact", "/caf\u00e9")])[0]?.reason).toContain("(write %C3%A9)");
    expect(findUnreachableRoutes([route(undefined, "Exact", "/x^y")])[0]?.reason).toContain("(write %5E)");
  });

  it("does not flag characters that arrive as written", () => {
    for (const char of ["|", "[", "]", "%20", "~", ":", "@"]) {
      const path = `/x${char}y`;
      expect(new URL(`https://h${path}`).pathname).toBe(path);
      expect(findUnreachableRoutes([route(undefined, "Exact", path)]), char).toEqual([]);
    }
  });
});
