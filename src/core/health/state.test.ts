import { describe, expect, it } from "vitest";
import type { ProbeResult } from "./probe";
import { nextRecord, type HealthRecord } from "./state";

const OK: ProbeResult = { ok: true };
const fail = (reason = "status 503"): ProbeResult => ({ ok: false, reason });

/** Applies probes one per "minute", starting at t=1000, and returns every intermediate record. */
function run(start: HealthRecord | undefined, probes: ProbeResult[], healthyThreshold: number, unhealthyThreshold: number): HealthRecord[] {
  const records: HealthRecord[] = [];
  let record = start;
  probes.forEach((p, i) => {
    record = nextRecord(record, p, { healthyThreshold, unhealthyThreshold }, 1000 + i * 60_000);
    records.push(record);
  });
  return records;
}

describe("nextRecord", () => {
  it("starts a new origin up", () => {
    expect(nextRecord(undefined, OK, { healthyThreshold: 2, unhealthyThreshold: 2 }, 5)).toEqual({ up: true, streak: 0, sinceMs: 5 });
    expect(nextRecord(undefined, fail(), { healthyThreshold: 2, unhealthyThreshold: 2 }, 5)).toEqual({
      up: true,
      streak: 1,
      sinceMs: 5,
      reason: "status 503",
    });
  });

  for (const threshold of [1, 2, 3]) {
    it(`goes down after ${threshold} consecutive failures and not before`, () => {
      const records = run(undefined, Array.from({ length: threshold }, (_, i) => fail(`status 50${i}`)), 2, threshold);
      records.slice(0, -1).forEach((r, i) => expect(r).toMatchObject({ up: true, streak: i + 1, reason: `status 50${i}` }));
      const last = records.at(-1);
      expect(last).toEqual({ up: false, streak: 0, sinceMs: 1000 + (threshold - 1) * 60_000, reason: `status 50${threshold - 1}` });
    });

    it(`comes back up after ${threshold} consecutive good probes and not before`, () => {
      const down: HealthRecord = { up: false, streak: 0, sinceMs: 0, reason: "timeout after 5000 ms" };
      const records = run(down, Array.from({ length: threshold }, () => OK), threshold, 2);
      records.slice(0, -1).forEach((r, i) => expect(r).toEqual({ up: false, streak: i + 1, sinceMs: 0, reason: "timeout after 5000 ms" }));
      expect(records.at(-1)).toEqual({ up: true, streak: 0, sinceMs: 1000 + (threshold - 1) * 60_000, reason: "timeout after 5000 ms" });
    });
  }

  it("resets the streak when a probe agrees with the current state", () => {
    // up: fail, ok, fail, fail (threshold 3) stays up; a third failure in a row would be needed.
    const up = run(undefined, [fail(), OK, fail(), fail()], 2, 3);
    expect(up.map((r) => [r.up, r.streak])).toEqual([
      [true, 1],
      [true, 0],
      [true, 1],
      [true, 2],
    ]);
    const down = run({ up: false, streak: 0, sinceMs: 0, reason: "status 500" }, [OK, fail("status 502"), OK, OK], 3, 2);
    expect(down.map((r) => [r.up, r.streak])).toEqual([
      [false, 1],
      [false, 0],
      [false, 1],
      [false, 2],
    ]);
    // A failure while down does not rewrite the reason the origin went down with.
    expect(down.every((r) => r.reason === "status 500")).toBe(true);
  });

  it("returns the same record for a steady up origin", () => {
    const up: HealthRecord = { up: true, streak: 0, sinceMs: 42 };
    expect(nextRecord(up, OK, { healthyThreshold: 2, unhealthyThreshold: 2 }, 99)).toBe(up);
    const upWithOldReason: HealthRecord = { up: true, streak: 0, sinceMs: 42, reason: "status 503" };
    expect(nextRecord(upWithOldReason, OK, { healthyThreshold: 2, unhealthyThreshold: 2 }, 99)).toBe(upWithOldReason);
  });

  it("returns the same record for a steady down origin, whatever the new reason", () => {
    const down: HealthRecord = { up: false, streak: 0, sinceMs: 42, reason: "status 503" };
    const after = run(down, [fail("status 500"), fail("timeout after 5000 ms"), fail("connection failed: reset")], 2, 2);
    for (const r of after) expect(r).toBe(down);
  });

  it("keeps sinceMs while the state holds and sets it at each transition", () => {
    const records = run(undefined, [OK, fail(), fail(), OK, OK], 2, 2);
    expect(records.map((r) => [r.up, r.sinceMs])).toEqual([
      [true, 1000],
      [true, 1000],
      [false, 121_000],
      [false, 121_000],
      [true, 241_000],
    ]);
  });

  it("never writes a reason key holding undefined", () => {
    const record = nextRecord({ up: false, streak: 0, sinceMs: 0 }, OK, { healthyThreshold: 1, unhealthyThreshold: 1 }, 7);
    expect(record).toEqual({ up: true, streak: 0, sinceMs: 7 });
    expect(Object.keys(record)).toEqual(["up", "streak", "sinceMs"]);
  });
});
