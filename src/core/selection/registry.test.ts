import { describe, expect, it } from "vitest";
import { createPolicy, policies } from "./index";
import { makeOrigins, pickNames } from "./test-helpers";

const deps = { random: () => 0.5 };

describe("policy registry", () => {
  it("registers the three policies by name and cannot be changed", () => {
    expect(Object.keys(policies).sort()).toEqual(["least-recent", "random", "round-robin"]);
    expect(Object.isFrozen(policies)).toBe(true);
  });

  it("ignores a previous policy of another kind even when a factory is called directly", () => {
    const pool = makeOrigins({ a: 1, b: 1, c: 1 });
    const leastRecent = createPolicy("least-recent", deps);
    pickNames(leastRecent, pool, 2);
    expect(pickNames(policies["round-robin"](deps, leastRecent), pool, 3)).toBe("a b c");
    const roundRobin = createPolicy("round-robin", deps);
    pickNames(roundRobin, pool, 2);
    expect(pickNames(policies["least-recent"](deps, roundRobin), pool, 3)).toBe("a b c");
  });

  it("carries state only to the same policy", () => {
    const pool = makeOrigins({ a: 1, b: 1, c: 1 });
    const previous = createPolicy("round-robin", deps);
    pickNames(previous, pool, 1);
    expect(pickNames(createPolicy("round-robin", deps, previous), pool, 3)).toBe("b c a");
    expect(pickNames(createPolicy("least-recent", deps, previous), pool, 3)).toBe("a b c");
  });
});
