// apply, rollback and status against an in-memory Kv (the wrangler path is
// covered end to end in test/cli/): what is written, when, and what is said.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readHealthPlan, readVersionKey } from "../core/config/published";
import { claimedDigest } from "../core/config/fast-stored";
import { asStoredConfig, KV_KEYS } from "../core/config/stored";
import { applyCommand } from "./apply";
import { captureIo, depsFor, MemoryKv } from "./memory-kv";
import { CliError } from "./output";
import { rollbackCommand } from "./rollback";
import { statusCommand } from "./status";

const capture = captureIo;
const deps = depsFor;

const doc = (url: string) => `pools:\n  web:\n    origins:\n      - url: ${url}\n    healthCheck: {path: /healthz}\nrules:\n  - host: app.example.com\n    http:\n      paths:\n        - {path: /, pathType: Prefix, backend: {service: {name: web}}}\n`;
let files: Record<"v1" | "v2" | "bad", string>;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edge-ingress-commands-"));
  files = { v1: join(dir, "v1.yaml"), v2: join(dir, "v2.yaml"), bad: join(dir, "bad.yaml") };
  await writeFile(files.v1, doc("https://one.example.net"));
  await writeFile(files.v2, doc("https://two.example.net"));
  await writeFile(files.bad, doc("ftp://nope"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const stored = (kv: MemoryKv, key: string) => {
  const value = JSON.parse(kv.data.get(key) ?? "null");
  // The active value also holds its digest and prepared form (fast-stored.ts); the history holds envelopes only.
  return key === KV_KEYS.config ? asStoredConfig(value) : value;
};

describe("apply", () => {
  it("writes the history and the config, then writes nothing for the same version", async () => {
    const kv = new MemoryKv();
    const io = capture();
    expect(await applyCommand([files.v1], {}, io, deps(kv))).toBe(0);
    expect(kv.writes.map((e) => e.key)).toEqual([KV_KEYS.history, KV_KEYS.config, KV_KEYS.healthPlan, KV_KEYS.version]);
    const config = stored(kv, KV_KEYS.config)!;
    expect(config.version).toMatch(/^[0-9a-f]{12}$/);
    expect(config.config.pools.web.origins).toEqual([{ url: "https://one.example.net" }]);
    expect(stored(kv, KV_KEYS.history)).toEqual([config]);
    expect(io.stdout).toContain("memory holds no config yet");
    expect(io.stdout).toContain("  + pool web (round-robin): https://one.example.net");
    expect(io.stdout.at(-1)).toBe(`applied version ${config.version} to memory`);

    const again = capture();
    expect(await applyCommand([files.v1], {}, again, deps(kv))).toBe(0);
    expect(kv.writes).toHaveLength(4);
    expect(again.stdout.at(-1)).toBe(`version ${config.version} is already active; nothing was written`);
  });

  it("writes a version key and a health plan naming the active value's digest, and writes them again when they are missing", async () => {
    const kv = new MemoryKv();
    expect(await applyCommand([files.v1], {}, capture(), deps(kv))).toBe(0);
    const version = stored(kv, KV_KEYS.config)!.version;
    const key = readVersionKey(kv.data.get(KV_KEYS.version));
    expect(key).toEqual({ version, digest: claimedDigest(kv.data.get(KV_KEYS.config)!) });
    expect(key!.digest).toMatch(/^[0-9a-f]{64}$/);
    // What apply writes is in the form the cron reads (not "malformed").
    const plan = readHealthPlan(kv.data.get(KV_KEYS.healthPlan), key);
    expect(typeof plan === "object" && plan.pools.map((p) => [p.name, p.origins.map((o) => o.url)])).toEqual([["web", ["https://one.example.net"]]]);

    // An apply that stopped before the two small keys: the same apply writes them.
    kv.data.delete(KV_KEYS.version);
    const io = capture();
    expect(await applyCommand([files.v1], {}, io, deps(kv))).toBe(0);
    expect(readVersionKey(kv.data.get(KV_KEYS.version))).toEqual(key);
    expect(io.stdout.at(-1)).toContain(`wrote ${KV_KEYS.healthPlan} and ${KV_KEYS.version} for version ${version}`);
  });

  it("writes the same version again when it is stored otherwise (by another edge-ingress version, or by hand), keeping its history and applied time", async () => {
    const kv = new MemoryKv();
    expect(await applyCommand([files.v1], {}, capture(), deps(kv))).toBe(0);
    const written = kv.data.get(KV_KEYS.config)!;
    const envelope = stored(kv, KV_KEYS.config)!;
    const history = kv.data.get(KV_KEYS.history);
    // As an earlier CLI (or a hand) would have stored it: the envelope alone, no digest, no prepared form.
    kv.data.set(KV_KEYS.config, JSON.stringify(envelope));
    const io = capture();
    expect(await applyCommand([files.v1], {}, io, deps(kv))).toBe(0);
    expect(io.stdout).toContain(`version ${envelope.version} is already active, stored otherwise than this edge-ingress stores it (by another version, or by hand): writing it again, unchanged, with this version's prepared form`);
    expect(io.stdout.at(-1)).toBe(`wrote version ${envelope.version} again to memory`);
    expect(kv.data.get(KV_KEYS.config)).toBe(written);
    expect(kv.data.get(KV_KEYS.history)).toBe(history);
    expect(readVersionKey(kv.data.get(KV_KEYS.version))?.digest).toBe(claimedDigest(written));

    const again = capture();
    const writes = kv.writes.length;
    expect(await applyCommand([files.v1], {}, again, deps(kv))).toBe(0);
    expect(again.stdout.at(-1)).toBe(`version ${envelope.version} is already active; nothing was written`);
    expect(kv.writes).toHaveLength(writes);
  });

  it("--dry-run prints the keys and values as JSON on stdout and writes nothing", async () => {
    const kv = new MemoryKv();
    await applyCommand([files.v1], {}, capture(), deps(kv));
    const before = new Map(kv.data);
    const io = capture();
    expect(await applyCommand([files.v2], { dryRun: true }, io, deps(kv))).toBe(0);
    expect(kv.data).toEqual(before);
    expect(kv.writes).toHaveLength(4);
    const writes = JSON.parse(io.stdout.join("\n")) as { key: string; value: unknown }[];
    expect(writes.map((w) => w.key)).toEqual([KV_KEYS.history, KV_KEYS.config]);
    expect(writes[0]?.value).toEqual([writes[1]?.value, stored(kv, KV_KEYS.config)]);
    expect(io.stderr).toContain("  ~ pool web: + origin https://two.example.net");
    expect(io.stderr.at(-1)).toBe("dry run: nothing was written");
  });

  it("writes a new version when only an annotation changed, and its diff names the annotation", async () => {
    const manifest = (buffering: string) =>
      `${doc("https://one.example.net")}---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: shop\n  annotations:\n` +
      `    nginx.ingress.kubernetes.io/proxy-buffering: "${buffering}"\nspec:\n  rules:\n    - host: shop.example.com\n      http:\n        paths:\n` +
      "          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n";
    const on = join(dir, "annotated-on.yaml");
    const off = join(dir, "annotated-off.yaml");
    await writeFile(on, manifest("on"));
    await writeFile(off, manifest("off"));
    const kv = new MemoryKv();
    await applyCommand([on], {}, capture(), deps(kv));
    const first = stored(kv, KV_KEYS.config);
    expect(first.config.ingresses).toEqual([{ name: "shop", annotations: { "nginx.ingress.kubernetes.io/proxy-buffering": "on" } }]);

    const io = capture();
    expect(await applyCommand([off], {}, io, deps(kv))).toBe(0);
    const second = stored(kv, KV_KEYS.config);
    expect(second.version).not.toBe(first.version);
    expect(kv.writes.filter((w) => w.key === KV_KEYS.config)).toHaveLength(2);
    expect(io.stdout).toContain('  ~ Ingress shop: annotation nginx.ingress.kubernetes.io/proxy-buffering "on" -> "off"');
    expect(io.stdout.at(-1)).toBe(`applied version ${second.version} to memory`);
  });

  it("--dry-run still prints the writes when KV cannot be read, and says the diff is against nothing", async () => {
    const kv = new MemoryKv();
    kv.before = () => {
      throw new CliError('wrangler is not logged in; run "npx wrangler login" or set CLOUDFLARE_API_TOKEN (or use --local)');
    };
    const io = capture();
    expect(await applyCommand([files.v1], { dryRun: true }, io, deps(kv))).toBe(0);
    const writes = JSON.parse(io.stdout.join("\n")) as { key: string; value: unknown }[];
    expect(writes.map((w) => w.key)).toEqual([KV_KEYS.history, KV_KEYS.config]);
    expect(writes[0]?.value).toEqual([writes[1]?.value]);
    expect(io.stderr.slice(0, 2)).toEqual([
      'warning: cannot read memory: wrangler is not logged in; run "npx wrangler login" or set CLOUDFLARE_API_TOKEN (or use --local)',
      "the diff below is against nothing, and the history shown holds only the new version (what KV holds already would follow it)",
    ]);
    expect(io.stderr).toContain("  + pool web (round-robin): https://one.example.net");
    expect(io.stderr.at(-1)).toBe("dry run: nothing was written");
    // Without --dry-run the same failure stops apply.
    await expect(applyCommand([files.v1], {}, capture(), deps(kv))).rejects.toThrow("wrangler is not logged in");
  });

  it("never opens KV for an invalid config", async () => {
    const kv = new MemoryKv();
    const io = capture();
    expect(await applyCommand([files.bad], {}, io, deps(kv))).toBe(1);
    expect(kv.opened).toBe(0);
    expect(io.stderr).toEqual([
      `${files.bad}[0]: pools.web.origins[0].url: must be an absolute http(s) URL, got "ftp://nope" (line 4)`,
      "edge-ingress: 1 problem found; KV was not changed",
    ]);
  });
});

describe("rollback", () => {
  it("makes the previous version active again and then has nothing left to roll back to", async () => {
    const kv = new MemoryKv();
    await applyCommand([files.v1], {}, capture(), deps(kv));
    const v1 = stored(kv, KV_KEYS.config);
    await applyCommand([files.v2], {}, capture(), deps(kv));
    const io = capture();
    expect(await rollbackCommand({}, io, deps(kv))).toBe(0);
    const now = stored(kv, KV_KEYS.config);
    expect({ version: now.version, config: now.config }).toEqual({ version: v1.version, config: v1.config });
    expect(stored(kv, KV_KEYS.history)).toEqual([now]);
    expect(io.stdout).toContain("  ~ pool web: - origin https://two.example.net");
    await expect(rollbackCommand({}, capture(), deps(kv))).rejects.toThrow(`nothing to roll back to in memory: it holds only version ${v1.version}`);
  });

  it("when the two small keys cannot be written, says not to roll back again and that applying that version writes them", async () => {
    const kv = new MemoryKv();
    await applyCommand([files.v1], {}, capture(), deps(kv));
    const v1 = stored(kv, KV_KEYS.config);
    await applyCommand([files.v2], {}, capture(), deps(kv));
    kv.before = (op) => {
      if (op.kind === "put" && op.key === KV_KEYS.healthPlan) throw new CliError("wrangler kv key put failed: 500");
    };
    const rolled = rollbackCommand({}, capture(), deps(kv));
    await expect(rolled).rejects.toThrow(`version ${v1.version} is active, but writing ${KV_KEYS.healthPlan} and ${KV_KEYS.version} failed (wrangler kv key put failed: 500)`);
    await expect(rolled).rejects.toThrow(`do not run rollback again for this (it would go back one more version): "edge-ingress apply" of version ${v1.version}'s files writes them`);
    // And so it does.
    kv.before = undefined;
    const io = capture();
    expect(await applyCommand([files.v1], {}, io, deps(kv))).toBe(0);
    expect(io.stdout.at(-1)).toContain(`wrote ${KV_KEYS.healthPlan} and ${KV_KEYS.version} for version ${v1.version}`);
    expect(stored(kv, KV_KEYS.config).version).toBe(v1.version);
  });

  it("apply, when they cannot be written, says to run it again, and that the cron run may probe the previous version's pools meanwhile", async () => {
    const kv = new MemoryKv();
    await applyCommand([files.v1], {}, capture(), deps(kv));
    kv.before = (op) => {
      if (op.kind === "put" && op.key === KV_KEYS.healthPlan) throw new CliError("wrangler kv key put failed: 500");
    };
    await expect(applyCommand([files.v2], {}, capture(), deps(kv))).rejects.toThrow(/until they are written the cron run may go on probing the pools of the version before; run the same command again to write them$/);
  });
});

describe("a value in KV nested 100,000 levels deep", () => {
  const deep = "[".repeat(100_000) + "]".repeat(100_000);
  const values = {
    "the whole config": `{"version":"0123456789ab","appliedAt":"2026-11-27T00:00:00Z","config":${deep}}`,
    "an origin URL": `{"version":"0123456789ab","appliedAt":"2026-11-27T00:00:00Z","config":{"pools":{"web":{"origins":[{"url":${deep}}]}}}}`,
    "an unknown field": `{"version":"0123456789ab","appliedAt":"2026-11-27T00:00:00Z","config":{"pools":{},"x":${deep}}}`,
  };

  it.each(Object.entries(values))("in %s: status reports it invalid, apply overwrites it, rollback refuses to go back to it", async (_where, value) => {
    const kv = new MemoryKv();
    kv.data.set(KV_KEYS.config, value);
    kv.data.set(KV_KEYS.history, `[${value}]`);

    const status = capture();
    // Exit 1: the active config does not validate (monitoring can alert on it).
    expect(await statusCommand({ json: true }, status, deps(kv))).toBe(1);
    expect(JSON.parse(status.stdout.join("\n"))).toMatchObject({ active: "invalid", problems: [expect.stringContaining("nests deeper than 64 levels")] });
    const text = capture();
    expect(await statusCommand({}, text, deps(kv))).toBe(1);
    expect(text.stdout).toContain("the active config does not validate:");

    const apply = capture();
    expect(await applyCommand([files.v1], {}, apply, deps(kv))).toBe(0);
    expect(apply.stderr).toContain(`warning: ${KV_KEYS.config} in memory nests deeper than 64 levels: not a config edge-ingress wrote`);
    expect(apply.stdout).toContain("  + pool web (round-robin): https://one.example.net");
    const active = stored(kv, KV_KEYS.config);
    expect(stored(kv, KV_KEYS.history)).toEqual([active]);

    await expect(rollbackCommand({}, capture(), deps(kv))).rejects.toThrow(`nothing to roll back to in memory: it holds only version ${active.version}`);
  });
});

describe("status", () => {
  it("shows the version and each origin's health as a table, and as JSON", async () => {
    const kv = new MemoryKv();
    await applyCommand([files.v1], {}, capture(), deps(kv));
    const { version, appliedAt } = stored(kv, KV_KEYS.config);
    const sinceMs = Date.parse("2026-11-27T05:00:00Z");
    kv.data.set(KV_KEYS.health, JSON.stringify({ v: 1, origins: { "web https://one.example.net": { up: false, streak: 0, sinceMs, reason: "status 503" } } }));
    const io = capture();
    expect(await statusCommand({}, io, deps(kv))).toBe(0);
    expect(io.stdout).toEqual([
      `version ${version}, applied ${appliedAt} (memory)`,
      "",
      "POOL  POLICY       ORIGIN                   WEIGHT  HEALTH",
      "web   round-robin  https://one.example.net  1       down since 2026-11-27T05:00:00Z (status 503)",
    ]);
    const json = capture();
    await statusCommand({ json: true }, json, deps(kv));
    expect(JSON.parse(json.stdout.join("\n"))).toMatchObject({
      version,
      appliedAt,
      pools: [{ name: "web", policy: "round-robin", origins: [{ url: "https://one.example.net", weight: 1, state: "down", since: "2026-11-27T05:00:00.000Z", reason: "status 503" }] }],
    });
  });

  it("says when KV holds no config", async () => {
    const io = capture();
    await statusCommand({}, io, deps(new MemoryKv()));
    expect(io.stdout).toEqual(['no config in memory; write one with "edge-ingress apply FILE..."']);
  });
});
