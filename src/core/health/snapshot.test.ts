import { describe, expect, it } from "vitest";
import { describeRecord, emptySnapshot, isDown, decodeHealthSnapshot, parseHealthSnapshot, snapshotsEqual, type HealthSnapshot } from "./snapshot";

const snapshot: HealthSnapshot = {
  v: 1,
  origins: {
    "api http://a.example": { up: true, streak: 0, sinceMs: 1000 },
    "api http://b.example": { up: false, streak: 1, sinceMs: 2000, reason: "status 503" },
  },
};

describe("parseHealthSnapshot", () => {
  it("round-trips through JSON to an equal snapshot", () => {
    const parsed = parseHealthSnapshot(JSON.parse(JSON.stringify(snapshot)));
    expect(parsed).toEqual(snapshot);
    expect(parsed && snapshotsEqual(parsed, snapshot)).toBe(true);
  });

  it("reads the empty snapshot", () => {
    expect(parseHealthSnapshot(JSON.parse(JSON.stringify(emptySnapshot)))).toEqual(emptySnapshot);
  });

  it("drops unknown fields", () => {
    const parsed = parseHealthSnapshot({ v: 1, extra: true, origins: { k: { up: true, streak: 0, sinceMs: 1, future: "x" } } });
    expect(parsed).toEqual({ v: 1, origins: { k: { up: true, streak: 0, sinceMs: 1 } } });
  });

  it.each([
    ["null", null],
    ["a string", "down"],
    ["another version", { v: 2, origins: {} }],
    ["no origins", { v: 1 }],
    ["origins as a list", { v: 1, origins: [] }],
    ["up as a string", { v: 1, origins: { k: { up: "false", streak: 0, sinceMs: 1 } } }],
    ["a negative streak", { v: 1, origins: { k: { up: true, streak: -1, sinceMs: 1 } } }],
    ["a fractional streak", { v: 1, origins: { k: { up: true, streak: 0.5, sinceMs: 1 } } }],
    ["sinceMs out of the Date range", { v: 1, origins: { k: { up: true, streak: 0, sinceMs: 1e300 } } }],
    ["a numeric reason", { v: 1, origins: { k: { up: false, streak: 0, sinceMs: 1, reason: 503 } } }],
  ])("returns undefined for %s", (_, value) => {
    expect(parseHealthSnapshot(value)).toBeUndefined();
  });
});

describe("snapshotsEqual", () => {
  const copy = (): HealthSnapshot => JSON.parse(JSON.stringify(snapshot));

  it("compares by value", () => {
    expect(snapshotsEqual(snapshot, copy())).toBe(true);
    expect(snapshotsEqual(emptySnapshot, { v: 1, origins: {} })).toBe(true);
  });

  it("sees a changed field, a missing record and an extra record", () => {
    const changed = copy();
    (changed.origins as Record<string, unknown>)["api http://b.example"] = { up: false, streak: 2, sinceMs: 2000, reason: "status 503" };
    expect(snapshotsEqual(snapshot, changed)).toBe(false);
    const reason = copy();
    (reason.origins as Record<string, unknown>)["api http://b.example"] = { up: false, streak: 1, sinceMs: 2000, reason: "status 500" };
    expect(snapshotsEqual(snapshot, reason)).toBe(false);
    const fewer: HealthSnapshot = { v: 1, origins: { "api http://a.example": { up: true, streak: 0, sinceMs: 1000 } } };
    expect(snapshotsEqual(snapshot, fewer)).toBe(false);
    expect(snapshotsEqual(fewer, snapshot)).toBe(false);
    const renamed: HealthSnapshot = { v: 1, origins: { "api http://a.example": { up: true, streak: 0, sinceMs: 1000 }, other: { up: true, streak: 0, sinceMs: 1 } } };
    expect(snapshotsEqual(snapshot, renamed)).toBe(false);
  });
});

describe("isDown", () => {
  it("is true only for a record saying down", () => {
    expect(isDown(snapshot, "api http://b.example")).toBe(true);
    expect(isDown(snapshot, "api http://a.example")).toBe(false);
    expect(isDown(snapshot, "api http://unknown.example")).toBe(false);
    expect(isDown(emptySnapshot, "toString")).toBe(false);
  });
});

describe("describeRecord", () => {
  const t = Date.UTC(2026, 10, 27, 6, 0, 0);
  it.each([
    [undefined, "up (not probed yet)"],
    [{ up: true, streak: 0, sinceMs: t }, "up since 2026-11-27T06:00:00Z"],
    [{ up: true, streak: 0, sinceMs: t, reason: "status 503" }, "up since 2026-11-27T06:00:00Z"],
    [{ up: true, streak: 1, sinceMs: t, reason: "status 503" }, "up since 2026-11-27T06:00:00Z, 1 failed probe (status 503)"],
    [{ up: false, streak: 0, sinceMs: t, reason: "status 503" }, "down since 2026-11-27T06:00:00Z (status 503)"],
    [{ up: false, streak: 2, sinceMs: t + 1500, reason: "timeout after 5000 ms" }, "down since 2026-11-27T06:00:01.500Z (timeout after 5000 ms), 2 good probes"],
    [{ up: false, streak: 0, sinceMs: t }, "down since 2026-11-27T06:00:00Z"],
  ])("%j reads %s", (record, text) => {
    expect(describeRecord(record)).toBe(text);
  });
});

describe("the stamp of the run that wrote a snapshot", () => {
  it("is kept when valid; a malformed one is dropped, never the records with it", () => {
    const origins = { "web https://a.test": { up: false, streak: 0, sinceMs: 5 } };
    expect(parseHealthSnapshot({ v: 1, runAtMs: 1_800_000_000_000, origins })).toEqual({ v: 1, runAtMs: 1_800_000_000_000, origins });
    for (const runAtMs of ["1800000000000", 1.5, 1e300, null]) expect(parseHealthSnapshot({ v: 1, runAtMs, origins }), String(runAtMs)).toEqual({ v: 1, origins });
  });
});

describe("decodeHealthSnapshot", () => {
  it("reads the JSON text stored in KV, and refuses text that is not a snapshot", () => {
    const stored = JSON.stringify({ v: 1, origins: { "web https://a.test": { up: false, streak: 0, sinceMs: 5, reason: "status 503" } } });
    expect(decodeHealthSnapshot(stored)?.origins["web https://a.test"]).toEqual({ up: false, streak: 0, sinceMs: 5, reason: "status 503" });
    expect(decodeHealthSnapshot("{not json")).toBeUndefined();
    expect(decodeHealthSnapshot("[]")).toBeUndefined();
    expect(decodeHealthSnapshot('{"v":2,"origins":{}}')).toBeUndefined();
  });
});
