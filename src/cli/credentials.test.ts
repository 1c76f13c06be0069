// Credentials in health-check headers as the CLI prints them: validate warns
// about plain text and recommends a secret, apply's diff and --dry-run JSON
// never show a credential value (the real value is still what is written).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { KV_KEYS } from "../core/config/stored";
import { applyCommand } from "./apply";
import type { Io } from "./output";
import { validateCommand } from "./validate";
import { MemoryKv } from "./memory-kv";

const PLAIN = "Bearer plain-token-0001";
const KEY = "k3y-plain";

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), cwd: "/", env: {} };
}

const config = (headers: Record<string, unknown>) =>
  stringify({
    pools: { web: { origins: [{ url: "https://web.example.net" }], healthCheck: { path: "/healthz", headers } } },
    defaultBackend: { service: { name: "web" } },
  });

let dir: string;
const files: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edge-ingress-credentials-"));
  const contents: Record<string, string> = {
    plain: config({ Authorization: PLAIN, "X-Probe": "edge" }),
    secret: config({ Authorization: { secret: "HEALTH_TOKEN" }, "X-Probe": "edge", "X-Api-Key": KEY }),
    host: config({ Host: "web.internal" }),
  };
  for (const [name, text] of Object.entries(contents)) {
    files[name] = join(dir, `${name}.yaml`);
    await writeFile(files[name]!, text);
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("credentials in health-check headers", () => {
  it("validate warns about a plain-text credential and recommends a secret, without printing it", async () => {
    const io = capture();
    expect(await validateCommand([files.plain!], {}, io)).toBe(0);
    expect(io.stderr).toEqual([
      `warning: ${files.plain}[0]: pools.web.healthCheck.headers.Authorization: holds a credential in plain text, which is stored as is in KV and in every copy of this file; ` +
        "keep it in a Worker secret instead: `npx wrangler secret put WEB_AUTHORIZATION`, then write {secret: WEB_AUTHORIZATION} (line 8)",
    ]);
    const clean = capture();
    expect(await validateCommand([files.secret!], {}, clean)).toBe(0);
    expect(clean.stderr.filter((l) => l.includes("Authorization"))).toEqual([]);
  });

  it("validate refuses a Host header and says why", async () => {
    const io = capture();
    expect(await validateCommand([files.host!], {}, io)).toBe(1);
    expect(io.stderr[0]).toMatch(/pools\.web\.healthCheck\.headers\.Host: cannot be set on a probe: Workers send the host of the URL they fetch/);
  });

  it("diffs against a config stored before header checks existed, as the Worker reads it", async () => {
    const kv = new MemoryKv();
    const legacy = { pools: { web: { origins: [{ url: "https://web.example.net" }], healthCheck: { path: "/healthz", headers: { Host: "web.internal", Authorization: PLAIN } } } } };
    kv.data.set(KV_KEYS.config, JSON.stringify({ version: "0123456789ab", appliedAt: "2026-11-01T00:00:00.000Z", config: legacy }));
    const io = capture();
    expect(await applyCommand([files.secret!], { dryRun: true }, io, { open: () => kv, nowMs: () => 0 })).toBe(0);
    expect(io.stderr.filter((l) => l.includes("does not validate"))).toEqual([]);
    expect(io.stderr).toContain("  ~ pool web: - healthCheck.headers.Host");
    expect(io.stderr).toContain("  ~ pool web: healthCheck.headers.Authorization <redacted, 23 chars> -> {secret: HEALTH_TOKEN}");
  });

  it("apply's diff and --dry-run show secrets by name and credentials redacted; KV gets the real values", async () => {
    const kv = new MemoryKv();
    const deps = { open: () => kv, nowMs: () => Date.parse("2026-11-28T06:00:00Z") };
    const first = capture();
    expect(await applyCommand([files.plain!], {}, first, deps)).toBe(0);
    expect(first.stdout).toContain("  + pool web (round-robin): https://web.example.net");
    expect(first.stdout.join("\n")).not.toContain("plain-token");
    expect(JSON.parse(kv.data.get(KV_KEYS.config)!).config.pools.web.healthCheck.headers.Authorization).toBe(PLAIN);

    const dry = capture();
    expect(await applyCommand([files.secret!], { dryRun: true }, dry, deps)).toBe(0);
    expect(dry.stderr).toContain("  ~ pool web: healthCheck.headers.Authorization <redacted, 23 chars> -> {secret: HEALTH_TOKEN}");
    expect(dry.stderr).toContain("  ~ pool web: + healthCheck.headers.X-Api-Key <redacted, 9 chars>");
    expect(dry.stderr).toContain("dry run: values of credential headers are shown as <redacted, N chars>; the real values would be written");
    const printed = dry.stdout.join("\n");
    const writes = JSON.parse(printed) as { key: string; value: unknown }[];
    // In the order apply writes them: the history first, then the active key.
    expect(writes.map((w) => w.key)).toEqual([KV_KEYS.history, KV_KEYS.config]);
    expect(writes[1]?.value).toMatchObject({ config: { pools: { web: { healthCheck: { headers: { Authorization: { secret: "HEALTH_TOKEN" }, "X-Api-Key": "<redacted, 9 chars>", "X-Probe": "edge" } } } } } });
    // The previous version in the history is redacted too.
    expect(printed).toContain("<redacted, 23 chars>");
    for (const text of [printed, ...dry.stderr]) {
      expect(text).not.toContain("plain-token");
      expect(text).not.toContain(KEY);
    }

    // Written for real, KV holds what the Worker needs: the reference and the plain value.
    expect(await applyCommand([files.secret!], {}, capture(), deps)).toBe(0);
    const stored = JSON.parse(kv.data.get(KV_KEYS.config)!).config.pools.web.healthCheck.headers;
    expect(stored).toEqual({ Authorization: { secret: "HEALTH_TOKEN" }, "X-Probe": "edge", "X-Api-Key": KEY });
  });
});
