import { describe, expect, it } from "vitest";
import type { Origin, PassiveEjectionSpec } from "../config/types";
import { PassiveEjector } from "./ejection";

const spec: PassiveEjectionSpec = { consecutiveFailures: 3, cooldownMs: 30_000, on5xx: false };
const a: Origin = { url: "http://a.example", weight: 1, key: "api http://a.example" };
const b: Origin = { url: "http://b.example", weight: 1, key: "api http://b.example" };

function setup() {
  const clock = { ms: 1_000_000 };
  return { clock, ejector: new PassiveEjector(() => clock.ms) };
}

describe("PassiveEjector", () => {
  it("ejects after consecutiveFailures failures in a row, not before", () => {
    const { ejector } = setup();
    ejector.recordFailure(a, spec);
    ejector.recordFailure(a, spec);
    expect(ejector.isEjected(a.key)).toBe(false);
    expect(ejector.anyEjected()).toBe(false);
    ejector.recordFailure(a, spec);
    expect(ejector.isEjected(a.key)).toBe(true);
    expect(ejector.anyEjected()).toBe(true);
    expect(ejector.isEjected(b.key)).toBe(false);
  });

  it("ejects at once with consecutiveFailures 1", () => {
    const { ejector } = setup();
    ejector.recordFailure(a, { ...spec, consecutiveFailures: 1 });
    expect(ejector.isEjected(a.key)).toBe(true);
  });

  it("lets the origin back after the cooldown, with its failure count reset", () => {
    const { clock, ejector } = setup();
    for (let i = 0; i < 3; i++) ejector.recordFailure(a, spec);
    clock.ms += spec.cooldownMs - 1;
    expect(ejector.isEjected(a.key)).toBe(true);
    clock.ms += 1;
    expect(ejector.isEjected(a.key)).toBe(false);
    expect(ejector.anyEjected()).toBe(false);
    // One failure after the cooldown does not re-eject: it takes a full run again.
    ejector.recordFailure(a, spec);
    ejector.recordFailure(a, spec);
    expect(ejector.isEjected(a.key)).toBe(false);
    ejector.recordFailure(a, spec);
    expect(ejector.isEjected(a.key)).toBe(true);
  });

  it("resets the count after the cooldown even when nobody asked in between", () => {
    const { clock, ejector } = setup();
    for (let i = 0; i < 3; i++) ejector.recordFailure(a, spec);
    clock.ms += spec.cooldownMs;
    ejector.recordFailure(a, spec);
    expect(ejector.isEjected(a.key)).toBe(false);
  });

  it("neither counts nor extends the cooldown with failures while ejected", () => {
    const { clock, ejector } = setup();
    for (let i = 0; i < 3; i++) ejector.recordFailure(a, spec);
    clock.ms += 20_000;
    for (let i = 0; i < 5; i++) ejector.recordFailure(a, spec);
    clock.ms += 10_000;
    expect(ejector.isEjected(a.key)).toBe(false);
  });

  it("resets the count on a success", () => {
    const { ejector } = setup();
    ejector.recordFailure(a, spec);
    ejector.recordFailure(a, spec);
    ejector.recordSuccess(a);
    ejector.recordFailure(a, spec);
    ejector.recordFailure(a, spec);
    expect(ejector.isEjected(a.key)).toBe(false);
    ejector.recordFailure(a, spec);
    expect(ejector.isEjected(a.key)).toBe(true);
  });

  it("keeps entries only for origins that failed since their last success", () => {
    const { clock, ejector } = setup();
    ejector.recordSuccess(a);
    expect(ejector.size).toBe(0);
    ejector.recordFailure(a, spec);
    ejector.recordFailure(b, { ...spec, consecutiveFailures: 1 });
    expect(ejector.size).toBe(2);
    ejector.recordSuccess(a);
    expect(ejector.size).toBe(1);
    clock.ms += spec.cooldownMs;
    expect(ejector.isEjected(b.key)).toBe(false);
    expect(ejector.size).toBe(0);
  });

  it("tells the listener of each ejection once, with its end", () => {
    const clock = { ms: 1_000_000 };
    const heard: [string, number][] = [];
    const ejector = new PassiveEjector(() => clock.ms, (key, untilMs) => heard.push([key, untilMs]));
    for (let i = 0; i < 5; i++) ejector.recordFailure(a, spec);
    expect(heard).toEqual([[a.key, 1_000_000 + spec.cooldownMs]]);
    clock.ms += spec.cooldownMs;
    for (let i = 0; i < 3; i++) ejector.recordFailure(a, spec);
    expect(heard).toHaveLength(2);
  });

  it("stays bounded when many distinct origins fail", () => {
    const { ejector } = setup();
    for (let i = 0; i < 10_000; i++) ejector.recordFailure({ url: `http://o${i}.example`, weight: 1, key: `p http://o${i}.example` }, spec);
    expect(ejector.size).toBeLessThanOrEqual(4096);
    expect(ejector.size).toBeGreaterThan(0);
  });
});
