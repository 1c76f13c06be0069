// apply and rollback never overwrite a value written in a newer format than
// this CLI knows, unless told to with --force; what they write carries the
// format. Against an in-memory Kv.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KV_KEYS, STORED_FORMAT } from "../core/config/stored";
import { applyCommand } from "./apply";
import { captureIo, depsFor, MemoryKv } from "./memory-kv";
import { rollbackCommand } from "./rollback";

const doc = (url: string) => `pools:\n  web:\n    origins:\n      - url: ${url}\nrules:\n  - http:\n      paths:\n        - {path: /, pathType: Prefix, backend: {service: {name: web}}}\n`;
let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edge-ingress-format-"));
  file = join(dir, "c.yaml");
  await writeFile(file, doc("https://one.example.net"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const NEWER = STORED_FORMAT + 1;
const newer = (version: string) => ({ format: NEWER, version, appliedAt: "2026-11-27T06:00:00.000Z", config: { anything: "a newer writer's" } });
const older = (version: string, url: string) => ({ version, appliedAt: "2026-11-26T06:00:00.000Z", config: { pools: { web: { origins: [{ url }] } }, defaultBackend: { service: { name: "web" } } } });

function kvHolding(active: object, history: object[]): MemoryKv {
  const kv = new MemoryKv();
  kv.data.set(KV_KEYS.config, JSON.stringify(active));
  kv.data.set(KV_KEYS.history, JSON.stringify(history));
  return kv;
}

describe("a value in a newer format", () => {
  it("apply refuses to overwrite it, saying what it is and how to go on, and writes nothing", async () => {
    const kv = kvHolding(newer("aaaaaaaaaaaa"), [newer("aaaaaaaaaaaa")]);
    const failure = await applyCommand([file], {}, captureIo(), depsFor(kv)).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      exitCode: 2,
      message:
        `${KV_KEYS.config} in memory holds version aaaaaaaaaaaa in format ${NEWER}, written by a newer edge-ingress than this one ` +
        `(which writes format ${STORED_FORMAT}): upgrade ("npm update edge-ingress"), or pass --force to overwrite it with format ${STORED_FORMAT}`,
    });
    expect(kv.writes).toEqual([]);
  });

  it("apply --force overwrites it, and what apply writes carries the format", async () => {
    const kv = kvHolding(newer("aaaaaaaaaaaa"), [newer("aaaaaaaaaaaa")]);
    expect(await applyCommand([file], { force: true }, captureIo(), depsFor(kv))).toBe(0);
    const active = JSON.parse(kv.data.get(KV_KEYS.config)!) as { format: number; version: string };
    expect(active.format).toBe(STORED_FORMAT);
    const history = JSON.parse(kv.data.get(KV_KEYS.history)!) as { version: string; format?: number }[];
    expect(history.map((h) => [h.version, h.format])).toEqual([[active.version, STORED_FORMAT], ["aaaaaaaaaaaa", NEWER]]);
  });

  it("rollback refuses to replace it without --force, and with --force goes back to the older version, keeping its format", async () => {
    const old = older("bbbbbbbbbbbb", "https://old.example.net");
    const kv = kvHolding(newer("aaaaaaaaaaaa"), [newer("aaaaaaaaaaaa"), old]);
    const failure = await rollbackCommand({}, captureIo(), depsFor(kv)).catch((e: unknown) => e);
    expect(failure).toMatchObject({ exitCode: 2, message: expect.stringContaining(`holds version aaaaaaaaaaaa in format ${NEWER}, written by a newer edge-ingress`) });
    expect(kv.writes).toEqual([]);

    expect(await rollbackCommand({ force: true }, captureIo(), depsFor(kv))).toBe(0);
    const active = JSON.parse(kv.data.get(KV_KEYS.config)!) as Record<string, unknown>;
    expect(active).toMatchObject({ version: "bbbbbbbbbbbb", config: old.config });
    expect(active.format).toBeUndefined();
  });

  it("rollback to a version in a newer format is refused, naming the format", async () => {
    const kv = kvHolding(older("bbbbbbbbbbbb", "https://old.example.net"), [older("bbbbbbbbbbbb", "https://old.example.net"), newer("aaaaaaaaaaaa")]);
    const failure = await rollbackCommand({ force: true }, captureIo(), depsFor(kv)).catch((e: unknown) => e);
    expect(failure).toMatchObject({ message: expect.stringContaining(`version aaaaaaaaaaaa in the history cannot be restored (${KV_KEYS.config}.format: is ${NEWER}: written by a newer edge-ingress`) });
    expect(kv.writes).toEqual([]);
  });
});
