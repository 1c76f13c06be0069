// The health plan as the cron run reads it: trusted only for the active
// value the version key names, and only in the form the config gives it.
import { describe, expect, it } from "vitest";
import { healthPlanText, readHealthPlan, readVersionKey, versionKeyText } from "./published";
import { parseConfig } from "./parse";

const key = readVersionKey(versionKeyText("v1", "d".repeat(64)))!;

function planWith(timeoutMs: number): string {
  const parsed = parseConfig({ pools: { web: { origins: [{ url: "https://web.example.net" }], healthCheck: { path: "/healthz" } } } });
  if (!parsed.ok) throw new Error("bad fixture");
  const text = healthPlanText("v1", key.digest, parsed.config.pools.values());
  const plan = JSON.parse(text) as { pools: { healthCheck: { timeoutMs: number } }[] };
  plan.pools[0]!.healthCheck.timeoutMs = timeoutMs;
  return JSON.stringify(plan);
}

describe("readHealthPlan", () => {
  it("reads a plan written for the version key's value", () => {
    const plan = readHealthPlan(planWith(30_000), key);
    expect(typeof plan === "object" && plan.pools.map((p) => p.name)).toEqual(["web"]);
    expect(readHealthPlan(planWith(30_000), { ...key, digest: "e".repeat(64) })).toBeUndefined();
  });

  it("refuses as malformed a probe timeout the config would refuse, which no run could fit before its deadline", () => {
    expect(readHealthPlan(planWith(60_000), key)).toBe("malformed");
    expect(readHealthPlan(planWith(0), key)).toBe("malformed");
  });
});
