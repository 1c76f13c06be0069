import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../test/support/seeded-random";
import { pickBackend, poolAction, type RouteAction } from "./action";

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
