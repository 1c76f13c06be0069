import { describe, expect, it } from "vitest";
import { HISTORY_LENGTH, type StoredConfig } from "../core/config/stored";
import { parseHistoryText, parseStoredText, planRollback, pushHistory } from "./history";
import { canonicalJson, configVersion } from "./version";

const entry = (version: string): StoredConfig => ({ version, appliedAt: `at-${version}`, config: { pools: {} } });

describe("configVersion", () => {
  it("ignores key order but not rule order", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"x":0,"y":1}]},"b":1}');
    expect(configVersion({ pools: {}, rules: [1, 2] })).toBe(configVersion({ rules: [1, 2], pools: {} }));
    expect(configVersion({ rules: [1, 2] })).not.toBe(configVersion({ rules: [2, 1] }));
    expect(configVersion({})).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe("history", () => {
  it("pushes the new entry first and keeps HISTORY_LENGTH entries", () => {
    const history = ["e", "d", "c", "b", "a"].map(entry);
    const next = pushHistory(entry("f"), entry("e"), history);
    expect(next.map((e) => e.version)).toEqual(["f", "e", "d", "c", "b"]);
    expect(next).toHaveLength(HISTORY_LENGTH);
  });

  it("keeps an active config that was written by other means", () => {
    expect(pushHistory(entry("new"), entry("manual"), [entry("old")]).map((e) => e.version)).toEqual(["new", "manual", "old"]);
    expect(pushHistory(entry("first"), undefined, []).map((e) => e.version)).toEqual(["first"]);
  });

  it("rolls back to the entry after the active one and drops the active one", () => {
    const plan = planRollback(entry("c"), ["c", "b", "a"].map(entry), "now");
    expect(plan).toEqual({
      ok: true,
      from: entry("c"),
      to: { version: "b", appliedAt: "now", config: { pools: {} } },
      history: [{ version: "b", appliedAt: "now", config: { pools: {} } }, entry("a")],
    });
  });

  it("ignores entries ahead of the active version: an apply that stopped between its two writes never went live", () => {
    // History written first ("new"), then the apply stopped: "b" is still active.
    const history = ["new", "b", "a"].map(entry);
    expect(planRollback(entry("b"), history, "now")).toMatchObject({ ok: true, to: { version: "a" }, history: [{ version: "a" }] });
    expect(pushHistory(entry("new"), entry("b"), history).map((e) => e.version)).toEqual(["new", "b", "a"]);
    // A rollback that stopped the same way: its target heads the history, the active one is not in it.
    expect(planRollback(entry("c"), ["b", "a"].map(entry), "now")).toMatchObject({ ok: true, to: { version: "b" }, history: [{ version: "b" }, entry("a")] });
  });

  it("from an active value that cannot be read, goes back to the last version made active and keeps every version made active", () => {
    const history = ["new", "b", "a"].map(entry);
    // "new" was written by an apply that stopped before switching; the version key still names "b".
    expect(planRollback(undefined, history, "now", { unreadable: true, lastActivated: "b" })).toEqual({
      ok: true,
      to: { version: "b", appliedAt: "now", config: { pools: {} } },
      history: [{ version: "b", appliedAt: "now", config: { pools: {} } }, entry("a")],
    });
    // No version key (an older edge-ingress): the newest entry.
    expect(planRollback(undefined, history, "now", { unreadable: true })).toMatchObject({ ok: true, to: { version: "new" }, history: [{ version: "new" }, entry("b"), entry("a")] });
    expect(pushHistory(entry("next"), undefined, history, "b").map((e) => e.version)).toEqual(["next", "b", "a"]);
  });

  it("says why there is nothing to roll back to", () => {
    expect(planRollback(entry("a"), [entry("a")], "now")).toEqual({ ok: false, reason: `it holds only version a (the history keeps the last ${HISTORY_LENGTH} applied versions)` });
    expect(planRollback(undefined, [], "now")).toMatchObject({ ok: false, reason: expect.stringContaining("it holds no config") });
  });

  it("reads stored values defensively", () => {
    expect(parseStoredText(undefined)).toEqual({ value: undefined });
    expect(parseStoredText(JSON.stringify(entry("a")))).toEqual({ value: entry("a") });
    expect(parseStoredText("{")).toMatchObject({ value: undefined, problem: expect.stringContaining("is not valid JSON") });
    expect(parseStoredText("[]").problem).toBe('is not an object with "version", "appliedAt" and "config"');
    expect(parseHistoryText(JSON.stringify([entry("a"), { version: 1 }]))).toEqual({ value: [entry("a")], problem: "has 1 malformed entries (dropped)" });
    expect(parseHistoryText("{}")).toEqual({ value: [], problem: "is not a list" });
  });
});
