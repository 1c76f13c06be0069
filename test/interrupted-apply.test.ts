// What the Worker and its cron run do after an `apply` that stopped half way:
// the real apply writes the Worker's KV namespace, one of its writes made to
// fail, and the real Worker in workerd serves and probes real origins on
// 127.0.0.1. An interrupted apply must never make the edge serve a version it
// did not make active.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { applyCommand } from "../src/cli/apply";
import { captureIo } from "../src/cli/memory-kv";
import { CliError } from "../src/cli/output";
import { configVersion } from "../src/cli/version";
import type { Kv } from "../src/cli/wrangler";
import { KV_KEYS } from "../src/core/config/stored";
import { startOrigin, type TestOrigin } from "./support/origins";
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

/**
 * Runs the real `apply` of `document` against the Worker's KV namespace, and
 * returns its version; writing `failing` fails as a wrangler run that cannot
 * reach Cloudflare does, and the command's error is returned with it.
 */
async function apply(w: TestWorker, document: unknown, failing?: string): Promise<{ version: string; failure?: CliError }> {
  const ns = await w.kv();
  const kv: Kv = {
    where: "the test namespace",
    get: async (key) => (await ns.get(key)) ?? undefined,
    getMany: (keys) => Promise.all(keys.map(async (key) => (await ns.get(key)) ?? undefined)),
    async put(key, value) {
      if (key === failing) throw new CliError("cannot reach Cloudflare's API (no network?); check your connection, or use --local for local development");
      await ns.put(key, value);
    },
  };
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(document));
  const failure = await applyCommand([file], {}, captureIo(), { open: () => kv }).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (failure !== undefined && !(failure instanceof CliError)) throw failure;
  return { version: configVersion(document), ...(failure ? { failure } : {}) };
}

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
