// `status` when the active value in KV does not validate: it must say what the
// edge really does (the same choice the Worker makes) and how to repair it.
import { describe, expect, it } from "vitest";
import { KV_KEYS } from "../core/config/stored";
import type { Io } from "./output";
import { statusCommand } from "./status";
import type { Kv } from "./wrangler";

const pool = (url: string) => ({ web: { origins: [{ url }] } });
const entry = (version: string, config: unknown) => ({ version, appliedAt: `2026-11-2${version.length}T06:00:00.000Z`, config });
const good = (version: string, url: string) => entry(version, { pools: pool(url) });
const APPLY = { command: "edge-ingress apply FILE...", does: "makes a fixed config active" };
const NO_POOLS = 'config.pools: no pools defined in any document: add a native document with "pools:" (Ingress backends name pools as their services)';

function kvWith(values: Record<string, unknown>): Kv {
  const data = new Map(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
  return {
    where: "memory",
    get: async (key) => data.get(key),
    getMany: async (keys) => keys.map((k) => data.get(k)),
    put: async () => {
      throw new Error("status never writes");
    },
  };
}

async function status(values: Record<string, unknown>, json = false) {
  const stdout: string[] = [];
  const io: Io = { out: (l) => stdout.push(l), err: () => undefined, cwd: "/", env: {} };
  const code = await statusCommand(json ? { json: true } : {}, io, { open: () => kvWith(values) });
  return { code, stdout, json: json ? JSON.parse(stdout.join("\n")) : undefined };
}

describe("status with an invalid active value", () => {
  it("says it is invalid, which version new isolates serve from the history, and how to repair", async () => {
    const bad = entry("bad", { pools: {} });
    const values = { [KV_KEYS.config]: bad, [KV_KEYS.history]: [bad, good("v2", "https://two.example.net"), good("v1", "https://one.example.net")] };
    const text = await status(values);
    expect(text.code).toBe(1);
    expect(text.stdout).toEqual([
      `version bad, applied ${bad.appliedAt} (memory)`,
      "the active config does not validate:",
      `  ${NO_POOLS}`,
      `new isolates serve version v2 (applied ${values[KV_KEYS.history][1]!.appliedAt}) from ${KV_KEYS.history} instead; isolates already running keep the config they were serving`,
      'repair: "edge-ingress apply FILE..." (makes a fixed config active), or "edge-ingress rollback" (makes version v2 active again)',
      "",
      "POOL  POLICY       ORIGIN                   WEIGHT  HEALTH",
      "web   round-robin  https://two.example.net  1       no health check",
    ]);

    const { json, code } = await status(values, true);
    expect(code).toBe(1);
    expect(json).toMatchObject({
      version: "bad",
      active: "invalid",
      problems: [NO_POOLS],
      serving: { version: "v2", appliedAt: values[KV_KEYS.history][1]!.appliedAt, from: "history" },
      pools: [{ name: "web", origins: [{ url: "https://two.example.net" }] }],
      repair: [APPLY, { command: "edge-ingress rollback", does: "makes version v2 active again" }],
    });
  });

  it("does not offer rollback when the version it would restore does not validate", async () => {
    const bad = entry("bad", { pools: {} });
    const values = { [KV_KEYS.config]: bad, [KV_KEYS.history]: [bad, entry("older", { pools: {} }), good("v1", "https://one.example.net")] };
    const { json } = await status(values, true);
    expect(json).toMatchObject({ serving: { version: "v1", from: "history" }, repair: [APPLY] });
  });

  it("says new isolates answer 503 when no version in the history validates either", async () => {
    const values = { [KV_KEYS.config]: "{not json", [KV_KEYS.history]: [entry("old", { pools: {} })] };
    const text = await status(values);
    expect(text.code).toBe(1);
    expect(text.stdout).toEqual([
      "an active config without a version (memory)",
      "the active config does not validate:",
      expect.stringMatching(/^ {2}edge-ingress:config: is not valid JSON: /),
      `no version in ${KV_KEYS.history} validates either: new isolates answer 503 (no-config); isolates already running keep the config they were serving`,
      'repair: "edge-ingress apply FILE..." (makes a fixed config active)',
    ]);
    const { json } = await status(values, true);
    expect(json).toMatchObject({ version: null, active: "invalid", serving: null, pools: [], repair: [APPLY] });
  });

  it("names the version new isolates serve, skipping the versions an apply wrote to the history but never made active", async () => {
    // apply of "new" wrote the history and stopped; the version key still names v1; the active value was then damaged.
    const values = {
      [KV_KEYS.config]: "{not json",
      [KV_KEYS.history]: [good("new", "https://two.example.net"), good("v1", "https://one.example.net")],
      [KV_KEYS.version]: { version: "v1", digest: "" },
    };
    const text = await status(values);
    expect(text.stdout.slice(3, 5)).toEqual([
      `new isolates serve version v1 (applied ${values[KV_KEYS.history][1]!.appliedAt}) from ${KV_KEYS.history} instead; isolates already running keep the config they were serving`,
      `new isolates skip version new, first in ${KV_KEYS.history} but not known to have been made active: ${KV_KEYS.version} names an older one (an apply or rollback stopped before switching, or before writing that key)`,
    ]);
    const { json } = await status(values, true);
    expect(json).toMatchObject({ serving: { version: "v1", from: "history" }, neverActive: ["new"], pools: [{ origins: [{ url: "https://one.example.net" }] }] });
  });

  it("reports a valid active value as served, with exit code 0", async () => {
    const v1 = good("v1", "https://one.example.net");
    const { json, code } = await status({ [KV_KEYS.config]: v1, [KV_KEYS.history]: [v1] }, true);
    expect(code).toBe(0);
    expect(json).toMatchObject({ version: "v1", active: "valid", serving: { version: "v1", from: "active" } });
    expect(json.problems).toBeUndefined();
    expect(json.repair).toBeUndefined();
  });
});
