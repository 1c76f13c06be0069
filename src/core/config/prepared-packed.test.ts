import { describe, expect, it } from "vitest";
import { GraphReader, GraphWriter } from "./prepared-graph";
import { isPackedRecord, packGroups, packRecord, packText, PackedGroupSource, PackedStrings, PackedValues } from "./prepared-packed";
import { isPackedPools, packPools, PreparedPools } from "./prepared-pools";
import type { Pool } from "./types";

/** As KV gives it back. */
const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe("packed records", () => {
  // Keys a binary search could get wrong: prefixes of each other, upper case before lower, past the BMP, and keys an object would treat specially.
  const keys = ["b.example.com", "a.example.com", "a.example.co", "A.example.com", "\u{1F600}.example", "é.example", "__proto__", "constructor", ""];

  it("finds every key, and no other, after a JSON round trip", () => {
    const packed = roundTrip(packRecord(keys, keys.map((key) => `<${key}>`)));
    expect(isPackedRecord(packed)).toBe(true);
    const values = new PackedValues(packed, (text) => text);
    expect(values.size).toBe(keys.length);
    for (const key of keys) expect(values.get(key), key).toBe(`<${key}>`);
    for (const miss of ["c.example.com", "a.example.c", "a.example.comm", "toString", "B.example.com", "\u{1F601}.example"]) expect(values.get(miss), miss).toBeUndefined();
    expect([...values.keys()].sort()).toEqual([...keys].sort());
  });

  it("parses a value once, on its first lookup", () => {
    const parsed: string[] = [];
    const values = new PackedValues(packRecord(["x", "y"], ["1", "2"]), (text) => (parsed.push(text), Number(text)));
    expect(parsed).toEqual([]);
    expect(values.get("y")).toBe(2);
    expect(values.get("y")).toBe(2);
    expect(parsed).toEqual(["2"]);
  });

  it("holds an empty record", () => {
    const values = new PackedValues(roundTrip(packRecord([], [])), (text) => text);
    expect(values.size).toBe(0);
    expect(values.get("")).toBeUndefined();
    expect([...values.keys()]).toEqual([]);
  });

  it("gives each host group its rows as numbers", () => {
    const groups = new PackedGroupSource(roundTrip(packGroups({ "b.example": [1, 2, 0, 3, -4, 0], "a.example": [0, 1, 1, 2, 0, 7, 5, 6, 1, 2, 3, 4] })));
    expect(groups.get("a.example")).toEqual([0, 1, 1, 2, 0, 7, 5, 6, 1, 2, 3, 4]);
    expect(groups.get("b.example")).toEqual([1, 2, 0, 3, -4, 0]);
  });

  it("refuses an outline whose offsets do not span its text", () => {
    const packed = packRecord(["a", "b"], ["1", "2"]);
    expect(isPackedRecord({ ...packed, ko: [0, 1] })).toBe(false);
    expect(isPackedRecord({ ...packed, ro: [0, 1, 3] })).toBe(false);
    expect(isPackedRecord({ ...packed, k: 7 })).toBe(false);
    expect(isPackedRecord([])).toBe(false);
  });
});

describe("packed strings", () => {
  it("gives back each string, including empty ones and line breaks, and nothing outside the table", () => {
    const texts = ["/api", "", "pool-1", "a\nb", "/\u{1F600}"];
    const strings = new PackedStrings(roundTrip(packText(texts)));
    texts.forEach((text, i) => expect(strings.at(i)).toBe(text));
    expect(strings.at(texts.length)).toBe("");
    expect(strings.at(-1)).toBe("");
  });
});

describe("a prepared config's pools", () => {
  const pools: Pool[] = [
    { name: "web", policy: "round-robin", origins: [{ url: "https://web.example.net", weight: 1, key: "web https://web.example.net" }] },
    { name: "api", policy: "random", origins: [{ url: "https://api.example.net", weight: 2, key: "not what the name gives", hostHeader: "api.internal" }] },
    { name: "admin", policy: "least-recent", origins: [] },
  ] as unknown as Pool[];
  const graph = new GraphWriter();
  const packed = roundTrip(packPools(pools.map((p) => p.name), pools));
  const map = () => new PreparedPools(packed, new GraphReader(graph.nodes, () => new Set()));

  it("is a read-only Map in declaration order, each pool parsed on first lookup", () => {
    expect(isPackedPools(packed)).toBe(true);
    // Stored without what the name gives: the name, an origin key made from it.
    expect(packed.byName.r).not.toContain('"name"');
    expect(packed.byName.r).not.toContain("web https://web.example.net");
    expect(packed.byName.r).toContain("not what the name gives");
    const prepared = map();
    expect(prepared).toBeInstanceOf(Map);
    expect(prepared.size).toBe(3);
    expect(prepared.get("api")).toEqual(pools[1]);
    expect(prepared.get("api")).toBe(prepared.get("api"));
    expect(prepared.has("web")).toBe(true);
    expect(prepared.has("nope")).toBe(false);
    expect(prepared.get("nope")).toBeUndefined();
    expect([...prepared.keys()]).toEqual(["web", "api", "admin"]);
    expect([...prepared.values()]).toEqual(pools);
    expect([...prepared]).toEqual(pools.map((p) => [p.name, p]));
    expect(new Map(prepared)).toEqual(new Map(pools.map((p) => [p.name, p])));
    const seen: string[] = [];
    prepared.forEach((pool, name, self) => seen.push(`${name}:${pool.name}:${self === prepared}`));
    expect(seen).toEqual(["web:web:true", "api:api:true", "admin:admin:true"]);
    expect(() => prepared.set("x", pools[0]!)).toThrow(TypeError);
    expect(() => prepared.delete("web")).toThrow(TypeError);
    expect(() => prepared.clear()).toThrow(TypeError);
    expect(prepared.size).toBe(3);
  });

  it("refuses an outline whose names and pools differ in number", () => {
    expect(isPackedPools({ ...packed, names: packText(["web"]) })).toBe(false);
    expect(isPackedPools({ byName: packed.byName })).toBe(false);
  });
});
