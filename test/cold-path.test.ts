// How a new isolate starts: a value `apply` wrote is read from its prepared
// form (no validation) once its digest checks; anything else (written by hand,
// edited after apply) goes through full validation, as before. Warm isolates
// read the small version key, and the cron run the health plan, instead of
// the whole config. And after an `apply` that stopped half way, neither a new
// isolate nor the cron run uses a version it did not make active.
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

const doc = (url: string) => ({
  pools: { web: { origins: [{ url }], healthCheck: { path: "/" } } },
  rules: [{ host: "cold.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } } }] } }],
});

beforeAll(async () => {
  [a, b] = await Promise.all([startOrigin("a"), startOrigin("b")]);
  dir = await mkdtemp(join(tmpdir(), "edge-ingress-cold-"));
});
afterAll(async () => {
  await Promise.all([a, b].map((o) => o?.close()));
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await worker?.dispose();
  worker = undefined;
});

/** The real apply against the Worker's KV namespace (support/real-apply.ts); it must succeed. */
async function apply(w: TestWorker, document: unknown): Promise<void> {
  expect((await applyToWorker(w, document, dir)).code).toBe(0);
}

const originOf = async (r: Response) => (await r.arrayBuffer(), r.headers.get("x-origin"));
const loaded = (w: TestWorker) => w.events("config.loaded").map((e) => e.read);

describe("a new isolate", () => {
  it("reads a config apply wrote from its prepared form", async () => {
    worker = await startWorker();
    await apply(worker, doc(a.url));
    expect(await originOf(await worker.fetch("cold.example.com", "/"))).toBe("a");
    expect(loaded(worker)).toEqual(["prepared"]);
  });

  it("validates a value written by hand in full", async () => {
    worker = await startWorker();
    await worker.putConfig(doc(a.url));
    expect(await originOf(await worker.fetch("cold.example.com", "/"))).toBe("a");
    expect(loaded(worker)).toEqual(["validated"]);
  });

  it("validates in full a value apply wrote and someone edited: it serves what the value now says", async () => {
    worker = await startWorker();
    await apply(worker, doc(a.url));
    const kv = await worker.kv();
    const text = (await kv.get(KV_KEYS.config))!;
    await kv.put(KV_KEYS.config, text.replaceAll(a.url, b.url));
    expect(await originOf(await worker.fetch("cold.example.com", "/"))).toBe("b");
    expect(loaded(worker)).toEqual(["validated"]);
  });

  it("reads the prepared form of a config holding text beyond ASCII (counted in bytes)", async () => {
    worker = await startWorker();
    const note = { type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-note", value: "café crème" }] } };
    const base = doc(a.url);
    await apply(worker, { ...base, rules: [{ ...base.rules[0], http: { paths: [{ ...base.rules[0]!.http.paths[0], filters: [note] }] } }] });
    const seen = a.requests.length;
    expect(await originOf(await worker.fetch("cold.example.com", "/"))).toBe("a");
    expect(loaded(worker)).toEqual(["prepared"]);
    // The origin reads header bytes as Latin-1; workerd sent the value as UTF-8.
    expect(Buffer.from(a.requests[seen]!.headers["x-note"] as string, "latin1").toString("utf8")).toBe("café crème");
  });

  it("refuses an edited value that no longer validates, though its prepared form would decode, and serves the history's version", async () => {
    worker = await startWorker();
    await apply(worker, doc(a.url));
    const kv = await worker.kv();
    await kv.put(KV_KEYS.config, (await kv.get(KV_KEYS.config))!.replaceAll(a.url, "ftp://nope.example.net"));
    expect(await originOf(await worker.fetch("cold.example.com", "/"))).toBe("a");
    expect(worker.events("config.fallback")).toMatchObject([{ problems: [expect.stringContaining("origins[0].url")] }]);
    expect(loaded(worker)).toEqual([]);
  });
});

describe("a warm isolate", () => {
  it("reads only the version key while the config is unchanged, and the config once apply changes it", async () => {
    worker = await startWorker({ ttlSeconds: 1, countKvReads: true });
    await apply(worker, doc(a.url));
    expect(await originOf(await worker.fetch("cold.example.com", "/"))).toBe("a");
    const configReads = async () => (await worker!.kvReads()).filter((keys) => keys.includes(KV_KEYS.config)).length;
    expect(await configReads()).toBe(1);
    // Past the TTL: the refresh reads the version key (and the health state), not the config.
    let reads: string[][] = [];
    for (let i = 0; i < 50 && !reads.some((keys) => keys.includes(KV_KEYS.version)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await originOf(await worker.fetch("cold.example.com", "/"));
      reads = await worker.kvReads();
    }
    expect(reads).toContainEqual([KV_KEYS.version, KV_KEYS.health]);
    expect(await configReads()).toBe(1);

    await apply(worker, doc(b.url));
    let next: string | null = null;
    for (let i = 0; i < 50 && next !== "b"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      next = await originOf(await worker.fetch("cold.example.com", "/"));
    }
    expect(next).toBe("b");
    expect(loaded(worker)).toEqual(["prepared", "prepared"]);
  });
});

describe("an isolate serving a value apply wrote", () => {
  it("reads the value itself only every tenth refresh, and loads nothing again while it is unchanged", async () => {
    // A TTL of 0 refreshes on every request; every 10th refresh reads the value itself.
    worker = await startWorker({ ttlSeconds: 0, countKvReads: true });
    await apply(worker, doc(a.url));
    for (let i = 0; i < 12; i++) expect(await originOf(await worker.fetch("cold.example.com", "/"))).toBe("a");
    const configReads = (await worker.kvReads()).filter((keys) => keys.includes(KV_KEYS.config)).length;
    expect(configReads).toBe(2);
    expect(loaded(worker)).toEqual(["prepared"]);
  });


  it("validates it in full once someone edits it by hand, its digest left in place, on its next full read", async () => {
    // A TTL of 0 refreshes on every request; every 10th refresh reads the value itself.
    worker = await startWorker({ ttlSeconds: 0 });
    await apply(worker, doc(a.url));
    expect(await originOf(await worker.fetch("cold.example.com", "/"))).toBe("a");
    const kv = await worker.kv();
    const text = (await kv.get(KV_KEYS.config))!;
    const { version } = JSON.parse(text) as { version: string };
    // A new version too: an isolate compiles a config once per version (README, "Config loading and KV").
    await kv.put(KV_KEYS.config, text.replaceAll(a.url, b.url).replaceAll(`"version":"${version}"`, '"version":"edited-by-hand"'));
    const seen: (string | null)[] = [];
    for (let i = 0; i < 30 && seen.at(-1) !== "b"; i++) seen.push(await originOf(await worker.fetch("cold.example.com", "/")));
    expect(seen.at(-1)).toBe("b");
    expect(seen.length).toBeLessThanOrEqual(10);
    expect(loaded(worker)).toEqual(["prepared", "validated"]);
  });
});

describe("the cron run", () => {
  it("probes the health plan apply wrote, without reading the config", async () => {
    worker = await startWorker({ countKvReads: true });
    await apply(worker, doc(a.url));
    await worker.scheduled();
    const run = worker.events("health.run");
    expect(run).toHaveLength(1);
    expect(run[0]).toMatchObject({ probed: 1, down: [] });
    expect((await worker.kvReads()).flat()).not.toContain(KV_KEYS.config);
  });

  it("does not trust a plan in another form: it says so, probes the config's own pools, and takes no healthy origin down", async () => {
    worker = await startWorker({ countKvReads: true });
    await apply(worker, doc(a.url));
    const kv = await worker.kv();
    const plan = JSON.parse((await kv.get(KV_KEYS.healthPlan))!) as { pools: { healthCheck: Record<string, unknown> }[] };
    // Written for the active value (its version and digest agree), but a field is text where a list belongs.
    plan.pools[0]!.healthCheck.expectedStatus = "200";
    await kv.put(KV_KEYS.healthPlan, JSON.stringify(plan));
    await worker.scheduled();
    expect(worker.events("health.plan_invalid")).toHaveLength(1);
    expect(worker.events("health.run")[0]).toMatchObject({ probed: 1, down: [], failed: [] });
    expect((await worker.kvReads()).flat()).toContain(KV_KEYS.config);
  });

  it("validates the config when the version key and the plan disagree", async () => {
    worker = await startWorker({ countKvReads: true });
    await apply(worker, doc(a.url));
    await (await worker.kv()).put(KV_KEYS.healthPlan, JSON.stringify({ version: "other", digest: "x", pools: [] }));
    await worker.scheduled();
    expect(worker.events("health.run")[0]).toMatchObject({ probed: 1 });
    expect((await worker.kvReads()).flat()).toContain(KV_KEYS.config);
  });
});

describe("an apply that stopped after writing the history", () => {
  it("is never served by a new isolate, nor probed, when the active value is then unusable: the history's fallback starts at the version made active", async () => {
    worker = await startWorker();
    const active = await applyToWorker(worker, doc(a.url), dir);
    const stopped = await applyToWorker(worker, doc(b.url), dir, KV_KEYS.config);
    expect(stopped.failure?.message).toContain(`version ${stopped.version} is NOT active`);
    const history = JSON.parse((await (await worker.kv()).get(KV_KEYS.history))!) as { version: string }[];
    expect(history.map((e) => e.version)).toEqual([stopped.version, active.version]);

    // Then the active value is damaged (a hand edit, a truncated write): this isolate has served nothing yet.
    await (await worker.kv()).put(KV_KEYS.config, "{not json");
    expect(await originOf(await worker.fetch("cold.example.com", "/"))).toBe("a");
    expect(worker.events("config.fallback")).toMatchObject([{ servingVersion: active.version, neverActive: [stopped.version] }]);

    // The cron run reads the config itself when the health plan does not say what to probe.
    await (await worker.kv()).delete(KV_KEYS.healthPlan);
    const probesOfB = b.requests.length;
    await worker.scheduled();
    expect(worker.events("health.run")).toMatchObject([{ version: active.version, probed: 1, from: KV_KEYS.history }]);
    expect(b.requests.length).toBe(probesOfB);
  });
});
