// apply and rollback change two KV keys that have no compare-and-set: the
// history first, then the active config, with a re-check between and a
// read-back after. Other commands are run at exact points through the
// in-memory store's hooks, so every interleaving here is deterministic.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KV_KEYS } from "../core/config/stored";
import { applyCommand } from "./apply";
import { captureIo, depsFor, MemoryKv, type KvOp } from "./memory-kv";
import { CliError } from "./output";
import { rollbackCommand } from "./rollback";

const doc = (host: string) => `pools:\n  web:\n    origins:\n      - url: https://${host}\nrules:\n  - host: app.example.com\n    http:\n      paths:\n        - {path: /, pathType: Prefix, backend: {service: {name: web}}}\n`;
let dir: string;
let files: Record<"v1" | "v2" | "v3", string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edge-ingress-switch-"));
  files = { v1: join(dir, "v1.yaml"), v2: join(dir, "v2.yaml"), v3: join(dir, "v3.yaml") };
  await Promise.all([writeFile(files.v1, doc("one.example.net")), writeFile(files.v2, doc("two.example.net")), writeFile(files.v3, doc("three.example.net"))]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const C = KV_KEYS.config;
const H = KV_KEYS.history;
const activeVersion = (kv: MemoryKv) => (JSON.parse(kv.data.get(C) ?? "null") as { version: string } | null)?.version;
const historyVersions = (kv: MemoryKv) => (JSON.parse(kv.data.get(H) ?? "[]") as { version: string }[]).map((e) => e.version);

/** Applies `file` to kv and returns its version. */
async function applied(kv: MemoryKv, file: string): Promise<string> {
  const io = captureIo();
  expect(await applyCommand([file], {}, io, depsFor(kv))).toBe(0);
  return activeVersion(kv)!;
}

/** The version `file` would get, without writing. */
async function versionOf(file: string): Promise<string> {
  const io = captureIo();
  await applyCommand([file], { dryRun: true }, io, depsFor(new MemoryKv()));
  return (JSON.parse(io.stdout.join("\n")) as { key: string; value: { version: string } }[]).find((w) => w.key === C)!.value.version;
}

/** Calls `run` once, just before the view's first operation matching `when`. */
function once(kv: MemoryKv, when: (op: KvOp) => boolean, run: () => Promise<void> | void): void {
  let done = false;
  kv.before = async (op) => {
    if (done || !when(op)) return;
    done = true;
    await run();
  };
}

describe("the order of writes", () => {
  it("reads the active config, the history and the version key, writes the history, re-reads both keys, writes the active config, reads both back, then the health plan and the version key", async () => {
    const kv = new MemoryKv();
    const ops: string[] = [];
    kv.before = (op) => void ops.push(`${op.kind} ${op.key}`);
    const v1 = await applied(kv, files.v1);
    expect(ops).toEqual([`get ${C}`, `get ${H}`, `get ${KV_KEYS.version}`, `put ${H}`, `get ${C}`, `get ${H}`, `put ${C}`, `get ${C}`, `get ${H}`, `put ${KV_KEYS.healthPlan}`, `put ${KV_KEYS.version}`]);
    expect(historyVersions(kv)).toEqual([v1]);
  });

  it("a failed write of the active config leaves the old one active, and says what each key holds", async () => {
    const kv = new MemoryKv();
    const v1 = await applied(kv, files.v1);
    const v2 = await versionOf(files.v2);
    once(kv, (op) => op.kind === "put" && op.key === C, () => {
      throw new CliError("wrangler kv key put did not finish within 120 s; check your network, or use --local");
    });
    const io = captureIo();
    await expect(applyCommand([files.v2], {}, io, depsFor(kv))).rejects.toMatchObject({
      exitCode: 2,
      message: `writing ${C} failed: wrangler kv key put did not finish within 120 s; check your network, or use --local; version ${v2} is NOT active, ${C} still holds version ${v1}: run the command again`,
    });
    expect(io.stderr.slice(-3)).toEqual([
      "what memory holds now:",
      `  ${C}: version ${v1}, as before this apply`,
      `  ${H}: versions ${v2}, ${v1} (written by this apply)`,
    ]);
    expect(activeVersion(kv)).toBe(v1);
  });

  it("a write reported as failed that went through is taken as done", async () => {
    const kv = new MemoryKv();
    await applied(kv, files.v1);
    // The value lands, then wrangler is killed before it says so.
    kv.before = async (op) => {
      if (op.kind === "put" && op.key === C) {
        kv.before = undefined;
        kv.data.set(op.key, op.value);
        throw new CliError("wrangler kv key put did not finish within 120 s; check your network, or use --local");
      }
    };
    const io = captureIo();
    expect(await applyCommand([files.v2], {}, io, depsFor(kv))).toBe(0);
    expect(io.stderr).toContain(`note: writing ${C} reported a failure (wrangler kv key put did not finish within 120 s; check your network, or use --local), but KV holds the new value`);
    expect(activeVersion(kv)).toBe(await versionOf(files.v2));
  });

  it("an apply whose history write fails changes nothing", async () => {
    const kv = new MemoryKv();
    const v1 = await applied(kv, files.v1);
    const before = new Map(kv.data);
    once(kv, (op) => op.kind === "put", () => {
      throw new CliError("cannot reach Cloudflare's API (no network?); check your connection, or use --local for local development");
    });
    const io = captureIo();
    await expect(applyCommand([files.v2], {}, io, depsFor(kv))).rejects.toThrow(/^writing edge-ingress:config-history failed: cannot reach Cloudflare's API .*; version [0-9a-f]{12} is NOT active, edge-ingress:config still holds version [0-9a-f]{12}: run the command again$/);
    expect(io.stderr.slice(-2)).toEqual([`  ${C}: version ${v1}, as before this apply`, `  ${H}: versions ${v1}, as before this apply`]);
    expect(kv.data).toEqual(before);
  });
});

describe("concurrent applies (optimistic concurrency)", () => {
  it("another apply that finishes before this one writes: this one stops with a conflict and puts the history back", async () => {
    const kv = new MemoryKv();
    const v1 = await applied(kv, files.v1);
    const mine = kv.view();
    const v3 = await versionOf(files.v3);
    once(mine, (op) => op.kind === "put", async () => {
      await applied(kv.view(), files.v3);
    });
    const io = captureIo();
    await expect(applyCommand([files.v2], {}, io, depsFor(mine))).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringMatching(new RegExp(`^conflict: ${C} in memory changed while this apply ran \\(version ${v1} when read, now version ${v3}\\)`)),
    });
    expect(activeVersion(kv)).toBe(v3);
    expect(historyVersions(kv)).toEqual([v3, v1]);
  });

  it("an apply that read before this one wrote and writes after it finished stops with a conflict; this one stays active and in the history", async () => {
    const kv = new MemoryKv();
    const v1 = await applied(kv, files.v1);
    const late = kv.view();
    let release!: () => void;
    const mineDone = new Promise<void>((resolve) => (release = resolve));
    let lateRead!: () => void;
    const lateHasRead = new Promise<void>((resolve) => (lateRead = resolve));
    once(late, (op) => op.kind === "put", async () => {
      lateRead();
      await mineDone;
    });
    const lateIo = captureIo();
    const lateRun = applyCommand([files.v3], {}, lateIo, depsFor(late)).then(
      (code) => code,
      (error: unknown) => error,
    );
    await lateHasRead;
    const v2 = await applied(kv.view(), files.v2);
    release();
    expect(await lateRun).toMatchObject({ exitCode: 3, message: expect.stringContaining(`now version ${v2}`) });
    expect(activeVersion(kv)).toBe(v2);
    // The late apply put back the history it had read; rollback still finds v1 behind v2.
    const io = captureIo();
    expect(await rollbackCommand({}, io, depsFor(kv))).toBe(0);
    expect(activeVersion(kv)).toBe(v1);
  });

  it("another apply that rewrites the history between this one's two writes makes this one stop; the other one wins", async () => {
    const kv = new MemoryKv();
    await applied(kv, files.v1);
    const mine = kv.view();
    let other: Promise<number> | undefined;
    const theirs = kv.view();
    // The other apply reads now, and writes its history right after this one's.
    once(mine, (op) => op.kind === "put" && op.key === H, () => {
      let paused!: () => void;
      const atPut = new Promise<void>((resolve) => (paused = resolve));
      once(theirs, (op) => op.kind === "put", () => paused());
      other = applyCommand([files.v3], {}, captureIo(), depsFor(theirs));
      return atPut;
    });
    await expect(applyCommand([files.v2], {}, captureIo(), depsFor(mine))).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringContaining(`conflict: ${H} in memory was rewritten by another apply or rollback while this one ran`),
    });
    expect(await other).toBe(0);
    const v3 = await versionOf(files.v3);
    expect(activeVersion(kv)).toBe(v3);
    expect(historyVersions(kv)[0]).toBe(v3);
  });

  it("a write to the active key right after this one's switch is reported by the read-back", async () => {
    const kv = new MemoryKv();
    await applied(kv, files.v1);
    const v2 = await versionOf(files.v2);
    let switched = false;
    kv.before = (op) => {
      if (op.kind === "put" && op.key === C) switched = true;
      else if (switched && op.kind === "get") {
        switched = false;
        kv.data.set(C, JSON.stringify({ version: "0123456789ab", appliedAt: "2026-11-27T00:00:00Z", config: {} }));
      }
    };
    await expect(applyCommand([files.v2], {}, captureIo(), depsFor(kv))).rejects.toMatchObject({
      exitCode: 3,
      message: `conflict: version ${v2} was made active, but another apply or rollback wrote memory right after: ${C} now holds version 0123456789ab, written by someone else; check with "edge-ingress status"`,
    });
  });

  it("rollback stops in the same way when an apply ran meanwhile", async () => {
    const kv = new MemoryKv();
    await applied(kv, files.v1);
    await applied(kv, files.v2);
    const mine = kv.view();
    const v3 = await versionOf(files.v3);
    once(mine, (op) => op.kind === "put", async () => {
      await applied(kv.view(), files.v3);
    });
    await expect(rollbackCommand({}, captureIo(), depsFor(mine))).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining(`conflict: ${C} in memory changed while this rollback ran`) });
    expect(activeVersion(kv)).toBe(v3);
  });
});
