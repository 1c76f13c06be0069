// Health-check headers from Worker secrets, in the real Worker: the cron run
// reads the secret from env when it probes, an origin that requires the token
// sees it, a missing secret fails the pool's probes with a reason that names
// the secret, and no value reaches the logs or KV.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KV_KEYS } from "../src/core/config/stored";
import { startOrigin, type TestOrigin } from "./support/origins";
import { startWorker, type TestWorker } from "./support/worker";

const TOKEN = "Bearer s3cret-token-4711";

let worker: TestWorker;
let a: TestOrigin;
let b: TestOrigin;
let minute = 0;

const route = (host: string, pool: string) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: pool } } }] } });
const tick = () => worker.scheduled(new Date(Date.UTC(2026, 10, 28, 6, minute++)));

async function healthOf(key: string): Promise<{ up: boolean; reason?: string } | undefined> {
  const text = await (await worker.kv()).get(KV_KEYS.health);
  return text ? JSON.parse(text).origins[key] : undefined;
}

beforeAll(async () => {
  [a, b] = await Promise.all([startOrigin("a"), startOrigin("b")]);
  a.healthAuthorization = TOKEN;
  b.healthAuthorization = TOKEN;
  worker = await startWorker({ secrets: { HEALTH_TOKEN: TOKEN } });
});
afterAll(async () => {
  await worker?.dispose();
  await Promise.all([a, b].map((o) => o?.close()));
});

describe("health-check headers from Worker secrets", () => {
  it("sends the secret's value to an origin that requires it, and fails a pool whose secret is not set", async () => {
    const healthCheck = (secret: string) => ({ path: "/healthz", unhealthyThreshold: 1, headers: { Authorization: { secret } } });
    await worker.putConfig({
      pools: {
        good: { origins: [{ url: a.url }], healthCheck: healthCheck("HEALTH_TOKEN") },
        missing: { origins: [{ url: b.url }], healthCheck: healthCheck("MISSING_TOKEN") },
      },
      rules: [route("good.example.com", "good"), route("missing.example.com", "missing")],
    });
    await tick();

    expect(a.requests.filter((r) => r.url === "/healthz").map((r) => r.headers.authorization)).toEqual([TOKEN]);
    expect(await healthOf(`good ${a.url}`)).toMatchObject({ up: true });
    // The probe was never sent: it could only have failed.
    expect(b.requests.filter((r) => r.url === "/healthz")).toEqual([]);
    expect(await healthOf(`missing ${b.url}`)).toEqual({ up: false, streak: 0, sinceMs: expect.any(Number), reason: "secret MISSING_TOKEN is not set" });
    expect(worker.logs).toContainEqual(
      expect.objectContaining({ level: "error", event: "health.probe_headers", pool: "missing", secret: "MISSING_TOKEN", message: "secret MISSING_TOKEN is not set" }),
    );

    // Never the value: not in a log line, not in the health state.
    expect(JSON.stringify(worker.logs)).not.toContain("s3cret");
    expect(await (await worker.kv()).get(KV_KEYS.health)).not.toContain("s3cret");
  });

  it("keeps serving a config stored before header checks existed; a value HTTP refuses fails the probe, not the router", async () => {
    await worker.putConfig({
      pools: {
        legacy: {
          origins: [{ url: a.url }],
          // What an older version accepted: a Host header (which Workers never sent) and a value with CR/LF.
          healthCheck: { path: "/healthz", unhealthyThreshold: 1, headers: { Host: "legacy.internal", Authorization: TOKEN, "X-Bad": "one\r\nX-Injected: two" } },
        },
      },
      rules: [route("legacy.example.com", "legacy")],
    });
    const response = await worker.fetch("legacy.example.com", "/page");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-origin")).toBe("a");
    await response.arrayBuffer();

    await tick();
    expect(await healthOf(`legacy ${a.url}`)).toMatchObject({
      up: false,
      reason: "header X-Bad is not a valid header value: it contains a line break (CR or LF), which would end the header",
    });
    expect(worker.logs.filter((l) => (l as { event?: string }).event === "config.invalid")).toEqual([]);
  });
});
