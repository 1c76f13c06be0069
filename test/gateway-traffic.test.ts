// HTTPRoute timeouts and retries through the Worker in workerd, against
// real echo origins that fail on command: what the vectors do not cover.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEchoOrigin, type EchoOrigin } from "./support/echo-origins";
import { startWorker, type TestWorker } from "./support/worker";

let worker: TestWorker;
let flaky: EchoOrigin;
let steady: EchoOrigin;

const listeners = [{ name: "http", port: 80, protocol: "HTTP" }];
function config(rules: unknown[]) {
  return {
    pools: { flaky: { origins: [{ url: flaky.url }] }, steady: { origins: [{ url: steady.url }] } },
    gateways: [{ name: "edge", listeners }],
    httpRoutes: [{ name: "r", parentRefs: [{ name: "edge" }], hostnames: ["retry.test"], rules }],
  };
}

beforeAll(async () => {
  [flaky, steady] = await Promise.all([startEchoOrigin("flaky"), startEchoOrigin("steady")]);
  worker = await startWorker();
});
afterAll(async () => {
  await worker?.dispose();
  await Promise.all([flaky?.close(), steady?.close()]);
});

const tries = (key: string) => flaky.requests.filter((r) => r.headers["x-echo-key"] === key).length;

describe("HTTPRoute retry", () => {
  beforeAll(() =>
    worker.putConfig(
      config([
        { matches: [{ path: { value: "/retry" } }], backendRefs: [{ name: "flaky" }], retry: { codes: [503], attempts: 2, backoff: "10ms" } },
        { matches: [{ path: { value: "/plain" } }], backendRefs: [{ name: "flaky" }] },
      ]),
    ),
  );

  it("retries a listed status up to `attempts` more times, then answers", async () => {
    const key = randomUUID();
    const ok = await worker.fetch("retry.test", "/retry", { headers: { "x-echo-key": key, "x-echo-fail-first": "2" } });
    expect(ok.status).toBe(200);
    expect(tries(key)).toBe(3);

    const again = randomUUID();
    const failed = await worker.fetch("retry.test", "/retry", { headers: { "x-echo-key": again, "x-echo-fail-first": "5" } });
    expect(failed.status).toBe(503);
    expect(await failed.text()).toMatch(/flaky fails try 3/);
    expect(tries(again)).toBe(3);
  });

  it("never sends a request with a body twice, nor a POST", async () => {
    const key = randomUUID();
    const post = await worker.fetch("retry.test", "/retry", { method: "POST", body: "x", headers: { "x-echo-key": key, "x-echo-fail-first": "1" } });
    expect(post.status).toBe(503);
    expect(tries(key)).toBe(1);
  });

  it("without `retry`, a 503 is the answer (only connection failures are retried, as for Ingress rules)", async () => {
    const key = randomUUID();
    const response = await worker.fetch("retry.test", "/plain", { headers: { "x-echo-key": key, "x-echo-fail-first": "1" } });
    expect(response.status).toBe(503);
    expect(tries(key)).toBe(1);
  });
});

describe("HTTPRoute timeouts", () => {
  beforeAll(() =>
    worker.putConfig(
      config([
        { matches: [{ path: { value: "/request" } }], backendRefs: [{ name: "steady" }], timeouts: { request: "300ms" } },
        { matches: [{ path: { value: "/backend" } }], backendRefs: [{ name: "flaky" }], timeouts: { request: "3s", backendRequest: "200ms" }, retry: { codes: [503], attempts: 3, backoff: "10ms" } },
      ]),
    ),
  );

  it("answers 504 when the whole request passes timeouts.request", async () => {
    const slow = await worker.fetch("retry.test", "/request", { headers: { "x-echo-delay": "1s" } });
    expect(slow.status).toBe(504);
    expect(slow.headers.get("x-edge-ingress-error")).toBe("origin-timeout");
    expect((await worker.fetch("retry.test", "/request")).status).toBe(200);
  });

  it("times out each try at backendRequest and retries it within the request timeout", async () => {
    const key = randomUUID();
    // Every try is delayed past backendRequest: each times out, and all 1 + 3 tries are made.
    const response = await worker.fetch("retry.test", "/backend", { headers: { "x-echo-key": key, "x-echo-delay": "400ms" } });
    expect(response.status).toBe(504);
    expect(tries(key)).toBe(4);
  });
});
