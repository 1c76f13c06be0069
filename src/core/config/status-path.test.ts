import { describe, expect, it } from "vitest";
import { mergeDocuments, locateProblem } from "./manifests";
import { parseConfig } from "./parse";
import { DEFAULT_STATUS_PATH, isStatusRequest, regexTargets, routeInsideStatusPath, statusPathProblem } from "./status-path";

const pools = { web: { origins: [{ url: "https://web.example.net" }] } };
const rule = (path: string, pathType: string, host?: string) => ({
  ...(host === undefined ? {} : { host }),
  http: { paths: [{ path, pathType, backend: { service: { name: "web" } } }] },
});

function problemsOf(doc: unknown): string[] {
  const result = parseConfig(doc);
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
}

describe("statusPath in the config", () => {
  it("defaults to /.well-known/edge-ingress/ and adds a missing trailing slash", () => {
    const plain = parseConfig({ pools });
    expect(plain.ok && plain.config.statusPath).toBe(DEFAULT_STATUS_PATH);
    const custom = parseConfig({ pools, statusPath: "/_ops/status" });
    expect(custom.ok && custom.config.statusPath).toBe("/_ops/status/");
  });

  it("rejects paths that are not a clean prefix, saying why", () => {
    for (const bad of ["/", "", "ops/", "//ops/", "/ops//x/", "/a/../b/", "/ops%2F/", "/ops?x", "/ops#x", "/a b/", "/ops:id/", "/ops/*", "/(a)/"]) {
      expect(statusPathProblem(bad), bad).toBeDefined();
    }
    expect(problemsOf({ pools, statusPath: 42 })).toEqual(['statusPath: must be a path such as "/.well-known/edge-ingress/", got 42']);
    expect(problemsOf({ pools, statusPath: "/" })[0]).toMatch(/^statusPath: must be a path of one or more segments/);
  });

  it("refuses every rule that routes a path inside the prefix, and reports them all", () => {
    const problems = problemsOf({
      pools,
      rules: [
        rule("/.well-known/edge-ingress/", "Prefix", "a.example.com"),
        rule("/.well-known/edge-ingress", "Exact"),
        rule("/.well-known/edge-ingress/x", "Exact"),
        rule("/.well-known/edge-ingress/api/", "Prefix"),
        rule("/\\.well-known/edge-ingress/.*", "ImplementationSpecific"),
      ],
    });
    expect(problems).toHaveLength(5);
    expect(problems[0]).toBe(
      'rules[0].http.paths[0].path: is inside "/.well-known/edge-ingress/", the prefix reserved for the status page (statusPath), so its requests would never reach pool "web"; use another path or set statusPath elsewhere, got "/.well-known/edge-ingress/"',
    );
    expect(problems.map((p) => p.slice(0, 8))).toEqual(["rules[0]", "rules[1]", "rules[2]", "rules[3]", "rules[4]"]);
  });

  it("accepts rules around the prefix: broader prefixes, neighbours, and other case", () => {
    expect(
      problemsOf({
        pools,
        rules: [
          rule("/", "Prefix"),
          rule("/.well-known", "Prefix"),
          rule("/.well-known/acme-challenge/", "Prefix"),
          rule("/.well-known/edge-ingressx", "Exact"),
          rule("/.well-known/edge-ingress-old/", "Prefix"),
          rule("/.WELL-KNOWN/edge-ingress/", "Prefix"),
          rule("/.*", "ImplementationSpecific"),
        ],
      }),
    ).toEqual([]);
  });

  it("checks rules against a custom prefix, not the default", () => {
    expect(problemsOf({ pools, statusPath: "/_ops/", rules: [rule("/.well-known/edge-ingress/", "Prefix")] })).toEqual([]);
    expect(problemsOf({ pools, statusPath: "/_ops/", rules: [rule("/_ops/x", "Exact")] })).toHaveLength(1);
  });

  it("is merged from one native document and located there; two different values conflict", () => {
    const merged = mergeDocuments([
      { file: "a.yaml", index: 0, value: { pools, statusPath: "/ops/" } },
      { file: "b.yaml", index: 0, value: { rules: [rule("/x", "Prefix")], statusPath: "/ops/" } },
    ]);
    expect(merged.problems).toEqual([]);
    expect(merged.document.statusPath).toBe("/ops/");
    const conflict = mergeDocuments([
      { file: "a.yaml", index: 0, value: { pools, statusPath: "/ops/" } },
      { file: "b.yaml", index: 1, value: { statusPath: "/status/" } },
    ]);
    expect(conflict.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'b.yaml[1]: statusPath: conflicts with the statusPath at a.yaml[0]: statusPath ("/ops/"): at most one statusPath may be set across all documents',
    ]);
    const bad = mergeDocuments([{ file: "a.yaml", index: 2, value: { pools, statusPath: "/" } }]);
    const parsed = parseConfig(bad.document);
    expect(!parsed.ok && parsed.problems.map((p) => locateProblem(bad, p).path)).toEqual(["a.yaml[2]: statusPath"]);
  });
});

describe("isStatusRequest", () => {
  it("takes the prefix with or without its slash and everything below, case-sensitively", () => {
    const prefix = DEFAULT_STATUS_PATH;
    expect(["/.well-known/edge-ingress/", "/.well-known/edge-ingress", "/.well-known/edge-ingress/login"].map((p) => isStatusRequest(p, prefix))).toEqual([true, true, true]);
    expect(["/.well-known/edge-ingres", "/.well-known/edge-ingressx", "/.WELL-KNOWN/edge-ingress/", "/", "/x/.well-known/edge-ingress/"].map((p) => isStatusRequest(p, prefix))).toEqual([
      false, false, false, false, false,
    ]);
  });
});

describe("routeInsideStatusPath", () => {
  it("reads the leading literal run of a regex, with unescaped dots as wildcards", () => {
    const base = "/.well-known/edge-ingress";
    expect(regexTargets("/.well-known/edge-ingress", base)).toBe(true);
    expect(regexTargets("^/\\.well-known/edge-ingress/(status|login)", base)).toBe(true);
    expect(regexTargets("/.WELL-known/Edge-Ingress", base)).toBe(true);
    // A quantified last character may be absent, so the run stops before it.
    expect(regexTargets("/.well-known/edge-ingress?", base)).toBe(false);
    expect(regexTargets("/.well-known/(edge-ingress|other)", base)).toBe(false);
    expect(regexTargets("/.well-known/\\w+", base)).toBe(false);
    expect(routeInsideStatusPath({ path: "/", pathType: "Prefix" }, DEFAULT_STATUS_PATH)).toBe(false);
  });
});
