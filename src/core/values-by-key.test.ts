import { describe, expect, it } from "vitest";
import { SharedByKey } from "./values-by-key";

describe("SharedByKey", () => {
  it("makes a key's value once and hands the same one out after", () => {
    const table = new SharedByKey<{ n: number }>(4);
    let made = 0;
    const make = () => ({ n: ++made });
    const a = table.of("a", make);
    expect(table.of("a", make)).toBe(a);
    expect(made).toBe(1);
    expect(table.of("b", make)).not.toBe(a);
    expect(made).toBe(2);
  });

  it("starts over past its bound, and what it handed out stays as it was", () => {
    const table = new SharedByKey<{ key: string }>(2);
    const a = table.of("a", () => ({ key: "a" }));
    table.of("b", () => ({ key: "b" }));
    table.of("c", () => ({ key: "c" })); // the table was full: it starts over with c
    const again = table.of("a", () => ({ key: "a" }));
    expect(again).not.toBe(a);
    expect(a).toEqual({ key: "a" });
    expect(table.of("c", () => ({ key: "other" }))).toEqual({ key: "c" });
  });
});
