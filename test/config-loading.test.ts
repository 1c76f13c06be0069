// How the Worker reads its config from KV: no config, bad values, the isolate
// cache and its background refresh, and policy state across reloads.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
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
