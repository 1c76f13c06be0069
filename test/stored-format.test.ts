// The Worker and the stored format: it reads what an older CLI wrote (no
// format), and a value in a newer format than it knows never takes traffic
// down: a warm isolate keeps its config, a new one serves the newest version
// of the history it can read, and both log why, naming the format.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { configVersion } from "../src/cli/version";
import { KV_KEYS, STORED_FORMAT } from "../src/core/config/stored";
import { startOrigin, type TestOrigin } from "./support/origins";
import { startWorker, type TestWorker } from "./support/worker";

let a: TestOrigin;
let b: TestOrigin;
let worker: TestWorker | undefined;

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

const config = (url: string) => ({
  pools: { web: { origins: [{ url }] } },
  rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } } }] } }],
});
/** As an older CLI wrote it: no format. */
const unversioned = (doc: unknown) => ({ version: configVersion(doc), appliedAt: "2026-11-26T06:00:00.000Z", config: doc });
/** As a newer CLI would write it; its config is one this Worker would misread. */
const newer = { format: STORED_FORMAT + 1, version: "f00000000002", appliedAt: "2026-11-27T06:00:00.000Z", config: { routes: "a shape this Worker does not know" } };
const FORMAT_PROBLEM = `${KV_KEYS.config}.format: is ${STORED_FORMAT + 1}: written by a newer edge-ingress than this one, which reads formats up to ${STORED_FORMAT}; upgrade it ("npm update edge-ingress", then "wrangler deploy" for the Worker)`;

const originOf = async (r: Response) => (await r.arrayBuffer(), r.headers.get("x-origin"));
const logged = (w: TestWorker, event: string) => w.logs.filter((l) => (l as { event?: string }).event === event);

describe("the stored format in the Worker", () => {
  it("serves a value an older CLI wrote, without a format", async () => {
    worker = await startWorker();
    await (await worker.kv()).put(KV_KEYS.config, JSON.stringify(unversioned(config(a.url))));
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");
  });

  it("a new isolate given a newer format serves the newest version of the history it reads, and logs the format", async () => {
    worker = await startWorker();
    const kv = await worker.kv();
    const good = unversioned(config(b.url));
    await kv.put(KV_KEYS.history, JSON.stringify([newer, good]));
    await kv.put(KV_KEYS.config, JSON.stringify(newer));
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("b");
    expect(logged(worker, "config.fallback")).toMatchObject([{ version: newer.version, problems: [FORMAT_PROBLEM], servingVersion: good.version }]);
  });

  it("a warm isolate keeps its config when a newer format is written, and logs the format", async () => {
    worker = await startWorker();
    const kv = await worker.kv();
    await kv.put(KV_KEYS.config, JSON.stringify(unversioned(config(a.url))));
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");
    await kv.put(KV_KEYS.config, JSON.stringify(newer));
    expect(await originOf(await worker.fetch("x.example.com", "/"))).toBe("a");
    expect(logged(worker, "config.invalid")).toMatchObject([{ version: newer.version, problems: [FORMAT_PROBLEM] }]);
  });
});
