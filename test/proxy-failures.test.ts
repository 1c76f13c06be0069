// What the Worker does when something goes wrong on either side of a proxied
// request: timeouts, connection failures and retries, uploads that are slow,
// stall or are abandoned by the client, and origins that send interim (1xx)
// responses. The real Worker in workerd, against real origins on 127.0.0.1.
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startOrigin, type TestOrigin } from "./support/origins";
import { startWorker, type TestWorker } from "./support/worker";

let worker: TestWorker;
let a: TestOrigin;
let b: TestOrigin;

// Each test gets its own Worker (its own isolate: policy and ejection state,
// config cache, KV) and its own origins, so no test depends on another.
beforeEach(async () => {
  [a, b] = await Promise.all([startOrigin("a"), startOrigin("b")]);
  worker = await startWorker();
});
afterEach(async () => {
  await worker?.dispose();
  await Promise.all([a, b].map((o) => o?.close()));
});

/** One pool, routed to from every host and path. */
const onlyPool = (name: string, pool: Record<string, unknown>) => ({
  pools: { [name]: pool },
  rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name } } }] } }],
});

async function originOf(response: Response): Promise<string | null> {
  await response.arrayBuffer();
  return response.headers.get("x-origin");
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Yields `chunks` pieces of `size` bytes, pausing `gapMs` before each: a client on a slow link. */
async function* slowly(chunks: number, size: number, gapMs: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < chunks; i++) {
    await pause(gapMs);
    yield Buffer.alloc(size, 0x62);
  }
}

describe("timeouts", () => {
  it("answers 504 when the origin sends no headers within the pool timeout, naming the pool only in the log", async () => {
    await worker.putConfig(onlyPool("slow-pool", { timeoutMs: 300, origins: [{ url: a.url }] }));
    a.mode = { kind: "hang" };
    const response = await worker.fetch("slow.example.com", "/", { headers: { "x-request-id": "req-504" } });
    expect(response.status).toBe(504);
    expect(response.headers.get("x-edge-ingress-error")).toBe("origin-timeout");
    expect(await response.text()).toBe("edge-ingress: the origin did not answer in time\n");
    await vi.waitFor(() =>
      expect(worker.events("request.error")).toContainEqual(
        expect.objectContaining({ requestId: "req-504", status: 504, code: "origin-timeout", pool: "slow-pool" }),
      ),
    );
  });

  it("lets go of the origin's connection once it has timed out", async () => {
    await worker.putConfig(onlyPool("slow-pool", { timeoutMs: 300, origins: [{ url: a.url }] }));
    a.mode = { kind: "hang" };
    const response = await worker.fetch("slow.example.com", "/");
    expect(response.status).toBe(504);
    await response.arrayBuffer();
    // The origin never answered; the router must not keep its request open.
    await vi.waitFor(() => expect(a.abandoned).toBe(1), { timeout: 5_000 });
  });

  it("starts the deadline once the request is sent: an upload slower than timeoutMs still succeeds", async () => {
    await worker.putConfig(onlyPool("web", { timeoutMs: 300, origins: [{ url: a.url }] }));
    // 8 x 4 KiB, 100 ms apart: the upload alone takes longer than timeoutMs.
    const response = await worker.fetch("up.example.com", "/upload", {
      method: "POST",
      headers: { "content-length": String(8 * 4096) },
      body: slowly(8, 4096, 100),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ bytes: 8 * 4096, sha256: sha256(Buffer.alloc(8 * 4096, 0x62)) });
    expect(worker.events("origin.failed")).toEqual([]);
  });

  it("answers 408 to an upload that stalls past uploadIdleTimeoutMs, without counting it against the origin", async () => {
    await worker.putConfig(
      onlyPool("web", {
        policy: "round-robin",
        uploadIdleTimeoutMs: 300,
        origins: [{ url: a.url }, { url: b.url }],
        passiveEjection: { consecutiveFailures: 1, cooldownMs: 60_000 },
      }),
    );
    let release = () => {};
    const stalled = new Promise<void>((resolve) => (release = resolve));
    async function* halfThenSilence(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(4096, 0x62);
      await stalled; // the client neither sends the rest nor hangs up
    }
    try {
      const response = await worker.fetch("up.example.com", "/upload", {
        method: "POST",
        headers: { "content-length": "8192" },
        body: halfThenSilence(),
      });
      expect(response.status).toBe(408);
      expect(response.headers.get("x-edge-ingress-error")).toBe("upload-stalled");
      await response.arrayBuffer();
    } finally {
      release();
    }
    // a had the stalled upload; had it been blamed (consecutiveFailures: 1) it would now be skipped.
    const next = [await originOf(await worker.fetch("up.example.com", "/")), await originOf(await worker.fetch("up.example.com", "/"))];
    expect(next.sort()).toEqual(["a", "b"]);
    expect(worker.events("origin.failed")).toEqual([]);
  });

  it("answers 504 and blames the origin when it stops reading the upload for uploadIdleTimeoutMs", async () => {
    await worker.putConfig(onlyPool("web", { uploadIdleTimeoutMs: 500, origins: [{ url: a.url }] }));
    a.mode = { kind: "no-read" };
    // More than the socket buffers between here and the origin can hold.
    const response = await worker.fetch("up.example.com", "/upload", { method: "POST", body: Buffer.alloc(32 * 1024 * 1024) }).catch((e: Error) => e);
    // The router may answer before the client has finished sending, and then close the connection.
    if (response instanceof Error) throw response;
    expect(response.status).toBe(504);
    expect(response.headers.get("x-edge-ingress-error")).toBe("origin-timeout");
    await response.text().catch(() => "");
    expect(worker.events("origin.failed")).toEqual([expect.objectContaining({ origin: a.url, reason: "timeout" })]);
  });
});

describe("client-side failures are not origin failures", () => {
  it("does not eject an origin when clients abandon their uploads", async () => {
    await worker.putConfig(
      onlyPool("web", {
        policy: "round-robin",
        origins: [{ url: a.url }, { url: b.url }],
        passiveEjection: { consecutiveFailures: 1, cooldownMs: 60_000 },
      }),
    );
    async function* halfThenHangUp(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(4096, 0x62);
      await pause(50);
      throw new Error("client gave up");
    }
    await expect(
      worker.fetch("up.example.com", "/upload", {
        method: "POST",
        headers: { "content-length": "100000", "x-request-id": "req-abandoned" },
        body: halfThenHangUp(),
      }),
    ).rejects.toThrow();
    await vi.waitFor(() =>
      expect(worker.events("request.error")).toContainEqual(expect.objectContaining({ requestId: "req-abandoned", code: "upload-aborted" })),
    );
    expect(worker.events("origin.failed")).toEqual([]);
    const next = [await originOf(await worker.fetch("up.example.com", "/")), await originOf(await worker.fetch("up.example.com", "/"))];
    expect(next.sort()).toEqual(["a", "b"]);
  });
});

describe("retries", () => {
  it("retries a GET once on another origin after a connection failure, and the first attempt did fail", async () => {
    const dead = await startOrigin("dead");
    await dead.closePort();
    try {
      // A fresh round-robin over [dead, a] picks dead first.
      await worker.putConfig(onlyPool("web", { policy: "round-robin", origins: [{ url: dead.url }, { url: a.url }] }));
      const response = await worker.fetch("retry.example.com", "/", { headers: { "x-request-id": "req-retry" } });
      expect(response.status).toBe(200);
      expect(await originOf(response)).toBe("a");
      expect(a.requests).toHaveLength(1);
      expect(worker.events("origin.failed")).toEqual([
        expect.objectContaining({ requestId: "req-retry", pool: "web", origin: dead.url, reason: "connect-failed", retried: true }),
      ]);
    } finally {
      await dead.close();
    }
  });

  it("decides from the headers that a request has no body: OPTIONS without Content-Length and GET with Content-Length: 0 are retried", async () => {
    // a drops every connection after reading the request; b answers.
    a.mode = { kind: "reset" };
    await worker.putConfig({
      pools: {
        opt: { policy: "round-robin", origins: [{ url: a.url }, { url: b.url }] },
        get0: { policy: "round-robin", origins: [{ url: a.url }, { url: b.url }] },
      },
      rules: [
        { host: "opt.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "opt" } } }] } },
        { host: "get0.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "get0" } } }] } },
      ],
    });
    const options = await worker.fetch("opt.example.com", "/", { method: "OPTIONS" });
    expect(options.status).toBe(200);
    expect(await originOf(options)).toBe("b");
    // (workerd refuses to send a GET with a body stream, even an empty one.)
    const get0 = await worker.fetch("get0.example.com", "/", { headers: { "content-length": "0" } });
    expect(get0.status).toBe(200);
    expect(await originOf(get0)).toBe("b");
    // Both reached a first.
    expect(a.requests.map((r) => r.method)).toEqual(["OPTIONS", "GET"]);
  });

  it("does not retry a POST: 502, and the other origin never sees it", async () => {
    await worker.putConfig(onlyPool("web", { policy: "round-robin", origins: [{ url: a.url }, { url: b.url }] }));
    a.mode = { kind: "reset" };
    const response = await worker.fetch("post.example.com", "/", { method: "POST", body: "payload" });
    expect(response.status).toBe(502);
    expect(response.headers.get("x-edge-ingress-error")).toBe("origin-unreachable");
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(0);
  });

  it("answers 502 when every origin refuses a GET, naming the pool only in the log", async () => {
    await worker.putConfig(onlyPool("secret-pool", { origins: [{ url: a.url }, { url: b.url }] }));
    a.mode = { kind: "reset" };
    b.mode = { kind: "reset" };
    const response = await worker.fetch("down.example.com", "/", { headers: { "x-request-id": "req-502" } });
    expect(response.status).toBe(502);
    expect(response.headers.get("x-edge-ingress-error")).toBe("origin-unreachable");
    expect(await response.text()).toBe("edge-ingress: could not connect to the origin\n");
    await vi.waitFor(() =>
      expect(worker.events("request.error")).toContainEqual(
        expect.objectContaining({ requestId: "req-502", status: 502, code: "origin-unreachable", pool: "secret-pool" }),
      ),
    );
  });
});

describe("Expect and interim (1xx) responses", () => {
  it("does not forward Expect: 100-continue, so an upload gets the origin's real answer", async () => {
    await worker.putConfig(onlyPool("web", { origins: [{ url: a.url }] }));
    const body = Buffer.alloc(64 * 1024, 0x63);
    const response = await worker.fetch("web.example.com", "/upload", { method: "POST", headers: { expect: "100-continue" }, body });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ bytes: body.length, sha256: sha256(body) });
    expect(a.requests[0]?.headers["expect"]).toBeUndefined();
  });

  it("hands the client the final response when the origin sends 100, 102 and 103 first", async () => {
    await worker.putConfig(onlyPool("web", { origins: [{ url: a.url }] }));
    a.mode = { kind: "interim", statuses: [100, 102, 103] };
    const response = await worker.fetch("web.example.com", "/page?x=1", { method: "POST", body: "hello" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-origin")).toBe("a");
    expect(await response.json()).toMatchObject({ origin: "a", method: "POST", url: "/page?x=1", bodyBytes: 5 });
  });

  it("streams a large final response that follows an interim response, and nothing more", async () => {
    await worker.putConfig(onlyPool("web", { origins: [{ url: a.url }] }));
    a.mode = { kind: "interim", statuses: [103] };
    const bytes = 4 * 1024 * 1024;
    const response = await worker.fetch("web.example.com", `/download?bytes=${bytes}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect((await response.arrayBuffer()).byteLength).toBe(bytes);
    // The next request on the router gets its own answer, not a leftover.
    a.mode = { kind: "ok" };
    expect(await (await worker.fetch("web.example.com", "/next")).json()).toMatchObject({ url: "/next" });
  });
});
