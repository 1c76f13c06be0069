import { describe, expect, it } from "vitest";
import type { HostGroup } from "./host-group";
import { LazyHostGroups, recordSource } from "./lazy-groups";

describe("LazyHostGroups", () => {
  it("builds a group on its first lookup only, once, and knows every host before", () => {
    const built: string[] = [];
    const source = new Map([["a.example.com", 1], ["b.example.com", 2]]);
    const groups = new LazyHostGroups(source, (host) => (built.push(host), { pattern: host } as HostGroup));
    expect(groups.size).toBe(2);
    expect(groups.has("b.example.com")).toBe(true);
    expect(built).toEqual([]);
    const first = groups.get("a.example.com");
    expect(groups.get("a.example.com")).toBe(first);
    expect(groups.get("c.example.com")).toBeUndefined();
    expect(built).toEqual(["a.example.com"]);
  });

  it("reads a parsed record by its own keys only", () => {
    const record = JSON.parse('{"a.example.com":[1],"__proto__":[2]}') as Record<string, number[]>;
    const source = recordSource(record);
    expect(source.size).toBe(2);
    expect(source.get("__proto__")).toEqual([2]);
    expect(source.get("constructor")).toBeUndefined();
    expect(source.get("toString")).toBeUndefined();
  });
});
