// The stored envelope's format number: what an older writer wrote is read as
// format 1, and a format newer than this code knows is refused by name, so an
// older Worker keeps serving what it can read instead of misreading it.
import { describe, expect, it } from "vitest";
import { asStoredConfig, formatOf, KV_KEYS, parseStoredConfig, STORED_FORMAT } from "./stored";

const config = {
  pools: { web: { origins: [{ url: "https://web.example.net" }] } },
  rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } } }] } }],
};
const envelope = (extra: object = {}) => JSON.stringify({ version: "0123456789ab", appliedAt: "2026-11-27T06:00:00.000Z", config, ...extra });

describe("the stored format", () => {
  it("is 1 today, and a value without one (written before formats were numbered) reads as format 1", () => {
    expect(STORED_FORMAT).toBe(1);
    expect(parseStoredConfig(envelope())).toMatchObject({ ok: true, version: "0123456789ab" });
    expect(formatOf(asStoredConfig(JSON.parse(envelope()))!)).toBe(1);
    expect(parseStoredConfig(envelope({ format: 1 }))).toMatchObject({ ok: true, version: "0123456789ab" });
  });

  it("a newer format is refused with a message that names both formats and the upgrade", () => {
    const parsed = parseStoredConfig(envelope({ format: STORED_FORMAT + 1 }));
    expect(parsed).toEqual({
      ok: false,
      version: "0123456789ab",
      problems: [
        {
          path: `${KV_KEYS.config}.format`,
          message: `is ${STORED_FORMAT + 1}: written by a newer edge-ingress than this one, which reads formats up to ${STORED_FORMAT}; upgrade it ("npm update edge-ingress", then "wrangler deploy" for the Worker)`,
        },
      ],
    });
  });

  it("keeps the format of an envelope it passes on (history entries), and refuses one that is not a whole number from 1", () => {
    expect(asStoredConfig(JSON.parse(envelope({ format: 7 })))).toMatchObject({ format: 7 });
    for (const format of [0, -1, 1.5, "2", null]) {
      expect(asStoredConfig(JSON.parse(envelope({ format }))), String(format)).toBeUndefined();
      expect(parseStoredConfig(envelope({ format })).ok).toBe(false);
    }
  });
});
