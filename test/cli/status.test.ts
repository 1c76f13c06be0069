// `status` tells what the edge really does when the active value in KV does
// not validate: the CLI reads wrangler's local KV, and a Worker started
// afterwards under `wrangler dev` (a new isolate) must serve exactly the
// version status names. Then the repair status suggests works.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { KV_KEYS } from "../../src/core/config/stored";
import { startOrigin, type TestOrigin } from "../support/origins";
import { cli, removeTempDirs, ROOT, startWranglerDev, tempDir, whoAnswers, WRANGLER_TOML, writeFiles, type WranglerDev } from "./helpers";

const WRANGLER = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");

let a: TestOrigin;
let dev: WranglerDev | undefined;
let persist: string;
let files: Record<string, string>;

const native = (origin: TestOrigin) =>
  stringify({
    pools: { main: { origins: [{ url: origin.url }] } },
    rules: [{ host: "app.test", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "main" } } }] } }],
  });

const kvCli = (...args: string[]) => cli([...args, "--persist-to", persist, "--config", WRANGLER_TOML]);

/** Writes a value the way a hand-run `wrangler kv key put` does, bypassing the CLI's checks. */
async function kvPutByHand(key: string, value: string): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [WRANGLER, "kv", "key", "put", key, value, "--binding", "INGRESS_KV", "--local", "--persist-to", persist, "--config", WRANGLER_TOML],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
}

beforeAll(async () => {
  a = await startOrigin("a");
  persist = await tempDir("edge-ingress-kv-");
  files = await writeFiles(await tempDir(), { "v1.yaml": native(a) });
});

afterAll(async () => {
  await dev?.stop();
  await a?.close();
  await removeTempDirs();
});

describe("status with an invalid active value in KV", () => {
  it("names the version new isolates serve from the history, which a new Worker then serves, and the repair works", async () => {
    const apply = await kvCli("apply", files["v1.yaml"]!);
    expect(apply.code, apply.stderr).toBe(0);
    const v1 = apply.stdout.match(/^applied version ([0-9a-f]{12}) /m)![1]!;
    await kvPutByHand(KV_KEYS.config, JSON.stringify({ version: "handmade", appliedAt: "2026-11-27T06:00:00.000Z", config: { pools: {} } }));

    const text = await kvCli("status");
    expect(text.code).toBe(1);
    const lines = text.stdout.split("\n");
    expect(lines.slice(0, 5)).toEqual([
      `version handmade, applied 2026-11-27T06:00:00.000Z (local storage in ${persist})`,
      "the active config does not validate:",
      '  config.pools: no pools defined in any document: add a native document with "pools:" (Ingress backends name pools as their services)',
      expect.stringMatching(new RegExp(`^new isolates serve version ${v1} \\(applied [^)]+\\) from ${KV_KEYS.history} instead; `)),
      `repair: "edge-ingress apply FILE..." (makes a fixed config active), or "edge-ingress rollback" (makes version ${v1} active again)`,
    ]);
    expect(lines).toContain(`main  round-robin  ${a.url}  1       no health check`);

    const json = await kvCli("status", "--json");
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      active: "invalid",
      version: "handmade",
      serving: { version: v1, from: "history" },
      pools: [{ name: "main", origins: [{ url: a.url }] }],
      repair: [{ command: "edge-ingress apply FILE..." }, { command: "edge-ingress rollback" }],
    });

    // A Worker started now is a new isolate: it serves what status said.
    dev = await startWranglerDev(persist);
    expect(await whoAnswers(dev.port, "app.test", "/")).toBe("a");

    const rollback = await kvCli("rollback");
    expect(rollback.code, rollback.stderr).toBe(0);
    const after = await kvCli("status", "--json");
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ active: "valid", version: v1, serving: { version: v1, from: "active" } });
  }, 180_000);
});
