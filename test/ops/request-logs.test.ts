// One structured log line and one Analytics Engine data point per request,
// from the real Worker in workerd proxying to real origins on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOrigin, type TestOrigin } from "../support/origins";
import { startWorker, type TestWorker } from "../support/worker";

type Line = Record<string, unknown>;

let a: TestOrigin;
let b: TestOrigin;
let worker: TestWorker;

const route = (pool: string, path = "/") => ({ path, pathType: "Prefix", backend: { service: { name: pool } } });

/** The request log lines of one request (matched by its id), waiting until `count` have arrived. */
async function linesOf(w: TestWorker, requestId: string, count: number): Promise<Line[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = w.logs.filter((l): l is Line => typeof l === "object" && l !== null && (l as Line).requestId === requestId && (l as Line).event === "request");
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function send(w: TestWorker, host: string, path = "/", method = "GET"): Promise<{ status: number; id: string }> {
  const id = `req-${Math.random().toString(36).slice(2)}`;
  const response = await w.fetch(host, path, { method, headers: { "x-request-id": id } });
  await response.arrayBuffer();
  return { status: response.status, id };
}

beforeAll(async () => {
  [a, b] = await Promise.all([startOrigin("a"), startOrigin("b")]);
  worker = await startWorker({ analytics: true });
  await worker.putConfig({
    pools: {
      web: { origins: [{ url: a.url }, { url: b.url }], passiveEjection: { consecutiveFailures: 1, cooldownMs: 60_000 } },
      slow: { origins: [{ url: a.url }], timeoutMs: 300 },
      closed: { origins: [{ url: "http://127.0.0.1:1" }] },
      gone: { origins: [{ url: b.url }], whenAllDown: "503", healthCheck: { path: "/healthz", unhealthyThreshold: 1 } },
    },
    rules: [
      { host: "web.example.com", http: { paths: [route("web")] } },
      { host: "slow.example.com", http: { paths: [route("slow")] } },
      { host: "closed.example.com", http: { paths: [route("closed")] } },
      { host: "gone.example.com", http: { paths: [route("gone")] } },
    ],
  });
});
afterAll(async () => {
  await worker?.dispose();
  await Promise.all([a, b].map((o) => o?.close()));
});

describe("the request log", () => {
  it("has one line per proxied request with what on-call needs", async () => {
    const { status, id } = await send(worker, "web.example.com", "/shop/cart?token=secret");
    expect(status).toBe(200);
    const lines = await linesOf(worker, id, 1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual({
      level: "info",
      event: "request",
      requestId: id,
      method: "GET",
      host: "web.example.com",
      path: "/shop/cart",
      rule: "rules[0].http.paths[0]",
      pool: "web",
      origin: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      status: 200,
      durationMs: expect.any(Number),
      retried: false,
      ejected: false,
      error: null,
    });
    // The query may carry tokens: it is never logged.
    expect(JSON.stringify(worker.logs)).not.toContain("token=secret");
  });

  it("says when a request was retried after a failure that ejected the origin", async () => {
    a.mode = { kind: "reset" };
    try {
      // Round-robin starts with a: it fails, is ejected, and the request is retried on b.
      const results = [await send(worker, "web.example.com"), await send(worker, "web.example.com")];
      const lines = (await Promise.all(results.map((r) => linesOf(worker, r.id, 1)))).flat();
      const retried = lines.find((l) => l.retried === true);
      expect(retried).toMatchObject({ status: 200, origin: b.url, retried: true, ejected: true, error: null });
    } finally {
      a.mode = { kind: "ok" };
    }
  });

  it("always has an error line for the router's own 502, 503 and 504", async () => {
    a.mode = { kind: "hang" };
    try {
      const timeout = await send(worker, "slow.example.com");
      expect(timeout.status).toBe(504);
      expect((await linesOf(worker, timeout.id, 1))[0]).toMatchObject({ level: "error", status: 504, error: "origin-timeout", pool: "slow", origin: a.url });
    } finally {
      a.mode = { kind: "ok" };
    }
    const unreachable = await send(worker, "closed.example.com");
    expect(unreachable.status).toBe(502);
    expect((await linesOf(worker, unreachable.id, 1))[0]).toMatchObject({ level: "error", status: 502, error: "origin-unreachable", pool: "closed" });

    b.mode = { kind: "status", status: 500 };
    try {
      await worker.scheduled(new Date(Date.UTC(2026, 10, 27, 8, 0)));
    } finally {
      b.mode = { kind: "ok" };
    }
    const down = await send(worker, "gone.example.com");
    expect(down.status).toBe(503);
    expect((await linesOf(worker, down.id, 1))[0]).toMatchObject({ level: "error", status: 503, error: "all-origins-down", pool: "gone", origin: null });
  });

  it("logs requests no rule matches, and requests refused before routing, once each", async () => {
    const miss = await send(worker, "nowhere.example.com", "/x");
    expect(miss.status).toBe(404);
    expect(await linesOf(worker, miss.id, 1)).toEqual([expect.objectContaining({ level: "info", status: 404, error: "no-route", rule: null, pool: null, host: "nowhere.example.com", path: "/x" })]);
    const trace = await send(worker, "web.example.com", "/", "TRACE");
    expect(trace.status).toBe(501);
    expect(await linesOf(worker, trace.id, 1)).toEqual([expect.objectContaining({ status: 501, error: "bad-request", host: "web.example.com", method: "TRACE" })]);
  });

  it("has an error line for a request while no config is applied", async () => {
    const w = await startWorker();
    try {
      const { status, id } = await send(w, "any.example.com");
      expect(status).toBe(503);
      expect(await linesOf(w, id, 1)).toEqual([expect.objectContaining({ level: "error", status: 503, error: "no-config" })]);
    } finally {
      await w.dispose();
    }
  });
});

describe("REQUEST_LOG_SAMPLE_RATE", () => {
  it("at 0 drops the lines of plain successes only; errors and retries keep theirs, and metrics still count every request", async () => {
    const w = await startWorker({ analytics: true, vars: { REQUEST_LOG_SAMPLE_RATE: "0" } });
    try {
      await w.putConfig({ pools: { web: { origins: [{ url: a.url }] }, closed: { origins: [{ url: "http://127.0.0.1:1" }] } }, rules: [{ host: "closed.example.com", http: { paths: [route("closed")] } }, { http: { paths: [route("web")] } }] });
      const points = () => w.logs.filter((l) => (l as { analyticsEngine?: unknown }).analyticsEngine !== undefined).length;
      const before = points();
      const ok = await send(w, "plain.example.com");
      const failed = await send(w, "closed.example.com");
      expect([ok.status, failed.status]).toEqual([200, 502]);
      // The failure's line arrives after the success's would have: waiting for it bounds the wait for both.
      expect(await linesOf(w, failed.id, 1)).toEqual([expect.objectContaining({ level: "error", status: 502 })]);
      const deadline = Date.now() + 5_000;
      while (points() < before + 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(points() - before).toBe(2);
      expect(w.logs.filter((l) => (l as Line).requestId === ok.id && (l as Line).event === "request")).toEqual([]);
    } finally {
      await w.dispose();
    }
  });

  it("refuses a value that is not a share from 0 to 1, says so once, and keeps every line", async () => {
    const w = await startWorker({ vars: { REQUEST_LOG_SAMPLE_RATE: "half" } });
    try {
      await w.putConfig({ pools: { web: { origins: [{ url: a.url }] } }, rules: [{ http: { paths: [route("web")] } }] });
      const first = await send(w, "plain.example.com");
      const second = await send(w, "plain.example.com");
      expect(await linesOf(w, first.id, 1)).toHaveLength(1);
      expect(await linesOf(w, second.id, 1)).toHaveLength(1);
      const warnings = w.logs.filter((l) => (l as Line).event === "vars.invalid");
      expect(warnings).toEqual([expect.objectContaining({ level: "error", name: "REQUEST_LOG_SAMPLE_RATE", message: expect.stringContaining('"half"') })]);
    } finally {
      await w.dispose();
    }
  });
});

describe("Analytics Engine", () => {
  it("gets one data point per request, with the documented columns", async () => {
    const { id } = await send(worker, "web.example.com", "/metrics-check");
    const [line] = await linesOf(worker, id, 1);
    // The request id is not a column; match the point by its values.
    const points = worker.logs
      .map((l) => (l as { analyticsEngine?: { indexes: string[]; blobs: string[]; doubles: number[] } }).analyticsEngine)
      .filter((p) => p !== undefined && p.doubles[0] === line!.durationMs && p.blobs[3] === line!.origin && p.blobs[0] === "web.example.com");
    expect(points.length).toBeGreaterThanOrEqual(1);
    expect(points.at(-1)).toEqual({
      indexes: ["web"],
      blobs: ["web.example.com", "rules[0].http.paths[0]", "web", line!.origin, "2xx", "", "GET"],
      doubles: [line!.durationMs, 200, 0, 0],
    });
  });

  it("counts exactly one point per request", async () => {
    const count = () => worker.logs.filter((l) => (l as { analyticsEngine?: unknown }).analyticsEngine !== undefined).length;
    const requestLines = () => worker.logs.filter((l) => (l as Line).event === "request").length;
    const before = count();
    const linesBefore = requestLines();
    for (let i = 0; i < 5; i++) await send(worker, i % 2 ? "web.example.com" : "nowhere.example.com");
    const deadline = Date.now() + 5_000;
    while ((count() < before + 5 || requestLines() < linesBefore + 5) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(count() - before).toBe(5);
    expect(requestLines() - linesBefore).toBe(5);
  });

  it("is optional: without the binding the router proxies and logs the same", async () => {
    const w = await startWorker();
    try {
      await w.putConfig({ pools: { web: { origins: [{ url: a.url }] } }, rules: [{ http: { paths: [route("web")] } }] });
      const { status, id } = await send(w, "plain.example.com");
      expect(status).toBe(200);
      expect(await linesOf(w, id, 1)).toHaveLength(1);
      expect(w.logs.some((l) => (l as { analyticsEngine?: unknown }).analyticsEngine !== undefined)).toBe(false);
      expect(w.logs.some((l) => (l as Line).event === "metrics.write_failed")).toBe(false);
    } finally {
      await w.dispose();
    }
  });
});
