// What the Worker and its cron run do after an `apply` that stopped half way:
// the real apply writes the Worker's KV namespace, one of its writes made to
// fail, and the real Worker in workerd serves and probes real origins on
// 127.0.0.1. An interrupted apply must never make the edge serve a version it
// did not make active.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KV_KEYS } from "../src/core/config/stored";
import { startOrigin, type TestOrigin } from "./support/origins";
import { applyToWorker } from "./support/real-apply";
import { startWorker, type TestWorker } from "./support/worker";

let a: TestOrigin;
let b: TestOrigin;
let dir: string;
let worker: TestWorker | undefined;

const doc = (origin: TestOrigin) => ({
  pools: { web: { origins: [{ url: origin.url }], healthCheck: { path: "/healthz" } } },
  rules: [{ host: "app.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } } }] } }],
});

beforeAll(async () => {
  [a, b] = await Promise.all([startOrigin("a"), startOrigin("b")]);
  dir = await mkdtemp(join(tmpdir(), "edge-ingress-interrupted-"));
});
afterAll(async () => {
  await Promise.all([a, b].map((o) => o?.close()));
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await worker?.dispose();
  worker = undefined;
});

/** The real apply against the Worker's KV namespace (support/real-apply.ts). */
const apply = (w: TestWorker, document: unknown, failing?: string) => applyToWorker(w, document, dir, failing);

const originOf = async (r: Response) => (await r.arrayBuffer(), r.headers.get("x-origin"));

describe("an apply that stopped after writing the history", () => {
  it("is never served by a new isolate, nor probed, when the active value is then unusable: the history's fallback starts at the version made active", async () => {
    worker = await startWorker();
    const active = await apply(worker, doc(a));
    const stopped = await apply(worker, doc(b), KV_KEYS.config);
    expect(stopped.failure?.message).toContain(`version ${stopped.version} is NOT active`);
    const history = JSON.parse((await (await worker.kv()).get(KV_KEYS.history))!) as { version: string }[];
    expect(history.map((e) => e.version)).toEqual([stopped.version, active.version]);

    // Then the active value is damaged (a hand edit, a truncated write): this isolate has served nothing yet.
    await (await worker.kv()).put(KV_KEYS.config, "{not json");
    expect(await originOf(await worker.fetch("app.example.com", "/"))).toBe("a");
    expect(worker.events("config.fallback")).toMatchObject([{ servingVersion: active.version, neverActive: [stopped.version] }]);

    // The cron run reads the config itself when the health plan does not say what to probe.
    await (await worker.kv()).delete(KV_KEYS.healthPlan);
    const probesOfB = b.requests.length;
    await worker.scheduled();
    expect(worker.events("health.run")).toMatchObject([{ version: active.version, probed: 1, from: KV_KEYS.history }]);
    expect(b.requests.length).toBe(probesOfB);
  });
});
