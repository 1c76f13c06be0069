// apply and rollback against wrangler's real local KV when something else
// writes it too, or when it holds a value no apply wrote. Each test has its
// own storage directory.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { applyCommand } from "../../src/cli/apply";
import { closeUnscopedKvs, openKv, type KvFlags } from "../../src/cli/kv-state";
import type { Io } from "../../src/cli/output";
import type { Kv } from "../../src/cli/wrangler";
import { KV_KEYS } from "../../src/core/config/stored";
import { cli, kvGet, kvPut, removeTempDirs, ROOT, tempDir, WRANGLER_TOML, writeFiles } from "./helpers";

let files: Record<string, string>;

const config = (host: string) =>
  stringify({
    pools: { web: { origins: [{ url: `https://${host}` }] } },
    rules: [{ host: "app.test", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } } }] } }],
  });

beforeAll(async () => {
  files = await writeFiles(await tempDir(), { "a.yaml": config("a.example.net"), "b.yaml": config("b.example.net"), "c.yaml": config("c.example.net") });
});
afterAll(async () => {
  await closeUnscopedKvs();
  await removeTempDirs();
});

const flags = (persist: string) => ["--persist-to", persist, "--config", WRANGLER_TOML];
const versionIn = (text: string | undefined) => (text === undefined ? undefined : (JSON.parse(text) as { version: string }).version);
const historyIn = (text: string | undefined) => (text === undefined ? [] : (JSON.parse(text) as { version: string }[]).map((e) => e.version));

function io(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } };
}

describe("two applies on the same local KV", () => {
  it("an apply that finishes while another is between reading and writing makes that one stop with a conflict (exit 3)", async () => {
    const persist = await tempDir("edge-ingress-kv-");
    expect((await cli(["apply", files["a.yaml"]!, ...flags(persist)])).code).toBe(0);
    const a = versionIn(await kvGet(KV_KEYS.config, persist));

    // The real wrangler-backed Kv, with the other apply run just before this one's first write.
    let b: string | undefined;
    const opened: Kv[] = [];
    const open = (options: KvFlags, out: Io): Kv => {
      const kv = openKv(options, out);
      opened.push(kv);
      let first = true;
      return {
        ...kv,
        async put(key, value) {
          if (first) {
            first = false;
            // Local storage admits one command at a time (it is locked while
            // open), so this one lets go before the other runs: the two then
            // interleave as two writers of a remote namespace can.
            await closeUnscopedKvs();
            const other = await cli(["apply", files["b.yaml"]!, ...flags(persist)]);
            expect(other.code, other.stderr).toBe(0);
            b = versionIn(await kvGet(KV_KEYS.config, persist));
          }
          return kv.put(key, value);
        },
      };
    };
    const failure = await applyCommand([files["c.yaml"]!], { persistTo: persist, config: WRANGLER_TOML }, io(), { open }).then(
      () => undefined,
      (error: unknown) => error,
    );
    // Reopened after it let go above, so no longer among the command's own: closed here.
    await Promise.all(opened.map((kv) => (kv as Kv & { close?: () => Promise<void> }).close?.()));
    expect(failure).toMatchObject({ exitCode: 3, message: expect.stringContaining(`changed while this apply ran (version ${a} when read, now version ${b})`) });
    expect(versionIn(await kvGet(KV_KEYS.config, persist))).toBe(b);
    expect(historyIn(await kvGet(KV_KEYS.history, persist))).toEqual([b, a]);
  }, 300_000);

  it("racing for real, no apply that reports success is lost: it is active, or in the history behind the one that is", async () => {
    const persist = await tempDir("edge-ingress-kv-");
    const runs = await Promise.all([cli(["apply", files["a.yaml"]!, ...flags(persist)]), cli(["apply", files["b.yaml"]!, ...flags(persist)])]);
    for (const run of runs) expect([0, 3], run.stderr).toContain(run.code);
    const active = versionIn(await kvGet(KV_KEYS.config, persist));
    const history = historyIn(await kvGet(KV_KEYS.history, persist));
    expect(history[0]).toBe(active);
    const succeeded = runs.filter((r) => r.code === 0).map((r) => r.stdout.match(/^applied version ([0-9a-f]{12})/m)?.[1]);
    expect(succeeded.length).toBeGreaterThan(0);
    for (const version of succeeded) expect(history).toContain(version);
    for (const run of runs.filter((r) => r.code === 3)) expect(run.stderr).toMatch(/^edge-ingress: conflict: /m);
  }, 300_000);
});

describe("a value in local KV nested 100,000 levels deep", () => {
  it("status reports it invalid, and apply overwrites it", async () => {
    const persist = await tempDir("edge-ingress-kv-");
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    await kvPut(KV_KEYS.config, `{"version":"0123456789ab","appliedAt":"2026-11-27T00:00:00Z","config":{"pools":{"web":{"origins":[{"url":${deep}}]}}}}`, persist);

    const status = await cli(["status", "--json", ...flags(persist)]);
    expect(status.code, status.stderr).toBe(1);
    expect(JSON.parse(status.stdout)).toMatchObject({ active: "invalid", version: null, problems: ["edge-ingress:config: nests deeper than 64 levels: not a config edge-ingress wrote"] });

    const apply = await cli(["apply", files["a.yaml"]!, ...flags(persist)]);
    expect(apply.code, apply.stderr).toBe(0);
    const version = apply.stdout.match(/^applied version ([0-9a-f]{12})/m)?.[1];
    expect(versionIn(await kvGet(KV_KEYS.config, persist))).toBe(version);
    expect(historyIn(await kvGet(KV_KEYS.history, persist))).toEqual([version]);
  }, 300_000);
});
