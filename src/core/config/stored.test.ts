import { describe, expect, it } from "vitest";
import { asStoredConfig, KV_KEYS, MAX_STORED_DEPTH, nestsDeeperThan, parseStoredConfig } from "./stored";

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

describe("nestsDeeperThan", () => {
  it("counts arrays and objects, not scalars, and takes any depth without recursion", () => {
    expect(nestsDeeperThan(1, 0)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: "x" }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: {} }] }, 3)).toBe(true);
    expect(nestsDeeperThan(JSON.parse(nested(100_000)), MAX_STORED_DEPTH)).toBe(true);
  });
});

describe("a stored value nested too deeply", () => {
  it("is refused before anything walks it, wherever the nesting is", () => {
    const text = `{"version":"0123456789ab","appliedAt":"t","config":{"pools":{"web":{"origins":[{"url":${nested(100_000)}}]}}}}`;
    expect(parseStoredConfig(text)).toEqual({
      ok: false,
      problems: [{ path: KV_KEYS.config, message: `nests deeper than ${MAX_STORED_DEPTH} levels: not a config edge-ingress wrote` }],
    });
    expect(asStoredConfig(JSON.parse(text))).toBeUndefined();
    expect(asStoredConfig({ version: "v", appliedAt: "t", config: JSON.parse(nested(MAX_STORED_DEPTH - 1)) })).toBeDefined();
  });
});
