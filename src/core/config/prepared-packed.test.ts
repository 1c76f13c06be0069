import { describe, expect, it } from "vitest";
import { GraphReader, GraphWriter } from "./prepared-graph";
import { isPackedRecord, LazyWriter, lazyItemsOf, packRecord, packText, PackedValues, type PackedRecord } from "./prepared-packed";
import { isPackedPools, packPools, PreparedPools } from "./prepared-pools";
import type { Pool } from "./types";

/** As KV gives it back. */
const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const itemsOf = (lazy: LazyWriter) => lazyItemsOf(new TextEncoder().encode(lazy.text()), 0);

/** A record of `values` by `keys`, after some other record's items, read back as a Worker reads it. */
function packed<T>(keys: readonly string[], values: readonly T[]): { record: PackedRecord; lazy: LazyWriter } {
  const lazy = new LazyWriter();
  packRecord(["before"], [{ other: "items first" }], lazy);
  const record = roundTrip(packRecord(keys, values, lazy));
  packRecord(["after"], [["and after"]], lazy);
  return { record, lazy };
}

describe("packed records", () => {
  // Keys a binary search could get wrong: prefixes of each other, upper case before lower, past the BMP, and keys an object would treat specially.
  const keys = ["b.example.com", "a.example.com", "a.example.co", "A.example.com", "\u{1F600}.example", "é.example", "__proto__", "constructor", ""];

  it("finds every key, and no other, its item decoded from bytes, text beyond ASCII included", () => {
    const { record, lazy } = packed(keys, keys.map((key) => ({ key, text: `<${key}> "quoted" \\ ☕` })));
    expect(JSON.parse(lazy.text())).toHaveLength(keys.length + 2);
    expect(isPackedRecord(record)).toBe(true);
    const values = new PackedValues(record, itemsOf(lazy), (item) => item as { key: string; text: string });
    expect(values.size).toBe(keys.length);
    for (const key of keys) expect(values.get(key), key).toEqual({ key, text: `<${key}> "quoted" \\ ☕` });
    for (const miss of ["c.example.com", "a.example.c", "a.example.comm", "toString", "B.example.com", "\u{1F601}.example", "before", "after"]) expect(values.get(miss), miss).toBeUndefined();
    expect([...values.keys()].sort()).toEqual([...keys].sort());
  });

  it("parses an item once, on its first lookup, and not to say whether it is there", () => {
    const built: unknown[] = [];
    const { record, lazy } = packed(["x", "y"], [1, 2]);
    const values = new PackedValues(record, itemsOf(lazy), (item) => (built.push(item), Number(item)));
    expect(values.has("x")).toBe(true);
    expect(values.has("z")).toBe(false);
    expect(built).toEqual([]);
    expect(values.get("y")).toBe(2);
    expect(values.get("y")).toBe(2);
    expect(built).toEqual([2]);
  });

  it("answers undefined for an item it cannot read, and reads it again next time", () => {
    const { record, lazy } = packed(["x"], [1]);
    const broken = { parse: () => JSON.parse("{") as unknown };
    expect(new PackedValues(record, broken, (item) => item).get("x")).toBeUndefined();
    const refused = new PackedValues(record, itemsOf(lazy), () => undefined);
    expect(refused.get("x")).toBeUndefined();
  });

  it("holds an empty record", () => {
    const { record, lazy } = packed([], []);
    const values = new PackedValues(record, itemsOf(lazy), (item) => item);
    expect(values.size).toBe(0);
    expect(values.get("")).toBeUndefined();
    expect([...values.keys()]).toEqual([]);
  });

  it("refuses an outline whose offsets do not span its keys", () => {
    const { record } = packed(["a", "b"], [1, 2]);
    expect(isPackedRecord({ ...record, ko: [0, 1] })).toBe(false);
    expect(isPackedRecord({ ...record, at: [1] })).toBe(false);
    expect(isPackedRecord({ ...record, k: 7 })).toBe(false);
    expect(isPackedRecord([])).toBe(false);
  });
});

describe("packed text", () => {
  it("gives each string's bounds", () => {
    const texts = ["/api", "", "pool-1", "a\nb", "/\u{1F600}"];
    const { text, at } = packText(texts);
    texts.forEach((t, i) => expect(text.slice(at[i], at[i + 1])).toBe(t));
  });
});

describe("a prepared config's pools", () => {
  const pools: Pool[] = [
    { name: "web", policy: "round-robin", origins: [{ url: "https://web.example.net", weight: 1, key: "web https://web.example.net" }] },
    { name: "api", policy: "random", origins: [{ url: "https://api.example.net", weight: 2, key: "not what the name gives", hostHeader: "api.internal" }] },
    { name: "admin", policy: "least-recent", origins: [] },
  ] as unknown as Pool[];
  const graph = new GraphWriter();
  const lazy = new LazyWriter();
  const packed = roundTrip(packPools(pools.map((p) => p.name), pools, lazy));
  const map = () => new PreparedPools(packed, itemsOf(lazy), new GraphReader(graph.nodes, () => new Set()));

  it("is a read-only Map in declaration order, each pool parsed on first lookup", () => {
    expect(isPackedPools(packed)).toBe(true);
    // Stored without what the name gives: the name, an origin key made from it.
    expect(lazy.text()).not.toContain('"name"');
    expect(lazy.text()).not.toContain("web https://web.example.net");
    expect(lazy.text()).toContain("not what the name gives");
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
