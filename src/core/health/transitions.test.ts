import { describe, expect, it } from "vitest";
import { decodeHealthSnapshot, emptySnapshot, snapshotsEqual, type HealthSnapshot } from "./snapshot";
import { nextRecord, type HealthRecord } from "./state";
import { healthTransitions, keepChanges, MAX_KEPT_CHANGES, splitOriginKey, type HealthChange } from "./transitions";

const A = "web https://a.example";
const B = "web https://b.example";
const spec = { healthyThreshold: 2, unhealthyThreshold: 2 };
const threshold = () => 2;

function snapshot(origins: Record<string, HealthRecord>): HealthSnapshot {
  return { v: 1, origins };
}

describe("healthTransitions", () => {
  it("reports a change once, when the state flips, never on the runs around it", () => {
    // Probe results for A over six runs: two failures take it down, two passes bring it back.
    const results = [false, false, false, true, true, true];
    let previous: HealthSnapshot = snapshot({ [A]: { up: true, streak: 0, sinceMs: 0 } });
    const seen: HealthChange[][] = [];
    results.forEach((ok, run) => {
      const record = nextRecord(previous.origins[A], ok ? { ok: true } : { ok: false, reason: "status 503" }, spec, run * 60_000);
      const next = snapshot({ [A]: record });
      seen.push(healthTransitions(previous, next, threshold));
      previous = next;
    });
    expect(seen).toEqual([
      [],
      [{ key: A, up: false, atMs: 60_000, reason: "status 503" }],
      [],
      [],
      [{ key: A, up: true, atMs: 240_000, reason: "2 good probes in a row" }],
      [],
    ]);
  });

  it("treats a new origin as up and a removed one as no change", () => {
    const next = snapshot({ [B]: { up: false, streak: 0, sinceMs: 5, reason: "timeout after 300 ms" } });
    const previous = snapshot({ [A]: { up: false, streak: 0, sinceMs: 1 } });
    expect(healthTransitions(previous, next, threshold)).toEqual([{ key: B, up: false, atMs: 5, reason: "timeout after 300 ms" }]);
    expect(healthTransitions(emptySnapshot, snapshot({ [A]: { up: true, streak: 0, sinceMs: 1 } }), threshold)).toEqual([]);
    expect(healthTransitions(snapshot({ [A]: { up: true, streak: 1, sinceMs: 1, reason: "x" } }), snapshot({}), threshold)).toEqual([]);
  });

  it("says 1 good probe in the singular", () => {
    const previous = snapshot({ [A]: { up: false, streak: 0, sinceMs: 1 } });
    expect(healthTransitions(previous, snapshot({ [A]: { up: true, streak: 0, sinceMs: 2 } }), () => 1)[0]?.reason).toBe("1 good probe in a row");
  });
});

describe("keepChanges", () => {
  it("puts the newest first and keeps at most MAX_KEPT_CHANGES", () => {
    const change = (i: number): HealthChange => ({ key: A, up: i % 2 === 0, atMs: i, reason: "r" });
    const earlier = Array.from({ length: MAX_KEPT_CHANGES }, (_, i) => change(100 - i));
    const kept = keepChanges([change(200), change(201)], earlier);
    expect(kept).toHaveLength(MAX_KEPT_CHANGES);
    expect(kept.slice(0, 3).map((c) => c.atMs)).toEqual([200, 201, 100]);
    expect(keepChanges([], undefined)).toEqual([]);
  });
});

describe("the change history in the stored snapshot", () => {
  it("round-trips, and does not count when comparing snapshots", () => {
    const changes = [{ key: A, up: false, atMs: 3, reason: "status 500" }];
    const stored: HealthSnapshot = { v: 1, origins: { [A]: { up: false, streak: 0, sinceMs: 3, reason: "status 500" } }, changes };
    const decoded = decodeHealthSnapshot(JSON.stringify(stored));
    expect(decoded).toEqual(stored);
    expect(snapshotsEqual(decoded!, { v: 1, origins: stored.origins })).toBe(true);
  });

  it("drops a malformed history but keeps the health state", () => {
    const origins = { [A]: { up: false, streak: 0, sinceMs: 3 } };
    expect(decodeHealthSnapshot(JSON.stringify({ v: 1, origins, changes: [{ key: 1 }] }))).toEqual({ v: 1, origins, changes: [] });
    expect(decodeHealthSnapshot(JSON.stringify({ v: 1, origins, changes: "x" }))).toEqual({ v: 1, origins, changes: [] });
    expect(decodeHealthSnapshot(JSON.stringify({ v: 1, origins }))).toEqual({ v: 1, origins });
  });
});

describe("splitOriginKey", () => {
  it("splits at the first space", () => {
    expect(splitOriginKey("web https://a.example/x y")).toEqual({ pool: "web", url: "https://a.example/x y" });
    expect(splitOriginKey("nospace")).toEqual({ pool: "", url: "nospace" });
  });
});
