// `apply` of the version already active writes the two small keys again
// when they do not describe it: the real command against the in-memory Kv.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KV_KEYS } from "../core/config/stored";
import { applyCommand } from "./apply";
import { captureIo, depsFor, MemoryKv } from "./memory-kv";

const doc = `pools:\n  web:\n    origins:\n      - url: https://one.example.net\n    healthCheck: {path: /healthz}\nrules:\n  - host: app.example.com\n    http:\n      paths:\n        - {path: /, pathType: Prefix, backend: {service: {name: web}}}\n`;
let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edge-ingress-publish-"));
  file = join(dir, "v1.yaml");
  await writeFile(file, doc);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("apply of the active version", () => {
  it("writes the health plan again when it is not in the form the cron run reads, as the run's health.plan_invalid line says", async () => {
    const kv = new MemoryKv();
    expect(await applyCommand([file], {}, captureIo(), depsFor(kv))).toBe(0);
    const written = kv.data.get(KV_KEYS.healthPlan)!;
    // Written for the active value (its version and digest agree), but a field is text where a list belongs.
    const plan = JSON.parse(written) as { pools: { healthCheck: Record<string, unknown> }[] };
    plan.pools[0]!.healthCheck.expectedStatus = "200";
    kv.data.set(KV_KEYS.healthPlan, JSON.stringify(plan));

    const io = captureIo();
    expect(await applyCommand([file], {}, io, depsFor(kv))).toBe(0);
    expect(io.stdout.at(-1)).toMatch(new RegExp(`^wrote ${KV_KEYS.healthPlan} and ${KV_KEYS.version} for version [0-9a-f]{12} `));
    expect(kv.data.get(KV_KEYS.healthPlan)).toBe(written);
  });
});
