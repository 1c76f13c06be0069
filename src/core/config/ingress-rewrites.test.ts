// The rewrite, redirect and host annotations, from manifest to the request
// decision in plain Node: the ingress-nginx documentation vectors, then the
// refusals and warnings. The same vectors run through the Worker in
// test/rewrites.test.ts.
import { describe, expect, it } from "vitest";
import { expectedLocation, loadRewriteSuites, suiteDocuments } from "../../../test/support/rewrite-suites";
import { seededRandom } from "../../../test/support/seeded-random";
import { simulate, outcomeOf } from "../request/simulate";
import { compileRuntime } from "../runtime";
import { mergeDocuments } from "./manifests";
import { parseConfig } from "./parse";

function load(docs: { file: string; index: number; value: unknown }[]) {
  const merged = mergeDocuments(docs);
  expect(merged.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([]);
  const parsed = parseConfig(merged.document);
  expect(parsed.problems).toEqual([]);
  if (!parsed.ok) throw new Error("invalid");
  return { merged, runtime: compileRuntime("v1", parsed.config, { random: seededRandom(1) }) };
}

describe("ingress-nginx rewrite and redirect vectors, decided in Node", () => {
  for (const suite of loadRewriteSuites()) {
    it(suite.name, () => {
      const { runtime } = load(suiteDocuments(suite, (s) => `http://${s}.test`));
      for (const r of suite.requests) {
        const label = `${r.host}${r.path}`;
        const e = r.expect;
        const outcome = outcomeOf(runtime, simulate(runtime, { host: r.host, path: r.path }).decision);
        if (typeof e.backend === "string") {
          expect(outcome.pool, label).toBe(e.backend);
          if (e.backendPath !== undefined) expect(outcome.upstreamPath, label).toBe(e.backendPath);
          if (e.backendHost !== undefined) expect(outcome.upstreamHost, label).toBe(e.backendHost);
        } else {
          expect(outcome.status, label).toBe(e.status);
          expect(outcome.location, label).toBe(expectedLocation(e));
        }
      }
    });
  }
});

const pools = { file: "pools.yaml", index: 0, value: { pools: { web: { origins: [{ url: "http://web.test" }] } } } };
const ingress = (annotations: Record<string, string>, rules: unknown[]) => ({
  file: "ing.yaml",
  index: 0,
  value: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "app", annotations }, spec: { rules } },
});
const rule = (host: string | undefined, path: string, pathType = "Prefix") => ({
  ...(host ? { host } : {}),
  http: { paths: [{ path, pathType, backend: { service: { name: "web", port: { number: 80 } } } }] },
});
const problemsOf = (docs: { file: string; index: number; value: unknown }[]) => mergeDocuments(docs).problems.map((p) => `${p.path}: ${p.message}`);
const warningsOf = (docs: { file: string; index: number; value: unknown }[]) => mergeDocuments(docs).warnings.map((w) => w.message);

describe("rewrite and redirect annotations", () => {
  it("refuses rewrite-target beside a Prefix path of the host (ingress-nginx would read it as a regex)", () => {
    const problems = problemsOf([pools, ingress({ "nginx.ingress.kubernetes.io/rewrite-target": "/" }, [rule("a.example.com", "/api")])]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/rewrite-target.*refused: when nginx.ingress.kubernetes.io\/rewrite-target is set, ingress-nginx reads every path/);
  });
  it("refuses nginx variables in rewrite-target, bad redirect URLs and codes, a bad upstream-vhost", () => {
    const problems = problemsOf([pools, ingress({
      "nginx.ingress.kubernetes.io/rewrite-target": "/$host/$1",
      "nginx.ingress.kubernetes.io/permanent-redirect": "/relative",
      "nginx.ingress.kubernetes.io/permanent-redirect-code": "399",
      "nginx.ingress.kubernetes.io/upstream-vhost": "$host:8080",
    }, [rule("a.example.com", "/x(.*)", "ImplementationSpecific")])]);
    expect(problems.join("\n")).toMatch(/rewrite-target.*only \$1 to \$9/);
    expect(problems.join("\n")).toMatch(/permanent-redirect"\] \(Ingress app\): must be an absolute http\(s\) URL/);
    expect(problems.join("\n")).toMatch(/permanent-redirect-code"\] \(Ingress app\): must be 301, 302, 303, 307 or 308, got "399"/);
    expect(problems.join("\n")).toMatch(/upstream-vhost"\] \(Ingress app\): must be a lower-case DNS host name/);
  });
  it("lets temporal-redirect win over permanent-redirect, with a warning", () => {
    const docs = [pools, ingress({ "nginx.ingress.kubernetes.io/permanent-redirect": "https://a.example/", "nginx.ingress.kubernetes.io/temporal-redirect": "https://b.example/" }, [rule("a.example.com", "/")])];
    expect(warningsOf(docs).join("\n")).toMatch(/no effect beside temporal-redirect/);
    const { runtime } = load(docs);
    const outcome = outcomeOf(runtime, simulate(runtime, { host: "a.example.com", path: "/x" }).decision);
    expect([outcome.status, outcome.location]).toEqual([302, "https://b.example/"]);
  });
  it("notes a redirect code without its redirect", () => {
    const merged = mergeDocuments([pools, ingress({ "nginx.ingress.kubernetes.io/permanent-redirect-code": "308" }, [rule("a.example.com", "/")])]);
    expect(merged.problems).toEqual([]);
    expect(merged.notes.join("\n")).toMatch(/permanent-redirect-code.*no effect without nginx.ingress.kubernetes.io\/permanent-redirect/);
  });
  it("refuses filters written in an Ingress manifest (Kubernetes has no such field)", () => {
    const written = { host: "a.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } }, filters: [] }] } };
    expect(problemsOf([pools, ingress({}, [written])]).join("\n")).toMatch(/filters \(Ingress app\): unknown field/);
  });
});

describe("server-alias and from-to-www-redirect", () => {
  it("leaves an alias another rule defines to that rule, with a warning", () => {
    const other = { file: "other.yaml", index: 0, value: { rules: [rule("b.example.com", "/")] } };
    const docs = [pools, other, ingress({ "nginx.ingress.kubernetes.io/server-alias": "b.example.com, c.example.com" }, [rule("a.example.com", "/")])];
    expect(warningsOf(docs).join("\n")).toMatch(/alias "b.example.com" has no effect: the rule at other.yaml\[0\]: rules\[0\]/);
    const { runtime } = load(docs);
    expect(outcomeOf(runtime, simulate(runtime, { host: "c.example.com", path: "/" }).decision).pool).toBe("web");
  });
  it("serves the whole host under an alias: the paths other Ingresses give that host too", () => {
    const api = { file: "api.yaml", index: 0, value: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "api" }, spec: { rules: [{ host: "a.example.com", http: { paths: [{ path: "/api", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } }] } }] } } };
    const both = { file: "pools.yaml", index: 0, value: { pools: { web: { origins: [{ url: "http://web.test" }] }, api: { origins: [{ url: "http://api.test" }] } } } };
    for (const docs of [[both, ingress({ "nginx.ingress.kubernetes.io/server-alias": "b.example.com" }, [rule("a.example.com", "/")]), api], [both, api, ingress({ "nginx.ingress.kubernetes.io/server-alias": "b.example.com" }, [rule("a.example.com", "/")])]]) {
      const { runtime } = load(docs);
      const poolOf = (host: string, path: string) => outcomeOf(runtime, simulate(runtime, { host, path }).decision).pool;
      expect([poolOf("b.example.com", "/api/orders"), poolOf("b.example.com", "/"), poolOf("a.example.com", "/api/orders")]).toEqual(["api", "web", "api"]);
    }
  });
  it("refuses an alias that is not a host name, and aliases for an Ingress of several hosts", () => {
    expect(problemsOf([pools, ingress({ "nginx.ingress.kubernetes.io/server-alias": "~^www\\d+$" }, [rule("a.example.com", "/")])]).join("\n")).toMatch(/server-alias.*must be a lower-case DNS name/);
    expect(problemsOf([pools, ingress({ "nginx.ingress.kubernetes.io/server-alias": "c.example.com" }, [rule("a.example.com", "/"), rule("b.example.com", "/")])]).join("\n")).toMatch(/needs the Ingress's rules to have one host/);
  });
  it("makes no www redirect for a host a rule defines, nor for a rule without host", () => {
    const www = { file: "www.yaml", index: 0, value: { rules: [rule("www.example.com", "/")] } };
    const docs = [pools, www, ingress({ "nginx.ingress.kubernetes.io/from-to-www-redirect": "true" }, [rule("example.com", "/"), rule(undefined, "/z")])];
    expect(warningsOf(docs).join("\n")).toMatch(/has no effect on the rule at ing.yaml\[0\]: spec.rules\[1\].*no host/);
    const { runtime } = load(docs);
    const outcome = outcomeOf(runtime, simulate(runtime, { host: "www.example.com", path: "/foo?a=1" }).decision);
    expect([outcome.status, outcome.pool, outcome.upstreamPath]).toEqual([undefined, "web", "/foo?a=1"]);
  });
  it("keeps the query and a non-default port in the www redirect", () => {
    const { runtime } = load([pools, ingress({ "nginx.ingress.kubernetes.io/from-to-www-redirect": "true" }, [rule("example.com", "/")])]);
    const outcome = outcomeOf(runtime, simulate(runtime, { host: "www.example.com:8080", path: "/a/b?q=1" }).decision);
    expect([outcome.status, outcome.location]).toEqual([308, "http://example.com:8080/a/b?q=1"]);
  });
});

describe("the prepared form apply stores beside the document", () => {
  it("carries the pool's and origin's Host settings, and paths with filters", async () => {
    const { preparedRoundTrip } = await import("./prepared");
    const hosts = parseConfig({ pools: { web: { origins: [{ url: "http://web.test", hostHeader: "o.example.com" }], preserveHost: true } }, rules: [rule("a.example.com", "/")] });
    if (!hosts.ok) throw new Error("invalid");
    const pool = preparedRoundTrip(hosts.config)?.pools.get("web");
    expect([pool?.preserveHost, pool?.origins[0]?.hostHeader]).toEqual([true, "o.example.com"]);
    const { merged } = load([pools, ingress({ "nginx.ingress.kubernetes.io/x-forwarded-prefix": "/p" }, [rule("a.example.com", "/")])]);
    const filtered = parseConfig(merged.document);
    if (!filtered.ok) throw new Error("invalid");
    const fast = preparedRoundTrip(filtered.config)!;
    const ask = (config: typeof fast) => outcomeOf(compileRuntime("v", config, { random: () => 0 }), simulate(compileRuntime("v", config, { random: () => 0 }), { host: "a.example.com", path: "/x" }).decision);
    expect(ask(fast)).toEqual(ask(filtered.config));
    expect(fast.routes[0]?.action?.filters.map((f) => f.type)).toEqual(["RequestHeaderModifier"]);
  });
});

describe("explain", () => {
  it("lists the filters an Ingress path got from its annotations", async () => {
    const { describeAction } = await import("../../cli/explain");
    const { runtime } = load([pools, ingress({ "nginx.ingress.kubernetes.io/app-root": "/app", "nginx.ingress.kubernetes.io/upstream-vhost": "in.example.svc" }, [rule("a.example.com", "/")])]);
    const { decision } = simulate(runtime, { host: "a.example.com", path: "/x" });
    if (decision.kind !== "forward") throw new Error(decision.kind);
    expect(describeAction(decision.action)).toEqual(["filter AppRoot: redirect / to /app (302)", "filter URLRewrite: rewrite Host to in.example.svc"]);
  });
});
