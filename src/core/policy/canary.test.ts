import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../selection/test-helpers";
import { decideCanary, type CanaryRequest, type CanaryRule } from "./canary";
import { compileCanary } from "./canary-config";
import { readCookie } from "./cookies";

const A = "nginx.ingress.kubernetes.io/";
interface Req {
  headers?: Record<string, string>;
  repeat?: number;
  expect: { backend?: string; backendDistribution?: Record<string, number>; samples?: number; tolerance?: number };
}
interface Suite {
  name: string;
  ingresses: { metadata: { name: string; annotations?: Record<string, string> }; rules: { host: string; http: { paths: { backend: { service: { name: string } } }[] } }[] }[];
  requests: (Req & { host: string })[];
}
const suites = (JSON.parse(readFileSync(new URL("../../../test/fixtures/conformance/nginx-annotations-docs-examples.json", import.meta.url), "utf8")) as Suite[]).filter((s) =>
  s.name.startsWith("docs-nginx/canary"),
);

function ruleOf(annotations: Record<string, string>): CanaryRule {
  const short = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k.replace(A, ""), v]));
  const result = compileCanary(short);
  if (!result.ok || result.rule === undefined) throw new Error(JSON.stringify(result));
  return result.rule;
}

function view(headers: Record<string, string> = {}, random: () => number = () => 0.5): CanaryRequest {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { header: (name) => lower[name.toLowerCase()] ?? null, cookie: (name) => readCookie(lower["cookie"], name), random };
}

describe("decideCanary, driven by the ingress-nginx canary examples", () => {
  it("has the examples", () => expect(suites.length).toBeGreaterThanOrEqual(8));
  for (const suite of suites) {
    it(`agrees with ${suite.name}`, () => {
      const random = mulberry32(11);
      for (const req of suite.requests) {
        const canaryIngress = suite.ingresses.find((i) => i.metadata.annotations?.[`${A}canary`] === "true" && i.rules[0]!.host === req.host)!;
        const rule = ruleOf(canaryIngress.metadata.annotations!);
        const canaryName = canaryIngress.rules[0]!.http.paths[0]!.backend.service.name;
        const mainName = suite.ingresses.find((i) => i !== canaryIngress && i.rules[0]!.host === req.host)!.rules[0]!.http.paths[0]!.backend.service.name;
        const nameOf = (target: string) => (target === "canary" ? canaryName : mainName);
        if (req.expect.backendDistribution !== undefined) {
          const samples = (req.expect.samples ?? 200) * 10;
          let canary = 0;
          for (let i = 0; i < samples; i++) if (decideCanary(rule, view(req.headers, random)).target === "canary") canary++;
          expect(Math.abs(canary / samples - req.expect.backendDistribution[canaryName]!)).toBeLessThan(req.expect.tolerance ?? 0.05);
        } else {
          for (let i = 0; i < (req.repeat ?? 1); i++) {
            expect(nameOf(decideCanary(rule, view(req.headers, random)).target), JSON.stringify(req.headers ?? {})).toBe(req.expect.backend);
          }
        }
      }
    });
  }
});

describe("decideCanary details", () => {
  const rule = ruleOf({ [`${A}canary`]: "true", [`${A}canary-by-header`]: "X-Canary", [`${A}canary-by-cookie`]: "c", [`${A}canary-weight`]: "30" });

  it("says what decided", () => {
    expect(decideCanary(rule, view({ "x-canary": "always" })).decidedBy).toBe("header");
    expect(decideCanary(rule, view({ cookie: "c=never" })).decidedBy).toBe("cookie");
    expect(decideCanary(rule, view({})).decidedBy).toBe("weight");
    expect(decideCanary(rule, { ...view({ "x-canary": "always" }), affinitized: "main" })).toEqual({ target: "main", decidedBy: "affinity" });
  });

  it("maps the draw onto 1..total as Lua's math.random(total) <= weight", () => {
    const at = (draw: number) => decideCanary(rule, view({}, () => draw)).target;
    expect([0, 0.29, 0.2999, 0.3, 0.99].map(at)).toEqual(["canary", "canary", "canary", "main", "main"]);
    const total = ruleOf({ [`${A}canary`]: "true", [`${A}canary-weight`]: "1", [`${A}canary-weight-total`]: "1000" });
    expect([0, 0.000_999, 0.001].map((d) => decideCanary(total, view({}, () => d)).target)).toEqual(["canary", "canary", "main"]);
  });

  it("never draws for weight 0 and never throws on odd views", () => {
    const zero = ruleOf({ [`${A}canary`]: "true", [`${A}canary-by-header`]: "X" });
    let draws = 0;
    expect(decideCanary(zero, view({}, () => (draws++, 0))).target).toBe("main");
    expect(draws).toBe(0);
    const throwing: CanaryRequest = {
      header: () => {
        throw new Error("boom");
      },
      cookie: () => {
        throw new Error("boom");
      },
      random: () => Number.NaN,
    };
    expect(decideCanary(rule, throwing).target).toBe("main");
  });
});

describe("compileCanary", () => {
  it("is not a canary without canary: true and nothing else", () => {
    expect(compileCanary({})).toEqual({ ok: true, rule: undefined, notes: [] });
    expect(compileCanary({ canary: "false" })).toEqual({ ok: true, rule: undefined, notes: [] });
  });

  it("refuses canary annotations without canary: true, as ingress-nginx", () => {
    const result = compileCanary({ "canary-weight": "10", "canary-by-header": "X" });
    expect(result.ok ? "" : result.problems[0]!.message).toBe('must be "true" when canary-by-header, canary-weight are set (ingress-nginx refuses a canary configured but not enabled)');
  });

  it("reports every bad value by annotation", () => {
    const result = compileCanary(
      {
        canary: "true",
        "canary-weight": "-1",
        "canary-weight-total": "10",
        "canary-by-header": "X Canary",
        "canary-by-header-pattern": "(a)\\1$",
        "canary-by-cookie": "a;b",
      },
      "app.",
    );
    expect(result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'app.canary-weight: must be a whole number of at least 0, got "-1"',
      'app.canary-weight-total: must be at least 100 (ingress-nginx treats a smaller total as 100), got "10"',
      'app.canary-by-header: must be a header name, got "X Canary"',
      expect.stringMatching(/^app\.canary-by-header-pattern: unsupported regular expression: backreferences .*, got "\(a\)\\\\1\$"$/),
      'app.canary-by-cookie: must be a cookie name, got "a;b"',
    ]);
    const orphan = compileCanary({ canary: "true", "canary-by-header-value": "beta" });
    expect(orphan.ok ? [] : orphan.problems.map((p) => p.path)).toEqual(["canary-by-header-value"]);
    expect(compileCanary({ canary: "maybe" }).ok).toBe(false);
  });

  it("notes an unused pattern and a weight above the total", () => {
    const result = compileCanary({ canary: "true", "canary-by-header": "X", "canary-by-header-value": "b", "canary-by-header-pattern": "^g", "canary-weight": "150" });
    expect(result.ok && result.notes.map((n) => n.path)).toEqual(["canary-weight", "canary-by-header-pattern"]);
  });
});
