// How the Worker reads its config from KV: no config, bad values, the isolate
// cache and its background refresh, and policy state across reloads.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { configVersion } from "../src/cli/version";
import { KV_KEYS } from "../src/core/config/stored";
import { startOrigin, type TestOrigin } from "./support/origins";
import { startWorker, type TestWorker } from "./support/worker";

let a: TestOrigin;
let b: TestOrigin;
let worker: TestWorker | undefined;

const config = (pool: string, urls: string[], policy = "round-robin") => ({
  pools: { [pool]: { policy, origins: urls.map((url) => ({ url })) } },
  rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: pool } } }] } }],
});

beforeAll(async () => {
  [a, b] = await Promise.all([startOrigin("a"), startOrigin("b")]);
});
afterAll(async () => {
  await Promise.all([a, b].map((o) => o?.close()));
});
afterEach(async () => {
  await worker?.dispose();
  worker = undefined;
});

/** A value as apply stores it (the envelope with the config's version). */
const stored = (doc: unknown, version = configVersion(doc)) => ({ version, appliedAt: "2026-11-27T06:00:00.000Z", config: doc });
/** A config the Worker refuses: a pool without origins. */
const broken = (version: string) => stored({ pools: { web: { origins: [] } } }, version);
const historyReads = async (w: TestWorker) => (await w.kvReads()).filter((keys) => keys.includes(KV_KEYS.history)).length;
const NO_POOLS = 'config.pools: no pools defined in any document: add a native document with "pools:" (Ingress backends name pools as their services)';

const originOf = async (r: Response) => (await r.arrayBuffer(), r.headers.get("x-origin"));
const logged = (w: TestWorker, event: string) => w.logs.filter((l) => (l as { event?: string }).event === event);

describe("config loading", () => {
  it("answers 503 saying how to apply a config when KV has none", async () => {
    worker = await startWorker();
    const response = await worker.fetch("x.example.com", "/");
    expect(response.status).toBe(503);
    expect(response.headers.get("x-edge-ingress-error")).toBe("no-config");
    expect(await response.text()).toContain("npx edge-ingress apply");
  });

  it("never lets a bad value in KV take traffic down", async () => {
    worker = await startWorker();
    await worker.putConfig(config("web", [a.url]));
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");

    const kv = await worker.kv();
    await kv.put(KV_KEYS.config, "{not json");
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");
    await kv.put(KV_KEYS.config, JSON.stringify({ version: "bad1", appliedAt: "", config: { pools: { web: { origins: [] } } } }));
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");

    const invalid = logged(worker, "config.invalid") as { version?: string; problems: string[] }[];
    // One line per distinct bad value, not one per request.
    expect(invalid).toHaveLength(2);
    expect(invalid[1]).toMatchObject({ version: "bad1", problems: ["config.pools.web.origins: must list at least one origin"] });

    await worker.putConfig(config("web", [b.url]));
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("b");
  });

  it("starts with 503 when the only value in KV is invalid, and logs why", async () => {
    worker = await startWorker();
    await (await worker.kv()).put(KV_KEYS.config, JSON.stringify({ version: "v0", config: { pools: 3 } }));
    const response = await worker.fetch("x.example.com", "/");
    expect(response.status).toBe(503);
    expect(logged(worker, "config.invalid")).toHaveLength(1);
  });

  it("a new isolate serves the newest valid version of the history when the active value is invalid, and says so once", async () => {
    worker = await startWorker({ countKvReads: true });
    const kv = await worker.kv();
    const good = stored(config("web", [a.url]));
    const older = stored(config("web", [b.url]));
    await kv.put(KV_KEYS.history, JSON.stringify([broken("bad1"), good, older]));
    await kv.put(KV_KEYS.config, JSON.stringify(broken("bad1")));

    for (let i = 0; i < 3; i++) expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");
    expect(logged(worker, "config.fallback")).toEqual([
      {
        level: "error",
        event: "config.fallback",
        version: "bad1",
        problems: ["config.pools.web.origins: must list at least one origin"],
        servingVersion: good.version,
        servingAppliedAt: good.appliedAt,
        from: KV_KEYS.history,
      },
    ]);
    expect(logged(worker, "config.invalid")).toEqual([]);
    // The history was read once, on the first request; later requests read only the active key (TTL 0).
    expect(await historyReads(worker)).toBe(1);

    // Repairing the active value is picked up as usual.
    await worker.putConfig(config("web", [b.url]));
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("b");
  });

  it("answers 503 when no version in the history is valid either, and logs that the history was tried", async () => {
    worker = await startWorker();
    const kv = await worker.kv();
    await kv.put(KV_KEYS.history, JSON.stringify([broken("bad1"), broken("bad0")]));
    await kv.put(KV_KEYS.config, JSON.stringify(broken("bad1")));
    const response = await worker.fetch("x.example.com", "/");
    expect(response.status).toBe(503);
    expect(response.headers.get("x-edge-ingress-error")).toBe("no-config");
    expect(logged(worker, "config.invalid")).toEqual([
      {
        level: "error",
        event: "config.invalid",
        version: "bad1",
        problems: ["config.pools.web.origins: must list at least one origin"],
        servingVersion: null,
        historyTried: true,
        historyVersions: ["bad1", "bad0"],
      },
    ]);
    expect(logged(worker, "config.fallback")).toEqual([]);
  });

  it("reads the history once per bad value, not once per request", async () => {
    worker = await startWorker({ countKvReads: true });
    const kv = await worker.kv();
    await kv.put(KV_KEYS.config, JSON.stringify(broken("bad1")));
    for (let i = 0; i < 3; i++) expect((await worker.fetch("x.example.com", "/")).status).toBe(503);
    expect(await historyReads(worker)).toBe(1);

    // The outcome for bad1 is kept: a history written meanwhile is not read again for it...
    await kv.put(KV_KEYS.history, JSON.stringify([stored(config("web", [a.url]))]));
    await (await worker.fetch("x.example.com", "/")).arrayBuffer();
    expect(await historyReads(worker)).toBe(1);
    expect(logged(worker, "config.invalid")).toHaveLength(1);

    // ...but a different bad value is judged afresh.
    await kv.put(KV_KEYS.config, JSON.stringify(broken("bad2")));
    for (let i = 0; i < 3; i++) expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");
    expect(await historyReads(worker)).toBe(2);
    expect(logged(worker, "config.fallback")).toMatchObject([{ version: "bad2" }]);
  });

  it("a warm isolate keeps its last good config and does not read the history", async () => {
    worker = await startWorker({ countKvReads: true });
    const kv = await worker.kv();
    await worker.putConfig(config("web", [a.url]));
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");
    await kv.put(KV_KEYS.history, JSON.stringify([stored(config("web", [b.url]))]));
    await kv.put(KV_KEYS.config, JSON.stringify(broken("bad1")));
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");
    expect(await historyReads(worker)).toBe(0);
    expect(logged(worker, "config.invalid")).toMatchObject([{ version: "bad1", servingVersion: expect.any(String) }]);
  });

  it("refuses a config without pools, as the CLI does: a warm isolate keeps its config, a new one answers 503", async () => {
    worker = await startWorker();
    await worker.putConfig(config("web", [a.url]));
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");
    await worker.putConfig({ pools: {} });
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");
    expect(logged(worker, "config.invalid")).toMatchObject([{ problems: [NO_POOLS] }]);
    await worker.dispose();

    worker = await startWorker();
    await worker.putConfig({ pools: {} });
    const response = await worker.fetch("x.example.com", "/");
    expect(response.status).toBe(503);
    expect(response.headers.get("x-edge-ingress-error")).toBe("no-config");
    expect(logged(worker, "config.invalid")).toMatchObject([{ problems: [NO_POOLS] }]);
  });

  it("the cron run probes the version new isolates serve when the active value is invalid", async () => {
    worker = await startWorker();
    const kv = await worker.kv();
    const doc = config("web", [a.url]);
    const good = stored({ ...doc, pools: { web: { ...doc.pools.web, healthCheck: { path: "/healthz" } } } });
    await kv.put(KV_KEYS.history, JSON.stringify([good]));
    await kv.put(KV_KEYS.config, JSON.stringify(broken("bad1")));
    await worker.scheduled(new Date(Date.UTC(2026, 10, 27, 6, 0)));
    const health = JSON.parse((await kv.get(KV_KEYS.health)) ?? "null") as { origins: Record<string, unknown> } | null;
    expect(Object.keys(health?.origins ?? {})).toEqual([`web ${a.url}`]);
    expect(logged(worker, "health.run")).toMatchObject([{ version: good.version, from: KV_KEYS.history, activeVersion: "bad1" }]);
  });

  it("serves from the isolate cache without reading KV, then refreshes in the background", async () => {
    worker = await startWorker({ ttlSeconds: 1 });
    await worker.putConfig(config("web", [a.url]));
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");
    await worker.putConfig(config("web", [b.url]));
    // Within the TTL the cached config answers: KV was not read again.
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // Past the TTL, this request is still served from the cache while the refresh runs...
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");
    // ...and the next one sees the new config.
    let next: string | null = null;
    for (let i = 0; i < 20 && next !== "b"; i++) next = await originOf(await worker.fetch("x.example.com", "/"));
    expect(next).toBe("b");
  });

  it("keeps round-robin positions across a reload for unchanged origins", async () => {
    worker = await startWorker();
    await worker.putConfig(config("web", [a.url, b.url]));
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");
    // A new version that only adds a rule: the pool and its origins are unchanged.
    const next = config("web", [a.url, b.url]);
    next.rules.push({ http: { paths: [{ path: "/extra", pathType: "Exact", backend: { service: { name: "web" } } }] } });
    await worker.putConfig(next);
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("b");
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");
    expect(logged(worker, "config.loaded")).toHaveLength(2);
  });
});
