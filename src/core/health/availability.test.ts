import { describe, expect, it } from "vitest";
import type { Pool, PassiveEjectionSpec } from "../config/types";
import { availableOrigins } from "./availability";
import { PassiveEjector } from "./ejection";
import { emptySnapshot, type HealthSnapshot } from "./snapshot";

const eject: PassiveEjectionSpec = { consecutiveFailures: 1, cooldownMs: 30_000, on5xx: false };

const pool: Pool = {
  name: "api",
  policy: "round-robin",
  origins: ["a", "b", "c"].map((n) => ({ url: `http://${n}.example`, weight: 1, key: `api http://${n}.example` })),
  timeoutMs: 30_000,
  uploadIdleTimeoutMs: 60_000,
  whenAllDown: { kind: "fail-open" },
  passiveEjection: eject,
};
const [a, b, c] = pool.origins as [Pool["origins"][0], Pool["origins"][0], Pool["origins"][0]];

function health(down: string[], up: string[] = []): HealthSnapshot {
  const origins: Record<string, { up: boolean; streak: number; sinceMs: number; reason?: string }> = {};
  for (const key of down) origins[key] = { up: false, streak: 0, sinceMs: 1, reason: "status 503" };
  for (const key of up) origins[key] = { up: true, streak: 1, sinceMs: 1, reason: "status 503" };
  return { v: 1, origins };
}

function ejector(...keys: string[]): PassiveEjector {
  const e = new PassiveEjector(() => 1_000);
  for (const key of keys) e.recordFailure({ url: "", weight: 1, key }, eject);
  return e;
}

describe("availableOrigins", () => {
  it("returns pool.origins itself when nothing is down or ejected", () => {
    const result = availableOrigins(pool, emptySnapshot, ejector());
    expect(result.allDown).toBe(false);
    expect(result.origins).toBe(pool.origins);
    // Up records (even with a pending failure streak) and records of other pools change nothing.
    expect(availableOrigins(pool, health(["web http://x.example"], [a.key, b.key]), ejector()).origins).toBe(pool.origins);
  });

  it("returns pool.origins itself when a tracked origin failed but is not ejected", () => {
    const e = new PassiveEjector(() => 1_000);
    e.recordFailure(a, { ...eject, consecutiveFailures: 3 });
    expect(availableOrigins(pool, emptySnapshot, e).origins).toBe(pool.origins);
  });

  it("filters origins down by health, in pool order", () => {
    expect(availableOrigins(pool, health([b.key]), ejector())).toEqual({ origins: [a, c], allDown: false });
    expect(availableOrigins(pool, health([a.key, c.key]), ejector())).toEqual({ origins: [b], allDown: false });
  });

  it("filters ejected origins", () => {
    expect(availableOrigins(pool, emptySnapshot, ejector(a.key))).toEqual({ origins: [b, c], allDown: false });
    expect(availableOrigins(pool, emptySnapshot, ejector(a.key, c.key))).toEqual({ origins: [b], allDown: false });
  });

  it("combines health and ejection", () => {
    expect(availableOrigins(pool, health([a.key]), ejector(b.key))).toEqual({ origins: [c], allDown: false });
  });

  it("never ejects the last available origin", () => {
    expect(availableOrigins(pool, health([a.key, b.key]), ejector(c.key))).toEqual({ origins: [c], allDown: false });
    // Every up origin ejected: ejection is ignored for this pick.
    const all = availableOrigins(pool, emptySnapshot, ejector(a.key, b.key, c.key));
    expect(all.allDown).toBe(false);
    expect(all.origins).toBe(pool.origins);
    const upOnes = availableOrigins(pool, health([a.key]), ejector(b.key, c.key));
    expect(upOnes).toEqual({ origins: [b, c], allDown: false });
  });

  it("says allDown with no origins when health has every origin down, ejection or not", () => {
    const down = health([a.key, b.key, c.key]);
    expect(availableOrigins(pool, down, ejector())).toEqual({ origins: [], allDown: true });
    expect(availableOrigins(pool, down, ejector(a.key))).toEqual({ origins: [], allDown: true });
  });

  it("sees an origin again once its cooldown is over", () => {
    const clock = { ms: 0 };
    const e = new PassiveEjector(() => clock.ms);
    e.recordFailure(a, eject);
    expect(availableOrigins(pool, emptySnapshot, e).origins).toEqual([b, c]);
    clock.ms += eject.cooldownMs;
    expect(availableOrigins(pool, emptySnapshot, e).origins).toBe(pool.origins);
  });
});
