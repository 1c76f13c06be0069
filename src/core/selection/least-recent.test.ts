import { describe, expect, it } from "vitest";
import type { Origin } from "../config/types";
import { createPolicy } from "./index";
import { LeastRecent } from "./least-recent";
import { countPicks, makeOrigins, mulberry32, nameOf, pickNames } from "./test-helpers";

const deps = { random: () => 0.5 };
const fresh = () => createPolicy("least-recent", deps);

describe("least-recent (stride scheduling on a virtual clock)", () => {
  it("cycles equal weights in pool order", () => {
    expect(pickNames(fresh(), makeOrigins({ a: 1, b: 1, c: 1 }), 9)).toBe("a b c a b c a b c");
  });

  it("picks exactly the least recently picked candidate when weights are equal, whatever the availability", () => {
    // Reference: last pick index per origin (never = -1), lowest wins, pool order on ties.
    const policy = fresh();
    const pool = makeOrigins({ a: 1, b: 1, c: 1, d: 1, e: 1 });
    const lastPick = new Map<Origin, number>();
    const choose = mulberry32(11);
    let mismatches = 0;
    for (let i = 0; i < 5000; i++) {
      const subset = pool.filter(() => choose() < 0.5);
      const candidates = subset.length > 0 ? subset : pool;
      let expected = candidates[0] as Origin;
      for (const o of candidates) if ((lastPick.get(o) ?? -1) < (lastPick.get(expected) ?? -1)) expected = o;
      const picked = policy.pick(candidates);
      if (picked !== expected) mismatches++;
      lastPick.set(picked, i);
    }
    expect(mismatches).toBe(0);
  });

  it("interleaves weights 3:1 as `a b a a`, then `b a a a`", () => {
    // Stride a = 1, b = 3 (in thirds of a round); pass starts at -Infinity, V at 0.
    // 1: both never picked, a weighs more -> a (pass 1)   2: b never picked -> b (pass 3)
    // 3: a (1 -> 2, V 1)   4: a (2 -> 3, V 2)
    // 5: a 3 = b 3, b picked longer ago -> b (3 -> 6, V 3)   6-8: a (3 -> 4 -> 5 -> 6)
    // 9: a 6 = b 6, b older -> b (6 -> 9)   10-12: a a a
    expect(pickNames(fresh(), makeOrigins({ a: 3, b: 1 }), 12)).toBe("a b a a b a a a b a a a");
  });

  it("interleaves weights 1:2:3", () => {
    // Stride a = 6, b = 3, c = 2 (sixths of a round).
    // 1-3: never picked, by weight: c (2), b (3), a (6), V 0
    // 4: c 2 -> 4 (V 2)   5: b 3 -> 6 (V 3)   6: c 4 -> 6 (V 4)
    // 7: all at 6, oldest pick is a -> a 12 (V 6)   8: b 6 -> 9   9: c 6 -> 8
    // 10: c 8 -> 10   11: b 9 -> 12   12: c 10 -> 12   13: all at 12, a oldest -> a
    expect(pickNames(fresh(), makeOrigins({ a: 1, b: 2, c: 3 }), 13)).toBe("c b a c b c a b c c b c a");
  });

  it("holds 3:1 over the long run", () => {
    expect(countPicks(fresh(), makeOrigins({ a: 3, b: 1 }), 4000)).toEqual({ a: 3000, b: 1000 });
  });

  it("holds weights beyond 20 (rounded strides) within 1e-4", () => {
    // 20 rounds of 17,002 picks; c, never picked at first, may get one extra
    // pick up front. A coarse clock (720,720 ticks a round) misses a by 4e-4.
    const n = 340_040;
    const counts = countPicks(fresh(), makeOrigins({ a: 10_000, b: 7_001, c: 1 }), n);
    expect(Math.abs((counts.a ?? 0) / n - 10_000 / 17_002)).toBeLessThan(1e-4);
    expect(Math.abs((counts.b ?? 0) / n - 7_001 / 17_002)).toBeLessThan(1e-4);
    expect(Math.abs((counts.c ?? 0) - 20)).toBeLessThanOrEqual(1);
  });

  it("picks an origin that joins the pool next, then gives it its normal share", () => {
    const policy = fresh();
    const [a, b, c] = makeOrigins({ a: 1, b: 1, c: 1 }) as [Origin, Origin, Origin];
    expect(pickNames(policy, [a, b], 10)).toBe("a b a b a b a b a b");
    expect(pickNames(policy, [a, b, c], 9)).toBe("c a b c a b c a b");
  });

  it("picks a returning origin next, with no burst of catch-up picks", () => {
    const policy = fresh();
    const [a, b, c] = makeOrigins({ a: 1, b: 1, c: 1 }) as [Origin, Origin, Origin];
    expect(pickNames(policy, [a, b, c], 6)).toBe("a b c a b c");
    expect(pickNames(policy, [a, b], 12)).toBe("a b a b a b a b a b a b");
    // Unclamped, c would resume from its old pass and win the next 6 picks in a row.
    expect(pickNames(policy, [a, b, c], 9)).toBe("c a b c a b c a b");
  });

  it("gives a returning heavier origin its share, not the share it missed", () => {
    const policy = fresh();
    const [a, b, c] = makeOrigins({ a: 1, b: 1, c: 2 }) as [Origin, Origin, Origin];
    pickNames(policy, [a, b, c], 8);
    pickNames(policy, [a, b], 40);
    const names = pickNames(policy, [a, b, c], 12).split(" ");
    expect(names[0]).toBe("c");
    expect(names.filter((n) => n === "c")).toHaveLength(6);
  });

  it("keeps its history over a reload for unchanged keys", () => {
    const before = fresh();
    expect(pickNames(before, makeOrigins({ a: 1, b: 1, c: 1 }), 2)).toBe("a b");
    const after = createPolicy("least-recent", deps, before);
    expect(pickNames(after, makeOrigins({ a: 1, b: 1, c: 1 }), 4)).toBe("c a b c");
  });

  it("picks an origin added by a reload next", () => {
    const before = fresh();
    pickNames(before, makeOrigins({ a: 1, b: 1 }), 5);
    const after = createPolicy("least-recent", deps, before);
    expect(pickNames(after, makeOrigins({ a: 1, b: 1, c: 1 }), 4)).toBe("c b a c");
  });

  it("starts fresh when the pool switches from another policy", () => {
    const other = createPolicy("round-robin", deps);
    pickNames(other, makeOrigins({ a: 1, b: 1, c: 1 }), 2);
    expect(pickNames(createPolicy("least-recent", deps, other), makeOrigins({ a: 1, b: 1, c: 1 }), 3)).toBe("a b c");
  });

  it("rebases its clock without changing a single pick", () => {
    const rebasing = new LeastRecent(undefined, 1); // rebases on every pick
    const plain = fresh();
    const pool = makeOrigins({ a: 1, b: 2, c: 7, d: 25, e: 10_000 });
    const choose = mulberry32(5);
    let differences = 0;
    for (let i = 0; i < 20_000; i++) {
      const subset = pool.filter(() => choose() < 0.7);
      const candidates = subset.length > 0 ? subset : pool;
      if (nameOf(rebasing.pick(candidates)) !== nameOf(plain.pick(candidates))) differences++;
    }
    expect(differences).toBe(0);
  });
});
