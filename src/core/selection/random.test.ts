import { describe, expect, it } from "vitest";
import type { Origin } from "../config/types";
import { createPolicy } from "./index";
import { countingRandom, countPicks, makeOrigins, mulberry32, nameOf } from "./test-helpers";

/** A policy whose single draw per pick is `draw`. */
const drawing = (draw: number) => createPolicy("random", { random: () => draw });

describe("random (weighted, kube-proxy iptables style)", () => {
  it("gives weights 1:2:3 their shares over 60,000 seeded picks", () => {
    // Seed 42 gives a 9,895 (0.1649), b 19,940 (0.3323), c 30,165 (0.5028).
    // sigma = sqrt(p(1-p)/n): a 0.0015, b 0.0019, c 0.0020; the tolerance 0.012
    // is at least 5.8 sigma, and the seed is fixed, so this cannot flake.
    const n = 60_000;
    const counts = countPicks(createPolicy("random", { random: mulberry32(42) }), makeOrigins({ a: 1, b: 2, c: 3 }), n);
    expect(Math.abs((counts.a ?? 0) / n - 1 / 6)).toBeLessThan(0.012);
    expect(Math.abs((counts.b ?? 0) / n - 2 / 6)).toBeLessThan(0.012);
    expect(Math.abs((counts.c ?? 0) / n - 3 / 6)).toBeLessThan(0.012);
  });

  it("maps the draw onto cumulative weights", () => {
    const pool = makeOrigins({ a: 1, b: 2, c: 3 }); // a [0, 1/6), b [1/6, 1/2), c [1/2, 1)
    const at = (draw: number) => nameOf(drawing(draw).pick(pool));
    expect([0, 0.16, 0.17, 0.49, 0.51, 0.999_999].map(at)).toEqual(["a", "a", "b", "b", "c", "c"]);
  });

  it("weighs only the candidates", () => {
    const [a, , c] = makeOrigins({ a: 1, b: 2, c: 3 }) as [Origin, Origin, Origin];
    // Total 4 without b: a takes [0, 1/4).
    expect(drawing(0.24).pick([a, c])).toBe(a);
    expect(drawing(0.26).pick([a, c])).toBe(c);
  });

  it("never throws on a draw outside [0, 1): the last candidate takes it", () => {
    const pool = makeOrigins({ a: 1, b: 1 });
    for (const draw of [1, 5, Number.NaN]) expect(drawing(draw).pick(pool)).toBe(pool[1]);
    expect(drawing(-0.5).pick(pool)).toBe(pool[0]);
  });

  it("draws once per pick, and not at all for a single candidate", () => {
    const counter = countingRandom(mulberry32(1));
    const policy = createPolicy("random", { random: counter.random });
    const pool = makeOrigins({ a: 1, b: 1 });
    for (let i = 0; i < 10; i++) policy.pick(pool);
    expect(counter.calls()).toBe(10);
    for (let i = 0; i < 10; i++) policy.pick([pool[0] as Origin]);
    expect(counter.calls()).toBe(10);
  });
});
