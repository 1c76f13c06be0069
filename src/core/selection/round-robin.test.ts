import { describe, expect, it } from "vitest";
import type { Origin } from "../config/types";
import { createPolicy } from "./index";
import { makeOrigins, pickNames } from "./test-helpers";

const deps = { random: () => 0.5 };

describe("round-robin (nginx smooth weighted)", () => {
  it("spreads weights 3:1:1 as `a b a c a`, never `a a a b c`", () => {
    // Current weights (a,b,c), +weights then -5 on the winner:
    // (3,1,1)->a (-2,1,1); (1,2,2)->b (1,-3,2); (4,-2,3)->a (-1,-2,3);
    // (2,-1,4)->c (2,-1,-1); (5,0,0)->a (0,0,0): back to the start.
    const policy = createPolicy("round-robin", deps);
    expect(pickNames(policy, makeOrigins({ a: 3, b: 1, c: 1 }), 15)).toBe("a b a c a a b a c a a b a c a");
  });

  it("cycles equal weights in pool order", () => {
    const policy = createPolicy("round-robin", deps);
    expect(pickNames(policy, makeOrigins({ a: 1, b: 1, c: 1 }), 9)).toBe("a b c a b c a b c");
  });

  it("spreads weights 1:2:3 as `c b a c b c`", () => {
    const policy = createPolicy("round-robin", deps);
    expect(pickNames(policy, makeOrigins({ a: 1, b: 2, c: 3 }), 12)).toBe("c b a c b c c b a c b c");
  });

  it("skips an origin left out of the candidates and resumes it with its current weight untouched", () => {
    const policy = createPolicy("round-robin", deps);
    const [a, b, c] = makeOrigins({ a: 1, b: 1, c: 1 }) as [Origin, Origin, Origin];
    expect(pickNames(policy, [a, b, c], 3)).toBe("a b c"); // all current weights back to 0
    // b is down: (a,c) +1 each, total 2: (1,1)->a (-1,1); (0,2)->c (0,0); (1,1)->a (-1,1).
    expect(pickNames(policy, [a, c], 3)).toBe("a c a");
    // b returns with its 0; (a,b,c) = (-1,0,1), total 3:
    // (0,1,2)->c (0,1,-1); (1,2,0)->b (1,-1,0); (2,0,1)->a (-1,0,1): same state, so it repeats.
    expect(pickNames(policy, [a, b, c], 6)).toBe("c b a c b a");
  });

  it("keeps its position over a reload for unchanged keys", () => {
    const before = createPolicy("round-robin", deps);
    expect(pickNames(before, makeOrigins({ a: 3, b: 1, c: 1 }), 2)).toBe("a b");
    // New config version: new Origin objects with the same keys.
    const after = createPolicy("round-robin", deps, before);
    expect(pickNames(after, makeOrigins({ a: 3, b: 1, c: 1 }), 8)).toBe("a c a a b a c a");
  });

  it("does not share state with the policy it replaced", () => {
    const pool = makeOrigins({ a: 3, b: 1, c: 1 });
    const before = createPolicy("round-robin", deps);
    pickNames(before, pool, 2);
    const after = createPolicy("round-robin", deps, before);
    // The outgoing policy may still serve a retry; that must not move the new one.
    expect(pickNames(before, pool, 3)).toBe("a c a");
    expect(pickNames(after, pool, 3)).toBe("a c a");
  });

  it("starts fresh when the pool switches from another policy", () => {
    const other = createPolicy("least-recent", deps);
    pickNames(other, makeOrigins({ a: 3, b: 1, c: 1 }), 2);
    const policy = createPolicy("round-robin", deps, other);
    expect(pickNames(policy, makeOrigins({ a: 3, b: 1, c: 1 }), 5)).toBe("a b a c a");
  });

  it("gives a new origin its share at once after a reload, without starving the others", () => {
    const before = createPolicy("round-robin", deps);
    pickNames(before, makeOrigins({ a: 1, b: 1 }), 3);
    const after = createPolicy("round-robin", deps, before);
    const names = pickNames(after, makeOrigins({ a: 1, b: 1, c: 1 }), 30).split(" ");
    expect(names.slice(0, 3).sort()).toEqual(["a", "b", "c"]);
    for (const name of ["a", "b", "c"]) expect(names.filter((n) => n === name)).toHaveLength(10);
  });

  it("draws no random numbers", () => {
    const policy = createPolicy("round-robin", { random: () => { throw new Error("random called"); } });
    expect(pickNames(policy, makeOrigins({ a: 2, b: 1 }, "web"), 3)).toBe("a b a");
  });
});
