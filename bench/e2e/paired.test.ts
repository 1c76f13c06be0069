import { describe, expect, it } from "vitest";
import { pairedRatio, tQuantile95 } from "./paired";

describe("pairedRatio", () => {
  it("finds no change in pairs that differ only by noise around 1", () => {
    const pairs = [1.02, 0.98, 1.01, 0.99, 1.03, 0.97].map((r) => ({ with: 1000 * r, without: 1000 }));
    const e = pairedRatio(pairs);
    expect(e.pairs).toBe(6);
    expect(e.ratio).toBeCloseTo(1, 2);
    expect(e.low).toBeLessThan(1);
    expect(e.high).toBeGreaterThan(1);
  });

  it("finds a consistent 10% drop, whatever each pair's own level", () => {
    const pairs = [3000, 4500, 3800, 5200, 3300].map((level, i) => ({ with: level * (0.9 + (i % 2 ? 0.01 : -0.01)), without: level }));
    const e = pairedRatio(pairs);
    expect(e.ratio).toBeCloseTo(0.9, 2);
    expect(e.high).toBeLessThan(1);
  });

  it("gives no interval from fewer than two pairs, and ignores pairs without a ratio", () => {
    expect(Number.isNaN(pairedRatio([{ with: 1, without: 1 }]).low)).toBe(true);
    expect(pairedRatio([{ with: 1, without: 0 }, { with: 2, without: 2 }, { with: 3, without: 3 }]).pairs).toBe(2);
  });

  it("uses Student's t for small samples", () => {
    expect(tQuantile95(4)).toBe(2.776);
    expect(tQuantile95(1000)).toBe(1.96);
  });
});
