import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../test/support/seeded-random";
import { frozenFilter } from "../filters/filter";
import type { CanaryRule } from "../policy/canary";
import { canaryAction, pickBackend, poolAction, type RouteAction } from "./action";

function weighted(...weights: [string, number][]): RouteAction {
  const base = poolAction("x", "test");
  const backends = weights.map(([name, weight]) => ({ name, pool: name, weight, filters: [] }));
  return { ...base, backends, totalWeight: weights.reduce((s, [, w]) => s + w, 0) };
}

describe("pickBackend", () => {
  it("an Ingress action always picks its pool", () => {
    expect(pickBackend(poolAction("web", "rules[0]"), () => 0.99)?.pool).toBe("web");
  });

  it("splits by weight and never picks weight 0", () => {
    const action = weighted(["a", 90], ["zero", 0], ["b", 10]);
    const random = seededRandom(7);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) {
      const name = pickBackend(action, random)?.name ?? "none";
      counts[name] = (counts[name] ?? 0) + 1;
    }
    expect(counts.zero).toBeUndefined();
    expect((counts.a ?? 0) / 10_000).toBeGreaterThan(0.88);
    expect((counts.a ?? 0) / 10_000).toBeLessThan(0.92);
  });

  it("maps each part of [0, 1) to the backend owning it", () => {
    const action = weighted(["a", 1], ["b", 3]);
    expect(pickBackend(action, () => 0)?.name).toBe("a");
    expect(pickBackend(action, () => 0.2499)?.name).toBe("a");
    expect(pickBackend(action, () => 0.25)?.name).toBe("b");
    expect(pickBackend(action, () => 0.999999)?.name).toBe("b");
  });

  it("gives nothing when every weight is 0 or there is no backend, even a lone one", () => {
    expect(pickBackend(weighted(["a", 0]), () => 0.5)).toBeUndefined();
    expect(pickBackend(weighted(), () => 0.5)).toBeUndefined();
  });
});

describe("the parts Ingress path actions share", () => {
  const allow = frozenFilter({ type: "AccessControl", stage: "access", onRequest: () => undefined, describe: () => ["allow all"] });
  const hsts = frozenFilter({ type: "ResponseHeaderModifier", describe: () => ["set a header"] });

  it("paths to the same pool with the same filters share their filter and backend lists, and keep their own rule", () => {
    const a = poolAction("web", "rules[0].http.paths[0]", "", [allow, hsts]);
    const b = poolAction("web", "rules[7].http.paths[2]", "", [allow, hsts]);
    expect(b.filters).toBe(a.filters);
    expect(b.backends).toBe(a.backends);
    expect(a.rule.source).toBe("rules[0].http.paths[0]");
    expect(b.rule.source).toBe("rules[7].http.paths[2]");
    expect(a.filters).toEqual([allow, hsts]);
    expect(Object.isFrozen(a.filters) && Object.isFrozen(a.backends) && Object.isFrozen(a.backends[0])).toBe(true);
  });

  it("a different pool, filter or order of filters gets its own list", () => {
    const base = poolAction("web", "a", "", [allow, hsts]);
    expect(poolAction("api", "b", "", [allow, hsts]).backends).not.toBe(base.backends);
    expect(poolAction("api", "b", "", [allow, hsts]).backends[0]?.pool).toBe("api");
    expect(poolAction("web", "c", "", [hsts, allow]).filters).toEqual([hsts, allow]);
    expect(poolAction("web", "c", "", [allow]).filters).toEqual([allow]);
    expect(poolAction("web", "c", "", [allow]).filters).not.toBe(base.filters);
  });

  it("a list the caller changes afterwards does not change the action's", () => {
    const filters = [allow];
    const action = poolAction("mutable", "a", "", filters);
    filters.push(hsts);
    expect(action.filters).toEqual([allow]);
  });

  it("a canary's backend is never the main backend object, even on the same pool (sticky sessions tell them apart by identity)", () => {
    const rule = { header: { name: "x-canary" } } as unknown as CanaryRule;
    const action = canaryAction("web", "web", rule, "rules[0]");
    expect(action.canary?.backend).not.toBe(action.backends[0]);
    expect(action.canary?.backend.pool).toBe("web");
    expect(action.backends).toBe(poolAction("web", "other").backends);
  });
});
