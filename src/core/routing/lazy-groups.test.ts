import { describe, expect, it } from "vitest";
import type { HostGroup } from "./host-group";
import { LazyHostGroups } from "./lazy-groups";

describe("LazyHostGroups", () => {
  it("builds a group on its first lookup only, once, and knows every host before", () => {
    const built: string[] = [];
    const groups = new LazyHostGroups();
    for (const host of ["a.example.com", "b.example.com"]) groups.defer(host, () => (built.push(host), { pattern: host } as HostGroup));
    expect(groups.size).toBe(2);
    expect(groups.has("b.example.com")).toBe(true);
    expect(built).toEqual([]);
    const first = groups.get("a.example.com");
    expect(groups.get("a.example.com")).toBe(first);
    expect(groups.get("c.example.com")).toBeUndefined();
    expect(built).toEqual(["a.example.com"]);
  });
});
