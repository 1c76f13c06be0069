// The real Worker in workerd, proxying to real origin servers on 127.0.0.1.
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startOrigin, type TestOrigin } from "./support/origins";
import { startWorker, type TestWorker } from "./support/worker";

let worker: TestWorker;
let a: TestOrigin;
let b: TestOrigin;
let c: TestOrigin;

const backend = (name: string) => ({ service: { name, port: { number: 80 } } });
const paths = (...entries: [string, string, string][]) => ({
  paths: entries.map(([path, pathType, pool]) => ({ path, pathType, backend: backend(pool) })),
});

// Each test gets its own Worker (its own isolate: policy and ejection state,
// config cache, KV) and its own origins, so no test depends on another.
beforeEach(async () => {
  [a, b, c] = await Promise.all([startOrigin("a"), startOrigin("b"), startOrigin("c")]);
  worker = await startWorker();
});
afterEach(async () => {
  await worker?.dispose();
  await Promise.all([a, b, c].map((o) => o?.close()));
});

async function origin(response: Response): Promise<string | null> {
  await response.arrayBuffer();
  return response.headers.get("x-origin");
}

describe("routing to pools", () => {
  beforeEach(async () => {
    await worker.putConfig({
      pools: {
        web: { origins: [{ url: a.url }] },
        api: { origins: [{ url: `${b.url}/base/` }] },
        fallback: { origins: [{ url: c.url }] },
      },
      rules: [
        { host: "app.example.com", http: paths(["/", "Prefix", "web"], ["/api", "Prefix", "api"]) },
        { host: "*.example.com", http: paths(["/only", "Exact", "api"]) },
      ],
    });
  });

  it("sends each host and path to its pool", async () => {
    expect(await origin(await worker.fetch("app.example.com", "/"))).toBe("a");
    expect(await origin(await worker.fetch("APP.example.com:8443", "/api/users"))).toBe("b");
    expect(await origin(await worker.fetch("x.example.com", "/only"))).toBe("b");
  });

  it("answers 404 in plain text for an unmatched request and contacts no origin", async () => {
    const response = await worker.fetch("x.example.com", "/other");
    expect(response.status).toBe(404);
    expect(response.headers.get("x-edge-ingress-error")).toBe("no-route");
    expect(response.headers.get("content-type")).toContain("text/plain");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await response.text()).toMatch(/no rule matches host "x\.example\.com" and path "\/other"/);
    expect(a.requests.length + b.requests.length + c.requests.length).toBe(0);
  });

  it("forwards method, the normalized path, query and base path", async () => {
    const response = await worker.fetch("app.example.com", "/api//v1/caf%c3%a9?q=1&q=2", { method: "PATCH", body: "x" });
    const echo = (await response.json()) as { method: string; url: string };
    expect(echo.method).toBe("PATCH");
    expect(echo.url).toBe("/base/api/v1/caf%C3%A9?q=1&q=2");
  });

  it("forwards HEAD as HEAD", async () => {
    const response = await worker.fetch("app.example.com", "/", { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-origin")).toBe("a");
    expect(a.requests.map((r) => r.method)).toEqual(["HEAD"]);
  });

  it("refuses methods fetch cannot send, without touching an origin", async () => {
    // (workerd itself answers TRACK and CONNECT before the Worker sees them.)
    const response = await worker.fetch("app.example.com", "/", { method: "TRACE" });
    expect(response.status).toBe(501);
    expect(response.headers.get("x-edge-ingress-error")).toBe("bad-request");
    expect(a.requests).toHaveLength(0);
  });

  it("forwards an unusual method and a strange path without crashing, and refuses a malformed one", async () => {
    const purge = await worker.fetch("app.example.com", "/a|b/[c]/%7E%7e/;;/'", { method: "PURGE" });
    expect(purge.status).toBe(200);
    const echo = (await purge.json()) as { method: string; url: string };
    expect(echo).toEqual(expect.objectContaining({ method: "PURGE", url: "/a|b/[c]/~~/;;/'" }));
    const malformed = await worker.fetch("app.example.com", "/%ZZ/..%2f/%00", { method: "PURGE" });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("x-edge-ingress-error")).toBe("bad-path");
    const long = await worker.fetch("app.example.com", `/${"x".repeat(8000)}`);
    expect(long.status).toBe(200);
  });
});

describe("headers", () => {
  beforeEach(async () => {
    await worker.putConfig({ pools: { web: { origins: [{ url: a.url }] } }, rules: [{ http: paths(["/", "Prefix", "web"]) }] });
  });

  it("strips hop-by-hop fields and proxy credentials, and sets X-Forwarded-*", async () => {
    const response = await worker.fetch("site.example.com", "/h", {
      headers: {
        connection: "x-hop",
        "x-hop": "secret",
        "keep-alive": "timeout=5",
        "proxy-authorization": "Basic c2VjcmV0",
        "x-forwarded-for": "198.51.100.9",
        "x-forwarded-host": "spoofed.example",
        authorization: "Bearer for-the-origin",
      },
    });
    const { headers } = (await response.json()) as { headers: Record<string, string> };
    expect(headers["x-hop"]).toBeUndefined();
    expect(headers["proxy-authorization"]).toBeUndefined();
    expect(headers["keep-alive"]).toBeUndefined();
    expect(headers["authorization"]).toBe("Bearer for-the-origin");
    // Miniflare sets CF-Connecting-IP to the loopback address the client came from.
    expect(headers["x-forwarded-for"]).toBe("198.51.100.9, 127.0.0.1");
    expect(headers["x-forwarded-host"]).toBe("site.example.com");
    expect(headers["x-forwarded-proto"]).toBe("http");
    expect(headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("relies on workerd for the fields it owns: none reaches the origin or the client", async () => {
    const response = await worker.fetch("site.example.com", "/h", {
      headers: { connection: "keep-alive", "keep-alive": "timeout=99", te: "trailers" },
    });
    // The origin (node:http) answers with Connection: keep-alive and Keep-Alive: timeout=5.
    expect(response.headers.get("keep-alive")).not.toBe("timeout=5");
    const { headers } = (await response.json()) as { headers: Record<string, string> };
    expect(headers["keep-alive"]).toBeUndefined();
    expect(headers["te"]).toBeUndefined();
  });

  it("keeps a request id the client sent", async () => {
    const response = await worker.fetch("site.example.com", "/h", { headers: { "x-request-id": "abc-123" } });
    const { headers } = (await response.json()) as { headers: Record<string, string> };
    expect(headers["x-request-id"]).toBe("abc-123");
  });

  it("strips hop-by-hop fields from the origin's response", async () => {
    const response = await worker.fetch("site.example.com", "/hop");
    expect(await response.text()).toBe("hop");
    expect(response.headers.get("x-kept")).toBe("yes");
    expect(response.headers.get("x-origin-secret")).toBeNull();
    expect(response.headers.get("proxy-authenticate")).toBeNull();
    expect(response.headers.get("keep-alive")).toBeNull();
  });

  it("hands the origin's redirect to the client unchanged", async () => {
    const response = await worker.fetch("site.example.com", "/redirect");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("https://elsewhere.example/landing");
    expect(response.headers.get("set-cookie")).toBe("a=1");
    expect(a.requests).toHaveLength(1);
  });
});

describe("bodies stream both ways", () => {
  beforeEach(async () => {
    await worker.putConfig({ pools: { web: { origins: [{ url: a.url }] } }, rules: [{ http: paths(["/", "Prefix", "web"]) }] });
  });

  it("uploads a large body intact", async () => {
    const body = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
    const response = await worker.fetch("site.example.com", "/upload", { method: "POST", body });
    expect(await response.json()).toEqual({ bytes: body.length, sha256: createHash("sha256").update(body).digest("hex") });
    // Sent with its length, as it arrived, not re-framed as chunked.
    expect(a.requests[0]?.headers["content-length"]).toBe(String(body.length));
  });

  it("downloads a large body intact", async () => {
    const bytes = 32 * 1024 * 1024;
    const response = await worker.fetch("site.example.com", `/download?bytes=${bytes}`);
    expect(response.status).toBe(200);
    let total = 0;
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
    }
    expect(total).toBe(bytes);
  });
});

describe("selection through the Worker", () => {
  it("follows smooth weighted round-robin exactly", async () => {
    await worker.putConfig({
      pools: { rr: { policy: "round-robin", origins: [{ url: a.url, weight: 2 }, { url: b.url }] } },
      rules: [{ http: paths(["/", "Prefix", "rr"]) }],
    });
    const seen: (string | null)[] = [];
    for (let i = 0; i < 6; i++) seen.push(await origin(await worker.fetch("rr.example.com", "/")));
    expect(seen.join("")).toBe("abaaba");
  });

  it("picks the least recently picked origin", async () => {
    await worker.putConfig({
      pools: { lr: { policy: "least-recent", origins: [{ url: a.url }, { url: b.url }, { url: c.url }] } },
      rules: [{ http: paths(["/", "Prefix", "lr"]) }],
    });
    const seen: (string | null)[] = [];
    for (let i = 0; i < 6; i++) seen.push(await origin(await worker.fetch("lr.example.com", "/")));
    expect(seen.join("")).toBe("abcabc");
  });

  it("spreads random picks over every origin", async () => {
    await worker.putConfig({
      pools: { web: { policy: "random", origins: [{ url: a.url }, { url: b.url }] } },
      rules: [{ http: paths(["/", "Prefix", "web"]) }],
    });
    const seen = new Set<string | null>();
    // Both appear unless 40 fair coin flips all land the same way (p = 2^-39).
    for (let i = 0; i < 40; i++) seen.add(await origin(await worker.fetch("rnd.example.com", "/")));
    expect(seen).toEqual(new Set(["a", "b"]));
  });
});

describe("WebSocket", () => {
  it("passes an upgrade through to the origin and relays messages", async () => {
    await worker.putConfig({ pools: { ws: { origins: [{ url: b.url }] } }, rules: [{ http: paths(["/", "Prefix", "ws"]) }] });
    const socket = new WebSocket(new URL("/socket", worker.url).href.replace("http", "ws"), { headers: { host: "ws.example.com" } });
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const reply = new Promise<string>((resolve) => socket.once("message", (data) => resolve(data.toString())));
    socket.send("hello");
    expect(await reply).toBe("b:hello");
    socket.close();
    expect(b.requests[0]?.headers["upgrade"]).toBe("websocket");
  });
});
