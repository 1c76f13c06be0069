// Probes against real HTTP servers on 127.0.0.1, with Node's own fetch.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { HealthCheckSpec, Origin } from "../config/types";
import { MAX_DRAINED_BODY_BYTES, MAX_PROBE_BODY_BYTES, probe, statusExpected } from "./probe";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
}

const seen: Seen[] = [];
let server: Server;
let base: string;
let closedPortUrl: string;

function handle(req: IncomingMessage, res: ServerResponse): void {
  seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
  const path = req.url ?? "/";
  const status = /^\/base\/status\/(\d{3})$/.exec(path);
  if (status) {
    res.writeHead(Number(status[1]), { location: "/base/ok" }).end("status page");
  } else if (path === "/base/ok" || path === "/base/ok?full=1") {
    res.writeHead(200, { "content-type": "text/plain" }).end("all ok: healthy");
  } else if (path === "/base/down") {
    res.writeHead(503).end("maintenance");
  } else if (path === "/base/split") {
    // The needle "healthy" arrives across two chunks.
    res.writeHead(200);
    res.write("status: hea");
    setTimeout(() => res.end("lthy"), 20);
  } else if (path === "/base/big") {
    res.writeHead(200);
    res.end("x".repeat(MAX_PROBE_BODY_BYTES + 1024) + "healthy");
  } else if (path === "/base/auth") {
    res.writeHead(req.headers["x-probe-token"] === "s3cret" ? 200 : 401).end();
  } else if (path === "/base/hang") {
    // Never answers.
  } else if (path === "/base/hang-body") {
    res.writeHead(200);
    res.write("partial, then nothing");
  } else {
    res.writeHead(404).end();
  }
}

function listen(s: Server): Promise<number> {
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as AddressInfo).port)));
}

beforeAll(async () => {
  server = createServer(handle);
  base = `http://127.0.0.1:${await listen(server)}/base`;
  const closed = createServer();
  const port = await listen(closed);
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  closedPortUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function spec(overrides: Partial<HealthCheckSpec> = {}): HealthCheckSpec {
  return {
    path: "/ok",
    method: "GET",
    expectedStatus: [{ from: 200, to: 399 }],
    timeoutMs: 5000,
    healthyThreshold: 2,
    unhealthyThreshold: 2,
    headers: {},
    ...overrides,
  };
}

function origin(url = base): Origin {
  return { url, weight: 1, key: `api ${url}` };
}

describe("probe", () => {
  it("passes on 200 and appends the path to the origin's base path", async () => {
    seen.length = 0;
    expect(await probe(origin(), spec(), fetch)).toEqual({ ok: true });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(["GET /base/ok"]);
  });

  it("keeps a query in the path", async () => {
    seen.length = 0;
    expect(await probe(origin(), spec({ path: "/ok?full=1" }), fetch)).toEqual({ ok: true });
    expect(seen[0]?.url).toBe("/base/ok?full=1");
  });

  it("fails on 503 with the status as reason", async () => {
    expect(await probe(origin(), spec({ path: "/down" }), fetch)).toEqual({ ok: false, reason: "status 503" });
  });

  it("matches the body", async () => {
    expect(await probe(origin(), spec({ bodyContains: "healthy" }), fetch)).toEqual({ ok: true });
  });

  it("fails when the body does not contain the text", async () => {
    expect(await probe(origin(), spec({ bodyContains: "ok\"x" }), fetch)).toEqual({ ok: false, reason: 'body does not contain "ok\\"x"' });
  });

  it("finds text split across chunks", async () => {
    expect(await probe(origin(), spec({ path: "/split", bodyContains: "healthy" }), fetch)).toEqual({ ok: true });
  });

  it("reads no further than the body limit", async () => {
    expect(await probe(origin(), spec({ path: "/big", bodyContains: "healthy" }), fetch)).toEqual({
      ok: false,
      reason: 'body does not contain "healthy"',
    });
  });

  it("checks the status before the body", async () => {
    expect(await probe(origin(), spec({ path: "/down", bodyContains: "maintenance" }), fetch)).toEqual({ ok: false, reason: "status 503" });
  });

  it("sends HEAD when asked", async () => {
    seen.length = 0;
    expect(await probe(origin(), spec({ method: "HEAD" }), fetch)).toEqual({ ok: true });
    expect(seen.map((s) => s.method)).toEqual(["HEAD"]);
  });

  it("sends the configured headers", async () => {
    seen.length = 0;
    expect(await probe(origin(), spec({ path: "/auth" }), fetch, { "X-Probe-Token": "s3cret" })).toEqual({ ok: true });
    expect(seen[0]?.headers["x-probe-token"]).toBe("s3cret");
    expect(await probe(origin(), spec({ path: "/auth" }), fetch)).toEqual({ ok: false, reason: "status 401" });
  });

  it("times out on a server that never answers", async () => {
    expect(await probe(origin(), spec({ path: "/hang", timeoutMs: 200 }), fetch)).toEqual({ ok: false, reason: "timeout after 200 ms" });
  });

  it("times out on a body that stalls after the headers", async () => {
    expect(await probe(origin(), spec({ path: "/hang-body", bodyContains: "healthy", timeoutMs: 200 }), fetch)).toEqual({
      ok: false,
      reason: "timeout after 200 ms",
    });
  });

  it("passes a stalled body when no body text is required (the body is cancelled, not read)", async () => {
    expect(await probe(origin(), spec({ path: "/hang-body", timeoutMs: 200 }), fetch)).toEqual({ ok: true });
  });

  it("reads a small body of announced length to its end instead of cancelling it, and cancels any other", async () => {
    const answer = (body: BodyInit, headers: Record<string, string>) => {
      const response = new Response(body, { headers });
      return { response, read: vi.spyOn(response, "arrayBuffer"), cancel: vi.spyOn(response.body!, "cancel") };
    };
    const small = answer("ok", { "content-length": "2" });
    expect(await probe(origin(), spec(), (async () => small.response) as typeof fetch)).toEqual({ ok: true });
    expect([small.read.mock.calls.length, small.cancel.mock.calls.length]).toEqual([1, 0]);
    const unknownLength = answer(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("ok")) }), {});
    const large = answer("x", { "content-length": String(MAX_DRAINED_BODY_BYTES + 1) });
    for (const { response, read, cancel } of [unknownLength, large]) {
      expect(await probe(origin(), spec(), (async () => response) as typeof fetch)).toEqual({ ok: true });
      expect([read.mock.calls.length, cancel.mock.calls.length]).toEqual([0, 1]);
    }
  });

  it("reports a refused connection", async () => {
    const result = await probe(origin(closedPortUrl), spec(), fetch);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^connection failed: .*ECONNREFUSED/);
  });

  it("reports an error thrown by fetch itself as a connection failure", async () => {
    const failing = (() => Promise.reject(new TypeError("network down"))) as typeof fetch;
    expect(await probe(origin(), spec(), failing)).toEqual({ ok: false, reason: "connection failed: network down" });
  });

  it("judges a redirect by its own status instead of following it", async () => {
    seen.length = 0;
    expect(await probe(origin(), spec({ path: "/status/302" }), fetch)).toEqual({ ok: true });
    expect(seen.map((s) => s.url)).toEqual(["/base/status/302"]);
    expect(await probe(origin(), spec({ path: "/status/302", expectedStatus: [{ from: 200, to: 299 }] }), fetch)).toEqual({
      ok: false,
      reason: "status 302",
    });
  });

  it("accepts any status in the listed ranges, bounds included", async () => {
    const expectedStatus = [
      { from: 200, to: 204 },
      { from: 404, to: 404 },
    ];
    expect(await probe(origin(), spec({ path: "/status/204", expectedStatus }), fetch)).toEqual({ ok: true });
    expect(await probe(origin(), spec({ path: "/status/404", expectedStatus }), fetch)).toEqual({ ok: true });
    expect(await probe(origin(), spec({ path: "/status/205", expectedStatus }), fetch)).toEqual({ ok: false, reason: "status 205" });
  });
});

describe("statusExpected", () => {
  it("treats ranges as inclusive", () => {
    const ranges = [{ from: 200, to: 399 }];
    expect([199, 200, 399, 400].map((s) => statusExpected(s, ranges))).toEqual([false, true, true, false]);
    expect(statusExpected(200, [])).toBe(false);
  });
});
