import { describe, expect, it } from "vitest";
import { decodeHealthSnapshot, type HealthSnapshot } from "./snapshot";
import { MAX_STAMP_AHEAD_MS, runStart, stamped, stillNewest } from "./stamp";

const MINUTE = 60_000;
const T = Date.UTC(2026, 10, 29, 6, 0);
const A = "web https://a.example";

/** A snapshot saying whether A is up, stamped by the run of `runAtMs` (none: unstamped). */
function snapshot(up: boolean, runAtMs?: number): HealthSnapshot {
  const origins = { [A]: { up, streak: 0, sinceMs: 1 } };
  return runAtMs === undefined ? { v: 1, origins } : { v: 1, runAtMs, origins };
}

describe("runStart", () => {
  it("counts from KV's snapshot when the isolate has none, or none newer", () => {
    const kv = snapshot(false, T);
    expect(runStart(kv, undefined, T + MINUTE)).toEqual({ kind: "run", base: kv, from: "kv" });
    expect(runStart(kv, snapshot(true, T - MINUTE), T + MINUTE)).toEqual({ kind: "run", base: kv, from: "kv" });
    expect(runStart(kv, snapshot(true, T), T + MINUTE)).toEqual({ kind: "run", base: kv, from: "kv" });
  });

  it("counts from the isolate's snapshot when KV returned an older one, or one without a stamp", () => {
    const kept = snapshot(false, T);
    expect(runStart(snapshot(true, T - MINUTE), kept, T + MINUTE)).toEqual({ kind: "run", base: kept, from: "isolate" });
    expect(runStart(snapshot(true), kept, T + MINUTE)).toEqual({ kind: "run", base: kept, from: "isolate" });
  });

  it("reads a snapshot without a stamp as before stamps existed", () => {
    const old = snapshot(false);
    expect(runStart(old, undefined, T)).toEqual({ kind: "run", base: old, from: "kv" });
  });

  it("says a run is superseded when a run of the same or a later minute has already counted", () => {
    expect(runStart(snapshot(true, T + MINUTE), undefined, T)).toEqual({ kind: "superseded", byRunAtMs: T + MINUTE, from: "kv" });
    expect(runStart(snapshot(true, T - MINUTE), snapshot(true, T), T)).toEqual({ kind: "superseded", byRunAtMs: T, from: "isolate" });
  });

  it("ignores a stamp too far ahead to be a run's, so a bad value cannot stop every run", () => {
    const ahead = T + MAX_STAMP_AHEAD_MS + 1;
    expect(runStart(snapshot(false, ahead), undefined, T)).toEqual({ kind: "run", base: snapshot(false), from: "kv", ignoredStampMs: ahead });
    const kept = snapshot(true, T - MINUTE);
    expect(runStart(snapshot(false, ahead), kept, T)).toEqual({ kind: "run", base: kept, from: "isolate", ignoredStampMs: ahead });
    expect(runStart(snapshot(false, T + MAX_STAMP_AHEAD_MS), undefined, T)).toMatchObject({ kind: "superseded" });
  });
});

describe("stillNewest", () => {
  it("is false once the isolate holds a snapshot of this run's minute or a later one", () => {
    expect(stillNewest(undefined, T)).toBe(true);
    expect(stillNewest(snapshot(true), T)).toBe(true);
    expect(stillNewest(snapshot(true, T - MINUTE), T)).toBe(true);
    expect(stillNewest(snapshot(true, T), T)).toBe(false);
    expect(stillNewest(snapshot(true, T + MINUTE), T)).toBe(false);
  });
});

describe("stamped", () => {
  it("replaces the stamp, keeps records and changes, and survives KV", () => {
    const changes = [{ key: A, up: false, atMs: 1, reason: "status 503" }];
    const written = stamped({ ...snapshot(false, T - MINUTE), changes }, T);
    expect(written).toEqual({ v: 1, runAtMs: T, origins: snapshot(false).origins, changes });
    expect(decodeHealthSnapshot(JSON.stringify(written))).toEqual(written);
  });
});
