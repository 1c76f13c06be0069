// rollback when the active value cannot be read as a stored config (not
// JSON, cut short): the real commands against the in-memory Kv. What is
// active is not known, so rollback must not pretend it is a version of the
// history, nor drop one.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asStoredConfig, KV_KEYS } from "../core/config/stored";
import { applyCommand } from "./apply";
import { captureIo, depsFor, MemoryKv } from "./memory-kv";
import { CliError } from "./output";
import { rollbackCommand } from "./rollback";
import { statusCommand } from "./status";

const doc = (host: string) => `pools:\n  web:\n    origins:\n      - url: https://${host}\nrules:\n  - host: app.example.com\n    http:\n      paths:\n        - {path: /, pathType: Prefix, backend: {service: {name: web}}}\n`;
let dir: string;
let files: Record<"v1" | "v2" | "v3", string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edge-ingress-rollback-"));
  files = { v1: join(dir, "v1.yaml"), v2: join(dir, "v2.yaml"), v3: join(dir, "v3.yaml") };
  await Promise.all([writeFile(files.v1, doc("one.example.net")), writeFile(files.v2, doc("two.example.net")), writeFile(files.v3, doc("three.example.net"))]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const activeVersion = (kv: MemoryKv) => asStoredConfig(JSON.parse(kv.data.get(KV_KEYS.config)!))?.version;
const historyVersions = (kv: MemoryKv) => (JSON.parse(kv.data.get(KV_KEYS.history) ?? "[]") as { version: string }[]).map((e) => e.version);

/** Applies each file in turn; returns their versions. */
async function applied(kv: MemoryKv, ...paths: string[]): Promise<string[]> {
  const versions: string[] = [];
  for (const path of paths) {
    expect(await applyCommand([path], {}, captureIo(), depsFor(kv))).toBe(0);
    versions.push(activeVersion(kv)!);
  }
  return versions;
}

async function rolledBack(kv: MemoryKv): Promise<ReturnType<typeof captureIo>> {
  const io = captureIo();
  expect(await rollbackCommand({}, io, depsFor(kv))).toBe(0);
  return io;
}

describe("rollback from an active value that cannot be read", () => {
  it("makes the last version made active active again, says what is known of the value, and keeps every version in the history", async () => {
    const kv = new MemoryKv();
    const [v1, v2] = await applied(kv, files.v1, files.v2);
    kv.data.set(KV_KEYS.config, "{not json");
    // status offers the rollback that follows.
    const status = captureIo();
    expect(await statusCommand({ json: true }, status, depsFor(kv))).toBe(1);
    expect(JSON.parse(status.stdout.join("\n"))).toMatchObject({ repair: [{}, { command: "edge-ingress rollback", does: `makes version ${v2} active again` }] });

    const io = await rolledBack(kv);
    expect(io.stderr[0]).toMatch(/^warning: edge-ingress:config in memory is not valid JSON \(/);
    expect(io.stdout[0]).toBe(`rolling back memory from a value that cannot be read (not the one written for version ${v2}, the last one apply or rollback made active) to ${v2}`);
    expect(io.stdout.at(-1)).toBe(`rolled back to version ${v2}`);
    expect(activeVersion(kv)).toBe(v2);
    expect(historyVersions(kv)).toEqual([v2, v1]);
    // And a rollback after it goes back one version, as usual.
    await rolledBack(kv);
    expect(activeVersion(kv)).toBe(v1);
  });

  it("says so when the value still begins as apply wrote it (cut short)", async () => {
    const kv = new MemoryKv();
    const [v1, v2] = await applied(kv, files.v1, files.v2);
    kv.data.set(KV_KEYS.config, kv.data.get(KV_KEYS.config)!.slice(0, 300));
    const io = await rolledBack(kv);
    expect(io.stdout[0]).toBe(`rolling back memory from a value that cannot be read (it still begins with the digest of version ${v2}, the last one apply or rollback made active) to ${v2}`);
    expect(historyVersions(kv)).toEqual([v2, v1]);
  });

  it("never goes back to a version an interrupted apply only wrote to the history, and status offers the same version", async () => {
    const kv = new MemoryKv();
    const [v1, v2] = await applied(kv, files.v1, files.v2);
    kv.before = (op) => {
      if (op.kind === "put" && op.key === KV_KEYS.config) throw new CliError("wrangler kv key put failed: 500");
    };
    await expect(applyCommand([files.v3], {}, captureIo(), depsFor(kv))).rejects.toThrow(/is NOT active/);
    kv.before = undefined;
    expect(historyVersions(kv)).toHaveLength(3);
    kv.data.set(KV_KEYS.config, "{not json");

    const status = captureIo();
    expect(await statusCommand({ json: true }, status, depsFor(kv))).toBe(1);
    expect(JSON.parse(status.stdout.join("\n"))).toMatchObject({ serving: { version: v2 }, repair: [{}, { command: "edge-ingress rollback", does: `makes version ${v2} active again` }] });

    const io = await rolledBack(kv);
    expect(io.stdout[0]).toBe(`rolling back memory from a value that cannot be read (not the one written for version ${v2}, the last one apply or rollback made active) to ${v2}`);
    expect(activeVersion(kv)).toBe(v2);
    expect(historyVersions(kv)).toEqual([v2, v1]);
  });

  it("refuses, naming the unreadable value, when the history holds nothing to go back to", async () => {
    const kv = new MemoryKv();
    kv.data.set(KV_KEYS.config, "{not json");
    await expect(rollbackCommand({}, captureIo(), depsFor(kv))).rejects.toThrow("nothing to roll back to in memory: the active value cannot be read, and the history holds no version");
    expect(kv.writes).toEqual([]);
  });
});
