import { describe, expect, it } from "vitest";
import { chooseServedConfig } from "./served";
import { parseStoredConfig } from "./stored";

const valid = (version: string, pool = "web") => ({
  version,
  appliedAt: `at-${version}`,
  config: { pools: { [pool]: { origins: [{ url: `https://${pool}.example.net` }] } } },
});
const invalid = (version: string) => ({ version, appliedAt: `at-${version}`, config: { pools: {} } });
const text = (value: unknown) => JSON.stringify(value);
const choose = (active: unknown, history?: unknown, lastActivated?: string) =>
  chooseServedConfig(
    active === undefined ? undefined : parseStoredConfig(typeof active === "string" ? active : text(active)),
    history === undefined ? undefined : typeof history === "string" ? history : text(history),
    lastActivated,
  );

describe("chooseServedConfig", () => {
  it("serves a valid active value and never looks at the history", () => {
    const choice = choose(valid("a"), "{not json");
    expect(choice.source).toBe("active");
    expect(choice.source === "active" && choice.served.version).toBe("a");
  });

  it("serves nothing when there is no active value, without falling back to the history", () => {
    expect(choose(undefined, [valid("a")])).toEqual({ source: "none", historyVersions: [] });
  });

  it("serves the newest history entry that validates when the active value does not", () => {
    const choice = choose(invalid("bad"), [invalid("bad"), { version: "x" }, valid("b"), valid("c")]);
    expect(choice.source).toBe("history");
    if (choice.source !== "history") return;
    expect(choice.served.version).toBe("b");
    expect(choice.served.appliedAt).toBe("at-b");
    expect(choice.served.config.pools.has("web")).toBe(true);
    expect(choice.active).toMatchObject({ ok: false, version: "bad" });
    expect(choice.active.problems.map((p) => p.path)).toEqual(["config.pools"]);
  });

  it("falls back from a value that is not even JSON", () => {
    const choice = choose("{not json", [valid("b")]);
    expect(choice.source === "history" && choice.served.version).toBe("b");
    expect(choice.source === "history" && choice.active.version).toBeUndefined();
  });

  it("serves nothing when no history entry validates either, and says which versions it tried", () => {
    const choice = choose(invalid("bad"), [invalid("bad"), invalid("older"), 7]);
    expect(choice).toMatchObject({ source: "none", active: { ok: false, version: "bad" }, historyVersions: ["bad", "older"] });
  });

  it("serves nothing when the history is missing or malformed", () => {
    for (const history of [undefined, null, "{not json", text({ version: "a" }), text([])]) {
      const choice = chooseServedConfig(parseStoredConfig(text(invalid("bad"))), history);
      expect(choice).toMatchObject({ source: "none", historyVersions: [] });
    }
  });

  it("never serves the versions ahead of the one the version key names: an apply that stopped before switching wrote them", () => {
    // apply of "new" wrote the history, then stopped; "b" stayed active (and in the version key), then its value was damaged.
    const choice = choose("{not json", [valid("new"), valid("b"), valid("a")], "b");
    expect(choice).toMatchObject({ source: "history", served: { version: "b" }, neverActive: ["new"] });
    // An invalid entry behind it is skipped as before; nothing ahead of it is tried.
    expect(choose("{not json", [valid("new"), invalid("b"), valid("a")], "b")).toMatchObject({ source: "history", served: { version: "a" }, neverActive: ["new"] });
    expect(choose("{not json", [valid("new"), invalid("b")], "b")).toEqual({ source: "none", active: expect.anything(), historyVersions: ["b"], neverActive: ["new"] });
    // Nothing says which versions were made active (an older edge-ingress wrote no version key, or the key names no entry): every entry counts, as before.
    for (const lastActivated of [undefined, "gone"]) {
      expect(choose("{not json", [valid("new"), valid("b")], lastActivated)).toMatchObject({ source: "history", served: { version: "new" }, neverActive: [] });
    }
  });

  it("takes the active value's own version first, when it can be read and is in the history", () => {
    // Made active (the value says so), but the version key was not written after it.
    expect(choose(invalid("b"), [valid("new"), valid("b"), valid("a")], "a")).toMatchObject({ source: "history", served: { version: "b" }, neverActive: ["new"] });
  });
});
