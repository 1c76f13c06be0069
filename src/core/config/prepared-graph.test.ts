import { describe, expect, it } from "vitest";
import { canaryAction } from "../action/action";
import { compileFilters } from "../gateway/rules";
import { compilePattern, type CompiledPattern } from "../routing/pattern";
import { GraphReader, GraphWriter, Uncarried } from "./prepared-graph";
import type { Problem } from "./types";

const pools = new Set(["web", "canary"]);

/** `value` written, sent through JSON as KV stores it, and read back. */
function roundTrip(value: unknown): unknown {
  const writer = new GraphWriter();
  const written = writer.value(value, "value");
  const { nodes, v } = JSON.parse(JSON.stringify({ nodes: writer.nodes, v: written })) as { nodes: unknown[][]; v: unknown };
  return new GraphReader(nodes, () => pools).value(v);
}

describe("the prepared form's graph", () => {
  it("keeps what was one object one object, and what was two objects two, equal or not", () => {
    const shared = Object.freeze({ a: 1 });
    const [first, second, twin] = roundTrip([shared, shared, Object.freeze({ a: 1 })]) as object[];
    expect(first).toBe(second);
    expect(twin).not.toBe(first);
    expect(twin).toEqual(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it("keeps a canary's backend apart from the main one even when they name the same pool (sticky affinity compares them by identity)", () => {
    const rule = { weight: 10, weightTotal: 100 };
    const action = roundTrip(canaryAction("web", "web", rule, "rules[0].http.paths[0]")) as ReturnType<typeof canaryAction>;
    expect(action.canary?.backend).toEqual(action.backends[0]);
    expect(action.canary?.backend).not.toBe(action.backends[0]);
  });

  it("keeps undefined fields, a field named __proto__, and key order", () => {
    const back = roundTrip({ b: undefined, ["__proto__"]: "x", a: [undefined, null] }) as Record<string, unknown>;
    expect(Object.keys(back)).toEqual(["b", "__proto__", "a"]);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back).toStrictEqual({ b: undefined, ["__proto__"]: "x", a: [undefined, null] });
  });

  it("builds a pattern and filters again from what they were compiled from, each filter its own object", () => {
    const pattern = compilePattern("^a+$") as CompiledPattern;
    const problems: Problem[] = [];
    const ctx = { pools, matchPathTypes: ["PathPrefix"], namespace: "default", onBackendRef: false };
    const raw = { type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-a", value: "1" }] } };
    const [one, two] = [compileFilters([raw], "a", ctx, problems), compileFilters([raw], "b", ctx, problems)];
    const writer = new GraphWriter();
    writer.value([pattern, one, two], "value");
    // The same settings on two paths are one node of settings, and two filters.
    expect(writer.nodes.filter((n) => n[0] === 4)).toHaveLength(2);
    expect(writer.nodes.filter((n) => JSON.stringify(n).includes('"x-a"'))).toHaveLength(1);
    const [p, a, b] = roundTrip([pattern, one, two]) as [CompiledPattern, typeof one, typeof two];
    expect([p.test("aaa"), p.test("ab")]).toEqual([true, false]);
    expect(a[0]?.describe()).toEqual(one[0]?.describe());
    expect(a[0]).not.toBe(b[0]);
    expect(problems).toEqual([]);
  });

  it("refuses what it cannot carry, saying where", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const writer = () => new GraphWriter();
    expect(() => writer().value({ a: [cycle] }, "x")).toThrow(new Uncarried("a cycle at x.a.0.self"));
    expect(() => writer().value({ a: Number.POSITIVE_INFINITY }, "x")).toThrow(Uncarried);
    expect(() => writer().value({ get a() { return 1; } }, "x")).toThrow(/computed property a at x/);
    expect(() => writer().value([1, , 2], "x")).toThrow(/holes/);
    expect(() => writer().value(new Uint8Array(2), "x")).toThrow(/Uint8Array without a recipe/);
  });
});
