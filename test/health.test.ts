// Active health checks from the cron handler, the health state in KV, and
// what the request path does with it: the real Worker in workerd against
// real origin servers on 127.0.0.1 whose behaviour each test switches.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KV_KEYS } from "../src/core/config/stored";
import { startOrigin, type TestOrigin } from "./support/origins";
import { startWorker, type TestWorker } from "./support/worker";

let worker: TestWorker;
let a: TestOrigin;
let b: TestOrigin;
let minute = 0;

const healthCheck = { path: "/healthz", timeoutMs: 300, healthyThreshold: 2, unhealthyThreshold: 2 };
const route = (pool: string) => ({ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: pool } } }] } });
const originOf = async (r: Response) => (await r.arrayBuffer(), r.headers.get("x-origin"));

/** Fires one cron run, each a minute after the previous one. */
const tick = () => worker.scheduled(new Date(Date.UTC(2026, 10, 27, 6, minute++)));

async function healthState(): Promise<{ text: string | null; origins: Record<string, { up: boolean; reason?: string }> }> {
  const text = await (await worker.kv()).get(KV_KEYS.health);
  return { text, origins: text ? JSON.parse(text).origins : {} };
}

async function spread(host: string, n = 6): Promise<string> {
  const seen: (string | null)[] = [];
  for (let i = 0; i < n; i++) seen.push(await originOf(await worker.fetch(host, "/")));
  return [...new Set(seen)].sort().join(",");
}

// Each test gets its own Worker (its own isolate: ejection and policy state,
// KV with the health state) and its own origins, so no test depends on another.
beforeEach(async () => {
  [a, b] = await Promise.all([startOrigin("a"), startOrigin("b")]);
  worker = await startWorker();
});
afterEach(async () => {
  await worker?.dispose();
  await Promise.all([a, b].map((o) => o?.close()));
});

describe("active health checks", () => {
  it("takes an origin down after unhealthyThreshold failures and back after healthyThreshold successes", async () => {
    await worker.putConfig({ pools: { web: { origins: [{ url: a.url }, { url: b.url }], healthCheck } }, rules: [route("web")] });
    const bKey = `web ${b.url}`;

    await tick();
    // New origins start up; the first run records them (one write).
    expect((await healthState()).origins[bKey]).toMatchObject({ up: true });
    expect(a.requests.map((r) => r.url)).toEqual(["/healthz"]);

    b.mode = { kind: "status", status: 503 };
    await tick();
    expect((await healthState()).origins[bKey]).toMatchObject({ up: true, reason: "status 503" });
    expect(await spread("h.example.com")).toBe("a,b");
    await tick();
    expect((await healthState()).origins[bKey]).toMatchObject({ up: false, reason: "status 503" });
    expect(await spread("h.example.com")).toBe("a");

    b.mode = { kind: "ok" };
    await tick();
    expect((await healthState()).origins[bKey]).toMatchObject({ up: false });
    await tick();
    expect((await healthState()).origins[bKey]).toMatchObject({ up: true });
    expect(await spread("h.example.com")).toBe("a,b");
  });

  it("fails probes on timeout, closed port and missing body text, with the reason kept", async () => {
    const dead = await startOrigin("dead");
    await dead.closePort();
    try {
      await worker.putConfig({
        pools: {
          web: { origins: [{ url: a.url }, { url: b.url }, { url: dead.url }], healthCheck: { ...healthCheck, bodyContains: "ok", unhealthyThreshold: 1 } },
        },
        rules: [route("web")],
      });
      a.mode = { kind: "hang" };
      b.healthBody = "degraded";
      await tick();
      const { origins } = await healthState();
      expect(origins[`web ${a.url}`]).toMatchObject({ up: false, reason: "timeout after 300 ms" });
      expect(origins[`web ${b.url}`]).toMatchObject({ up: false, reason: 'body does not contain "ok"' });
      expect(origins[`web ${dead.url}`]).toMatchObject({ up: false, reason: expect.stringMatching(/^connection failed/) });
    } finally {
      await dead.close();
    }
  });

  it("writes nothing to KV in steady state", async () => {
    await worker.putConfig({ pools: { web: { origins: [{ url: a.url }, { url: b.url }], healthCheck: { ...healthCheck, unhealthyThreshold: 1 } } }, rules: [route("web")] });
    b.mode = { kind: "status", status: 500 };
    await tick();
    const kv = await worker.kv();
    const written = await kv.get(KV_KEYS.health);
    expect(written).not.toBeNull();
    // Re-store the same state pretty-printed: any later write would replace this exact text.
    const marker = JSON.stringify(JSON.parse(written!), null, 2);
    await kv.put(KV_KEYS.health, marker);
    for (let i = 0; i < 3; i++) await tick();
    expect(await kv.get(KV_KEYS.health)).toBe(marker);
    const runs = worker.logs.filter((l) => (l as { event?: string }).event === "health.run").slice(-3);
    expect(runs.map((r) => (r as { wrote: boolean }).wrote)).toEqual([false, false, false]);
  });
});

describe("when every origin is down", () => {
  async function allDown(whenAllDown: unknown) {
    await worker.putConfig({
      pools: {
        web: { origins: [{ url: a.url }], healthCheck: { ...healthCheck, unhealthyThreshold: 1 }, ...(whenAllDown === undefined ? {} : { whenAllDown }) },
        spare: { origins: [{ url: b.url }] },
      },
      rules: [route("web")],
    });
    a.mode = { kind: "status", status: 503 };
    await tick();
    expect((await healthState()).origins[`web ${a.url}`]).toMatchObject({ up: false });
    a.mode = { kind: "ok" };
  }

  it("fails open by default: uses all origins", async () => {
    await allDown(undefined);
    expect(await originOf(await worker.fetch("d.example.com", "/"))).toBe("a");
  });

  it('answers 503 with Retry-After when whenAllDown is "503"', async () => {
    await allDown("503");
    const response = await worker.fetch("d.example.com", "/");
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("60");
    expect(response.headers.get("x-edge-ingress-error")).toBe("all-origins-down");
    expect(await response.text()).toBe("edge-ingress: no origin is available; try again later\n");
    expect(a.requests.filter((r) => r.url === "/")).toHaveLength(0);
  });

  it("sends traffic to the fallback pool", async () => {
    await allDown("spare");
    expect(await originOf(await worker.fetch("d.example.com", "/"))).toBe("b");
  });
});

describe("passive ejection", () => {
  it("skips an origin that keeps failing on live traffic, then tries it again after the cooldown", async () => {
    await worker.putConfig({
      pools: { web: { policy: "round-robin", origins: [{ url: a.url }, { url: b.url }], passiveEjection: { consecutiveFailures: 2, cooldownMs: 1_000 } } },
      rules: [route("web")],
    });
    a.mode = { kind: "reset" };
    // Every GET succeeds: a failure on a is retried on b.
    for (let i = 0; i < 6; i++) expect(await originOf(await worker.fetch("p.example.com", "/"))).toBe("b");
    // a was tried until it was ejected after two failures, then left alone.
    expect(a.requests).toHaveLength(2);

    // After the cooldown a is tried again and, answering now, gets its share.
    a.mode = { kind: "ok" };
    await vi.waitFor(async () => expect(await spread("p.example.com", 4)).toBe("a,b"), { timeout: 10_000, interval: 100 });
  });

  it("counts 5xx as failures only when the pool opts in", async () => {
    await worker.putConfig({
      pools: { web: { origins: [{ url: a.url }, { url: b.url }], passiveEjection: { consecutiveFailures: 1, cooldownMs: 60_000, on5xx: true } } },
      rules: [route("web")],
    });
    a.mode = { kind: "status", status: 500 };
    const first = await Promise.all([0, 1].map(async () => (await worker.fetch("q.example.com", "/")).status));
    expect(first.sort()).toEqual([200, 500]);
    for (let i = 0; i < 4; i++) expect(await originOf(await worker.fetch("q.example.com", "/"))).toBe("b");
  });

  it("never ejects the last available origin", async () => {
    await worker.putConfig({
      pools: { solo: { origins: [{ url: a.url }], passiveEjection: { consecutiveFailures: 1, cooldownMs: 60_000 } } },
      rules: [route("solo")],
    });
    a.mode = { kind: "reset" };
    expect((await worker.fetch("s.example.com", "/")).status).toBe(502);
    a.mode = { kind: "ok" };
    expect(await originOf(await worker.fetch("s.example.com", "/"))).toBe("a");
  });
});
