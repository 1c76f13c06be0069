import { describe, expect, it } from "vitest";
import type { Pool } from "./config/types";
import { PerPool } from "./per-pool";

const pools = new Map([["a", { name: "a" }], ["b", { name: "b" }]] as [string, Pool][]);

describe("PerPool", () => {
  it("builds each pool's value once, on first use, remembering a pool that has none", () => {
    const made: string[] = [];
    const table = new PerPool<string>(pools, (pool) => (made.push(pool.name), pool.name === "a" ? "value of a" : undefined));
    expect(made).toEqual([]);
    for (let i = 0; i < 3; i++) {
      expect(table.get("a")).toBe("value of a");
      expect(table.get("b")).toBeUndefined();
      expect(table.get("missing")).toBeUndefined();
    }
    expect(made).toEqual(["a", "b"]);
  });

  it("lists only the values built, not the pools that have none", () => {
    const table = new PerPool<string>(pools, (pool) => (pool.name === "a" ? "value of a" : undefined));
    table.get("a");
    table.get("b");
    expect([...table.built()]).toEqual([["a", "value of a"]]);
  });
});
