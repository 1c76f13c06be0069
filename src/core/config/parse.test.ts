import { describe, expect, it } from "vitest";
import { parseConfig } from "./parse";

const pool = (urls: string[] = ["https://a.example.net"]) => ({ origins: urls.map((url) => ({ url })) });
const rule = (host: string | undefined, path: string, pathType: string, name: string) => ({
  ...(host === undefined ? {} : { host }),
  http: { paths: [{ path, pathType, backend: { service: { name, port: { number: 80 } } } }] },
});

function problemsOf(doc: unknown): string[] {
  const result = parseConfig(doc);
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
}

describe("parseConfig", () => {
  it("fills every default", () => {
    const result = parseConfig({
      pools: { api: { origins: [{ url: "https://API.example.net:443/base/" }], healthCheck: {} } },
      rules: [rule("api.example.com", "/", "Prefix", "api")],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const api = result.config.pools.get("api");
    expect(api).toEqual({
      name: "api",
      policy: "round-robin",
      origins: [{ url: "https://api.example.net/base", weight: 1, key: "api https://api.example.net/base" }],
      timeoutMs: 30_000,
      uploadIdleTimeoutMs: 60_000,
      whenAllDown: { kind: "fail-open" },
      passiveEjection: { consecutiveFailures: 5, cooldownMs: 30_000, on5xx: false },
      healthCheck: {
        path: "/",
        method: "GET",
        expectedStatus: [{ from: 200, to: 399 }],
        timeoutMs: 5_000,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
        headers: {},
      },
    });
    expect(result.config.routes).toEqual([
      { host: "api.example.com", path: "/", pathType: "Prefix", pool: "api", source: "rules[0].http.paths[0]" },
    ]);
  });

  it("reports every problem with its path and the value it got", () => {
    const problems = problemsOf({
      pools: {
        api: {
          policy: "fastest",
          origins: [{ url: "https://ok.example.net" }, { url: "api:8080", weight: 0 }, { url: "ftp://x.example.net" }],
          timeoutMs: "10s",
          uploadIdleTimeoutMs: 50,
        },
      },
      rules: [rule("API.example.com", "foo", "Prefix", "api")],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'pools.api.policy: must be one of random, round-robin, least-recent, got "fastest"',
        'pools.api.origins[1].url: must be an absolute http(s) URL, got "api:8080"',
        "pools.api.origins[1].weight: must be a positive integer up to 10000, got 0",
        'pools.api.origins[2].url: must be an absolute http(s) URL, got "ftp://x.example.net"',
        'pools.api.timeoutMs: must be a whole number of milliseconds from 100 to 600000, got "10s"',
        "pools.api.uploadIdleTimeoutMs: must be a whole number of milliseconds from 100 to 600000, got 50",
        // A pool of the wrong shape does not hide the problems of the rules.
        expect.stringMatching(/^rules\[0\]\.host: must be a lower-case DNS name/),
        'rules[0].http.paths[0].path: must be an absolute path starting with "/" for pathType Prefix, got "foo"',
      ]),
    );
    expect(problems).toHaveLength(8);
  });

  it("reports cross-reference problems all at once", () => {
    const problems = problemsOf({
      pools: { api: pool(), web: pool() },
      rules: [
        rule("API.example.com", "foo", "Prefix", "api"),
        rule("a.example.com", "/x", "Prefix", "nope"),
        rule("a.example.com", "/x/", "Prefix", "api"),
        rule("a.example.com", "/x", "Prefix", "web"),
        rule("b.example.com", "(a)\\1", "ImplementationSpecific", "api"),
      ],
      defaultBackend: { service: { name: "missing" } },
    });
    expect(problems).toEqual([
      'rules[0].host: must be a lower-case DNS name, optionally starting with "*." (e.g. "api.example.com", "*.example.com"), got "API.example.com"',
      'rules[0].http.paths[0].path: must be an absolute path starting with "/" for pathType Prefix, got "foo"',
      'rules[1].http.paths[0].backend.service.name: no pool named "nope" (pools: api, web)',
      'rules[3].http.paths[0]: host "a.example.com" path "/x" (Prefix) already goes to pool "api" at rules[2].http.paths[0]; it cannot also go to "web"',
      expect.stringMatching(/^rules\[4\]\.http\.paths\[0\]\.path: unsupported regular expression: backreferences.*got "\(a\)\\\\1"$/),
      'defaultBackend.service.name: no pool named "missing" (pools: api, web)',
    ]);
  });

  it("reports a rule's other problems beside a path of the wrong type: the host and the other paths are still checked", () => {
    const backend = (name: string) => ({ service: { name } });
    const problems = problemsOf({
      pools: { api: pool() },
      rules: [{
        host: "Bad_Host.example.com",
        http: { paths: [
          { path: "/a", pathType: "Prefx", backend: backend("api") },
          { path: "no-slash", pathType: "Exact", backend: backend("api") },
          { path: "/b", pathType: "Prefix", backend: backend("nope") },
          { path: "/x(", pathType: "ImplementationSpecific", backend: backend("api") },
        ] },
      }],
    });
    expect(problems).toEqual([
      expect.stringMatching(/^rules\[0\]\.host: must be a lower-case DNS name/),
      "rules[0].http.paths[0].pathType: must be one of Exact, Prefix, ImplementationSpecific, got \"Prefx\"",
      'rules[0].http.paths[1].path: must be an absolute path starting with "/" for pathType Exact, got "no-slash"',
      'rules[0].http.paths[2].backend.service.name: no pool named "nope" (pools: api)',
      expect.stringMatching(/^rules\[0\]\.http\.paths\[3\]\.path: .*got "\/x\("$/),
    ]);
  });

  it("rejects the path spellings the Kubernetes API server rejects for Exact and Prefix", () => {
    const bad = ["/a//b", "/a/./b", "/a/../b", "/a%2fb", "/a%2Fb", "/a/..", "/a/."];
    const problems = problemsOf({ pools: { api: pool() }, rules: bad.map((p) => rule(undefined, p, "Prefix", "api")) });
    expect(problems).toHaveLength(bad.length);
    expect(problems[0]).toBe('rules[0].http.paths[0].path: must not contain "//" for pathType Prefix (Kubernetes rejects it), got "/a//b"');
    expect(problems[5]).toBe('rules[5].http.paths[0].path: must not end with "/.." for pathType Prefix (Kubernetes rejects it), got "/a/.."');
    expect(problemsOf({ pools: { api: pool() }, rules: [rule(undefined, "/a//b", "ImplementationSpecific", "api")] })).toEqual([]);
  });

  it("refuses Exact and Prefix paths a normalized request path can never equal, and conflicting spellings of one path", () => {
    const problems = problemsOf({
      pools: { api: pool(), web: pool() },
      rules: [
        rule(undefined, "/admin;v=1", "Prefix", "api"),
        rule(undefined, "/a%zz", "Exact", "api"),
        rule(undefined, "/admin", "Prefix", "api"),
        rule(undefined, "/%61dmin", "Prefix", "web"),
      ],
    });
    expect(problems).toEqual([
      'rules[0].http.paths[0].path: must not contain ";" (or %3B): requests are matched with their ";parameters" removed, so this rule could never match, got "/admin;v=1"',
      'rules[1].http.paths[0].path: must be a valid path: invalid percent-encoding "%zz", got "/a%zz"',
      'rules[3].http.paths[0]: host "*" path "/%61dmin" (Prefix) already goes to pool "api" at rules[2].http.paths[0]; it cannot also go to "web"',
    ]);
  });

  it("fills pathNormalization's defaults and checks its fields", () => {
    const base = { pools: { api: pool() } };
    const defaults = parseConfig(base);
    expect(defaults.ok && defaults.config.pathNormalization).toEqual({ escapedSlashes: "reject", mergeSlashes: true });
    const keep = parseConfig({ ...base, pathNormalization: { escapedSlashes: "keep" } });
    expect(keep.ok && keep.config.pathNormalization).toEqual({ escapedSlashes: "keep", mergeSlashes: true });
    expect(problemsOf({ ...base, pathNormalization: { escapedSlashes: "decode", mergeSlashes: "yes", normalize: true } })).toEqual([
      'pathNormalization.escapedSlashes: must be "reject" or "keep", got "decode"',
      'pathNormalization.mergeSlashes: must be true or false, got "yes"',
      'pathNormalization.normalize: unknown field (check its spelling and indentation)',
    ]);
  });

  it("accepts the same host and path twice when both go to the same pool", () => {
    expect(problemsOf({ pools: { api: pool() }, rules: [rule("a.example.com", "/x", "Prefix", "api"), rule("a.example.com", "/x/", "Prefix", "api")] })).toEqual([]);
  });

  it("names unknown fields instead of ignoring them", () => {
    expect(problemsOf({ pools: { api: { ...pool(), polcy: "random" } } })).toEqual([
      "pools.api.polcy: unknown field (check its spelling and indentation)",
    ]);
  });

  it("rejects origins with credentials, queries or duplicates", () => {
    expect(
      problemsOf({ pools: { api: pool(["https://u:secret@a.example.net", "https://b.example.net/?x=1", "https://c.example.net", "https://C.example.net/"]) } }),
    ).toEqual([
      'pools.api.origins[0].url: must not carry credentials (they would be logged and forwarded), got "a.example.net"',
      'pools.api.origins[1].url: must not have a query or fragment, got "https://b.example.net/?x=1"',
      'pools.api.origins[3].url: lists the same origin twice, got "https://C.example.net/"',
    ]);
  });

  it("rejects hosts Kubernetes rejects", () => {
    const problems = problemsOf({
      pools: { api: pool() },
      rules: [rule("203.0.113.5", "/", "Prefix", "api"), rule("a.example.com:8080", "/", "Prefix", "api"), rule("a.*.example.com", "/", "Prefix", "api")],
    });
    expect(problems.map((p) => p.split(":")[0])).toEqual(["rules[0].host", "rules[1].host", "rules[2].host"]);
    expect(problems[0]).toContain("not an IP address");
  });

  it("validates health checks, ejection and whenAllDown", () => {
    const problems = problemsOf({
      pools: {
        a: {
          ...pool(),
          healthCheck: { path: "healthz", method: "HEAD", bodyContains: "ok", expectedStatus: ["300-200", "2xx"], timeoutMs: 50, healthyThreshold: 0 },
          passiveEjection: { consecutiveFailures: 0, on5xx: "yes" },
          whenAllDown: "b",
        },
        b: { ...pool(), whenAllDown: "a" },
        c: { ...pool(), whenAllDown: "c" },
        d: { ...pool(), whenAllDown: 503 },
      },
    });
    expect(problems).toEqual([
      'pools.a.healthCheck.path: must start with "/", got "healthz"',
      'pools.a.healthCheck.expectedStatus[1]: must be a status code (200) or range ("200-399"), got "2xx"',
      "pools.a.healthCheck.timeoutMs: must be a whole number of milliseconds from 100 to 30000, got 50",
      "pools.a.healthCheck.healthyThreshold: must be a whole number from 1 to 10, got 0",
      "pools.a.passiveEjection.consecutiveFailures: must be a whole number from 1 to 100, got 0",
      'pools.a.passiveEjection.on5xx: must be true or false, got "yes"',
      "pools.c.whenAllDown: fallback pools loop: c -> c",
    ]);
    const second = problemsOf({
      pools: {
        a: { ...pool(), healthCheck: { method: "HEAD", bodyContains: "ok", expectedStatus: ["300-200"] }, whenAllDown: "b" },
        b: { ...pool(), whenAllDown: "a" },
        c: { ...pool(), whenAllDown: "c" },
        d: { ...pool(), whenAllDown: 503 },
        e: { ...pool(), whenAllDown: "nowhere" },
      },
    });
    expect(second).toEqual([
      "pools.a.healthCheck.bodyContains: cannot be checked with method HEAD (a HEAD response has no body)",
      'pools.a.healthCheck.expectedStatus[0]: range must go from low to high, got "300-200"',
      "pools.a.whenAllDown: fallback pools loop: a -> b -> a",
      "pools.b.whenAllDown: fallback pools loop: b -> a -> b",
      'pools.c.whenAllDown: fallback pools loop: c -> c',
      'pools.e.whenAllDown: must be "fail-open", "503" or the name of another pool (pools: a, b, c, d), got "nowhere"',
    ]);
  });

  it("rejects a document that is not a mapping with pools", () => {
    expect(problemsOf("pools: {}")).toEqual(['(document): must be a mapping with "pools", got "pools: {}"']);
    expect(problemsOf({ rules: [] })).toEqual([expect.stringMatching(/^pools: /)]);
  });

  it("refuses a document without pools, as the CLI does for its files", () => {
    const noPools = 'pools: no pools defined in any document: add a native document with "pools:" (Ingress backends name pools as their services)';
    expect(problemsOf({ pools: {} })).toEqual([noPools]);
    expect(problemsOf({ pools: {}, defaultBackend: { service: { name: "web" } } })).toEqual([
      noPools,
      'defaultBackend.service.name: no pool named "web" (pools: none defined)',
    ]);
  });

  it("says what a service port must be", () => {
    const problems = problemsOf({
      pools: { api: pool() },
      rules: [
        { http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: null } } }] } },
        { http: { paths: [{ path: "/b", pathType: "Prefix", backend: { service: { name: "api", port: { number: 70000 } } } }] } },
      ],
    });
    expect(problems).toEqual([
      'rules[0].http.paths[0].backend.service.port: must be an object with "number" or "name", got null',
      "rules[1].http.paths[0].backend.service.port.number: must be a port number from 1 to 65535, got 70000",
    ]);
  });

  it("maps resource backends to pools by name", () => {
    const result = parseConfig({
      pools: { icons: pool() },
      defaultBackend: { resource: { apiGroup: "k8s.example.com", kind: "StorageBucket", name: "icons" } },
    });
    expect(result.ok && result.config.defaultBackend).toEqual({ pool: "icons", source: "defaultBackend" });
  });

  it("keeps the records of the Ingresses merged in, and checks their shape", () => {
    const ingresses = [{ name: "shop", namespace: "prod", annotations: { "nginx.ingress.kubernetes.io/proxy-buffering": "on" }, tls: [{ hosts: ["shop.example.com"] }] }];
    const result = parseConfig({ pools: { web: pool() }, ingresses });
    expect(result.ok && result.config.ingresses).toEqual(ingresses);
    const native = parseConfig({ pools: { web: pool() } });
    expect(native.ok && "ingresses" in native.config).toBe(false);
    expect(problemsOf({ pools: { web: pool() }, ingresses: [{ name: "x", annotations: { a: 1 } }, { labels: {} }] })).toEqual([
      "ingresses[0].annotations.a: must be a string, got 1",
      "ingresses[1].name: is required",
      "ingresses[1].labels: unknown field (check its spelling and indentation)",
    ]);
  });
});

