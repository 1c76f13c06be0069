import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileRewrite, type Rewrite } from "./rewrite";

const A = "nginx.ingress.kubernetes.io/";
interface Suite {
  name: string;
  ingress: { metadata: { annotations: Record<string, string> }; rules: { host: string; http: { paths: { path: string }[] } }[] };
  requests: { path: string; expect: { status?: number; backendPath?: string; location?: string; backendHeaders?: Record<string, string> } }[];
}
const suites = JSON.parse(readFileSync(new URL("../../../test/fixtures/conformance/nginx-annotations-docs-examples.json", import.meta.url), "utf8")) as Suite[];
const suite = (name: string) => suites.find((s) => s.name === name)!;

function rewriteFor(s: Suite): Rewrite {
  const a = s.ingress.metadata.annotations;
  const result = compileRewrite(s.ingress.rules[0]!.http.paths[0]!.path, {
    rewriteTarget: a[`${A}rewrite-target`],
    appRoot: a[`${A}app-root`],
    xForwardedPrefix: a[`${A}x-forwarded-prefix`],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rewrite;
}

describe("rewrite-target, driven by the ingress-nginx rewrite example", () => {
  it("gives the backend the paths the docs show", () => {
    const s = suite("docs-nginx/rewrite-capture-groups");
    const rewrite = rewriteFor(s);
    const routed = s.requests.filter((r) => r.expect.backendPath !== undefined);
    expect(routed.length).toBeGreaterThanOrEqual(4);
    for (const request of routed) expect(rewrite.rewriteTarget(request.path), request.path).toBe(request.expect.backendPath);
  });

  it("keeps the query string, as nginx appends the arguments", () => {
    const rewrite = rewriteFor(suite("docs-nginx/rewrite-capture-groups"));
    expect(rewrite.rewriteTarget("/something/new?a=1&b=2")).toBe("/new?a=1&b=2");
    expect(rewrite.rewriteTarget("/something?")).toBe("/?");
  });

  it("replaces the whole path, unmatched groups are empty, several groups combine", () => {
    const two = compileRewrite("/api(/v([0-9]))?/(.*)", { rewriteTarget: "/version$2/$3$9" });
    if (!two.ok) throw new Error("compile");
    expect(two.rewrite.rewriteTarget("/api/v2/users")).toBe("/version2/users");
    expect(two.rewrite.rewriteTarget("/api/users")).toBe("/version/users");
    expect(two.rewrite.rewriteTarget("/API/v3/x")).toBe("/version3/x"); // (?i)
  });

  it("adds a leading slash when the result has none, and leaves an unmatched path alone", () => {
    const bare = compileRewrite("/app/(.*)", { rewriteTarget: "$1" });
    if (!bare.ok) throw new Error("compile");
    expect(bare.rewrite.rewriteTarget("/app/x/y")).toBe("/x/y");
    expect(bare.rewrite.rewriteTarget("/app/")).toBe("/");
    expect(bare.rewrite.rewriteTarget("/other")).toBe("/other");
  });

  it("does nothing when the target is the rule's own path, or unset", () => {
    const same = compileRewrite("/foo", { rewriteTarget: "/foo" });
    expect(same.ok && same.rewrite.rewriteTarget("/foo/bar")).toBe("/foo/bar");
    const none = compileRewrite("/foo", {});
    expect(none.ok && none.rewrite.rewriteTarget("/foo/bar?x")).toBe("/foo/bar?x");
  });

  it("refuses nginx variables, odd characters and unusable rule regexes", () => {
    const problems = (path: string, annotations: Parameters<typeof compileRewrite>[1]) => {
      const result = compileRewrite(path, annotations, "app.");
      return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
    };
    expect(problems("/a(.*)", { rewriteTarget: "/$host/$1" })).toEqual(['app.rewrite-target: only $1 to $9 (capture groups) may follow a $; nginx variables are not supported, got "/$host/$1"']);
    expect(problems("/a(.*)", { rewriteTarget: "/x?y=1" })).toEqual(['app.rewrite-target: must be a path with optional $1 to $9, got "/x?y=1"']);
    expect(problems("/api(/|$)(.*)", { rewriteTarget: "" })).toEqual([expect.stringMatching(/^app\.rewrite-target: must not be empty .*, got ""$/)]);
    expect(problems("/a(.*", { rewriteTarget: "/$1" })[0]).toMatch(/^app.rewrite-target: the rule's path is not a usable regular expression/);
    expect(problems("/(a)\\1", { rewriteTarget: "/$1" })[0]).toMatch(/backreferences/);
    expect(problems("/", { appRoot: "app1" })).toEqual(['app.app-root: must be a path starting with "/", got "app1"']);
    expect(problems("/", { appRoot: "http://evil.example/" })).toHaveLength(1);
    expect(problems("/", { xForwardedPrefix: "/a\r\nX-Evil: 1" })).toHaveLength(1);
  });
});

describe("app-root", () => {
  it("redirects '/' as the docs' example shows and nothing else", () => {
    const s = suite("docs-nginx/app-root");
    const rewrite = rewriteFor(s);
    const redirect = s.requests.find((r) => r.expect.status === 302)!;
    expect(rewrite.appRootLocation(redirect.path, "http", s.ingress.rules[0]!.host)).toBe(redirect.expect.location);
    expect(rewrite.appRootLocation("/?x=1", "https", "h.example")).toBe("https://h.example/app1");
    for (const path of ["/app1", "//", "/index.html", ""]) expect(rewrite.appRootLocation(path, "http", "h")).toBeUndefined();
  });
});

describe("x-forwarded-prefix", () => {
  it("gives the header value of the docs' example", () => {
    const s = suite("docs-nginx/x-forwarded-prefix");
    expect(rewriteFor(s).forwardedPrefix).toBe(s.requests[0]!.expect.backendHeaders!["X-Forwarded-Prefix"]);
    expect(compileRewrite("/", {}).ok && (compileRewrite("/", {}) as { rewrite: Rewrite }).rewrite.forwardedPrefix).toBeUndefined();
  });
});
