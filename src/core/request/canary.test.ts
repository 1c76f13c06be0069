// Native canary and affinity blocks: every problem by path, and the canary
// decision through decide() in plain Node (the same runs end to end in
// workerd in test/canary-affinity.test.ts).
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../test/support/seeded-random";
import { parseConfig } from "../config/parse";
import { compileRuntime } from "../runtime";
import { decide } from "./decide";

const pools = { web: { origins: [{ url: "http://web.test" }] }, beta: { origins: [{ url: "http://beta.test" }] } };
const rule = (extra: Record<string, unknown>) => ({ host: "a.test", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } }, ...extra }] } });

function poolFor(canary: Record<string, unknown>, headers: Record<string, string>, draws = 1): string[] {
  const parsed = parseConfig({ pools, rules: [rule({ canary: { backend: { service: { name: "beta" } }, ...canary } })] });
  expect(parsed.problems).toEqual([]);
  if (!parsed.ok) return [];
  const runtime = compileRuntime("v1", parsed.config, { random: seededRandom(1) });
  const random = seededRandom(7);
  return Array.from({ length: draws }, () => {
    const d = decide(runtime, { method: "GET", url: new URL("http://a.test/x"), headers: new Headers(headers), clientIp: undefined, requestId: "r" }, random);
    return d.kind === "forward" ? d.pool : d.kind;
  });
}

describe("a rule path's canary, decided", () => {
  it("header first, then cookie, then weight", () => {
    const canary = { header: "X-Canary", cookie: "opt", weight: 100 };
    expect(poolFor(canary, { "x-canary": "never", cookie: "opt=always" })).toEqual(["web"]);
    expect(poolFor(canary, { "x-canary": "other", cookie: "opt=never" })).toEqual(["web"]);
    expect(poolFor(canary, { "x-canary": "other", cookie: "a=b; opt=always" })).toEqual(["beta"]);
    expect(poolFor(canary, {}, 20)).toEqual(Array(20).fill("beta"));
  });

  it("a header value or pattern that does not match goes to the main pool; weight 0 never to the canary", () => {
    expect(poolFor({ header: "X-Canary", headerValue: "beta" }, { "x-canary": "Beta" })).toEqual(["web"]);
    expect(poolFor({ header: "X-Canary", headerPattern: "^beta-[0-9]+$" }, { "x-canary": "beta-7" })).toEqual(["beta"]);
    expect(poolFor({ header: "X-Canary", headerPattern: "^beta-[0-9]+$" }, { "x-canary": "beta-x" })).toEqual(["web"]);
    expect(poolFor({ weight: 0 }, {}, 50)).toEqual(Array(50).fill("web"));
  });

  it("splits by weight out of weightTotal", () => {
    const picks = poolFor({ weight: 250, weightTotal: 1000 }, {}, 400);
    const share = picks.filter((p) => p === "beta").length / picks.length;
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.35);
  });
});

describe("native canary and affinity blocks, checked", () => {
  it("reports every problem by its native path", () => {
    const parsed = parseConfig({
      pools: { ...pools, sticky: { origins: [{ url: "http://s.test" }], affinity: { cookie: { sameSite: "Loose" } } }, named: { origins: [{ url: "http://n.test" }], affinity: { cookie: { name: "a b" } } }, both: { origins: [{ url: "http://b.test" }], affinity: { header: "X", clientAddress: true } } },
      rules: [rule({ canary: { backend: { service: { name: "nope" } }, headerValue: "x", headerPattern: "(", weightTotal: 50 }, affinity: { header: "bad header" } })],
    });
    expect(parsed.problems).toEqual([
      { path: "pools.sticky.affinity.cookie.sameSite", message: 'must be "None", "Lax" or "Strict", got "Loose"' },
      { path: "pools.named.affinity.cookie.name", message: "must be a cookie name (letters, digits and !#$%&'*+-.^_`|~), got \"a b\"" },
      { path: "pools.both.affinity", message: "must set exactly one of cookie, header, clientAddress" },
      { path: "rules[0].http.paths[0].canary.backend.service.name", message: 'no pool named "nope" (pools: web, beta, sticky, named, both)' },
      { path: "rules[0].http.paths[0].canary.weightTotal", message: 'must be at least 100 (ingress-nginx treats a smaller total as 100), got "50"' },
      { path: "rules[0].http.paths[0].canary.headerValue", message: "needs header (the header whose value it tests)" },
      { path: "rules[0].http.paths[0].canary.headerPattern", message: "needs header (the header whose value it tests)" },
      { path: "rules[0].http.paths[0].affinity.header", message: 'must be a header name, got "bad header"' },
    ]);
  });
});
