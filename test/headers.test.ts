// Headers the router sets, strips and rewrites, seen from the origin and from
// the client: the real Worker in workerd (Miniflare) against real origins on
// 127.0.0.1, and under `wrangler dev` where what sits in front of the Worker
// matters (it consumes the client's Connection header).
import { request as httpRequest } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { cli, removeTempDirs, startWranglerDev, tempDir, WRANGLER_TOML, writeFiles, type WranglerDev } from "./cli/helpers";
import { startOrigin, type TestOrigin } from "./support/origins";
import { startWorker, type TestWorker } from "./support/worker";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const backend = (name: string) => ({ service: { name, port: { number: 80 } } });
const route = (host: string, pool: string) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: backend(pool) }] } });

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/**
 * One HTTP/1.1 request with exactly these header fields (node:http adds
 * nothing when Connection is given), read whole. Accepts response headers up
 * to 1 MiB so that an oversized reflected header shows up as a value to
 * assert on rather than as a client error.
 */
function send(port: number, host: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path, method: "GET", headers: { host, ...headers }, agent: false, maxHeaderSize: 1024 * 1024 },
      (res) => {
        const out = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) out.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: out, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** The header fields the echo origin (test/support/origins.ts) received. */
const seenHeaders = (answer: Answer) => (JSON.parse(answer.body) as { headers: Record<string, string> }).headers;

/**
 * An origin that writes its answers byte by byte, so it can send what
 * node:http would refuse to: `/redirect?location=L` answers 302 with L (a
 * leading `{self}` replaced by its own http://127.0.0.1:PORT), `/big-header?bytes=N`
 * a header field of N bytes, `/bad-header` a field name with a space in it.
 */
interface RawOrigin {
  readonly url: string;
  readonly paths: string[];
  close(): Promise<void>;
}

async function startRawOrigin(): Promise<RawOrigin> {
  const sockets = new Set<Socket>();
  const paths: string[] = [];
  let url = "";
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let head = "";
    socket.on("data", (chunk: Buffer) => {
      head += chunk.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      const target = new URL(head.split(" ")[1] ?? "/", "http://raw");
      paths.push(target.pathname + target.search);
      socket.end(answer(target, url));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return {
    url,
    paths,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(target: URL, self: string): string {
  const ok = (extra: string) => `HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n${extra}\r\nok`;
  switch (target.pathname.replace(/^\/base\//, "/")) {
    case "/redirect":
      return `HTTP/1.1 302 Found\r\nconnection: close\r\ncontent-length: 0\r\nlocation: ${(target.searchParams.get("location") ?? "/").replace("{self}", self)}\r\n\r\n`;
    case "/big-header":
      return ok(`x-big: ${"a".repeat(Number(target.searchParams.get("bytes")))}\r\n`);
    case "/bad-header":
      return ok("x bad: 1\r\n");
    default:
      return ok("");
  }
}

describe("through the Worker in workerd", () => {
  let worker: TestWorker;
  let echo: TestOrigin;
  let raw: RawOrigin;
  let raw2: RawOrigin;
  const port = () => Number(worker.url.port);

  beforeAll(async () => {
    [worker, echo, raw, raw2] = await Promise.all([startWorker(), startOrigin("echo"), startRawOrigin(), startRawOrigin()]);
    await worker.putConfig({
      pools: {
        echo: { origins: [{ url: echo.url }] },
        based: { origins: [{ url: `${raw.url}/base` }] },
        plain: { origins: [{ url: raw.url }] },
        pair: { policy: "round-robin", origins: [{ url: raw.url }, { url: raw2.url }] },
      },
      rules: [route("echo.test", "echo"), route("based.test", "based"), route("plain.test", "plain"), route("pair.test", "pair")],
    });
  });
  afterAll(async () => {
    await worker?.dispose();
    await Promise.all([echo?.close(), raw?.close(), raw2?.close()]);
  });

  describe("client-address and URL-override headers", () => {
    it("overwrites X-Real-IP, True-Client-IP, X-Forwarded-Port and the scheme fields, and strips Forwarded, X-Original-URL, X-Rewrite-URL, Proxy and X-Forwarded-Ssl", async () => {
      const answer = await send(port(), "echo.test", "/page?q=1", {
        "x-real-ip": "198.51.100.7",
        "true-client-ip": "198.51.100.8",
        forwarded: "for=198.51.100.9;host=evil.example;proto=https",
        "x-original-url": "/admin",
        "x-rewrite-url": "/admin",
        proxy: "http://evil.example:3128",
        "x-forwarded-port": "1234",
        "x-forwarded-scheme": "https",
        "x-scheme": "https",
        "x-forwarded-ssl": "on",
      });
      expect(answer.status).toBe(200);
      const headers = seenHeaders(answer);
      // A plain HTTP request cannot pass itself off as HTTPS to frameworks that read these before X-Forwarded-Proto.
      expect([headers["x-forwarded-proto"], headers["x-forwarded-scheme"], headers["x-scheme"], headers["x-forwarded-ssl"]]).toEqual(["http", "http", "http", undefined]);
      // Miniflare sets CF-Connecting-IP to the loopback address the client came from.
      expect(headers["x-real-ip"]).toBe("127.0.0.1");
      expect(headers["true-client-ip"]).toBe("127.0.0.1");
      expect(headers["x-forwarded-port"]).toBe("80");
      for (const name of ["forwarded", "x-original-url", "x-rewrite-url", "proxy"]) expect(headers[name], name).toBeUndefined();
      expect((JSON.parse(answer.body) as { url: string }).url).toBe("/page?q=1");
    });

    it("gives X-Forwarded-Port the port the client asked for", async () => {
      const headers = seenHeaders(await send(port(), "echo.test:8443", "/"));
      expect(headers["x-forwarded-port"]).toBe("8443");
    });
  });

  describe("X-Request-Id", () => {
    it("keeps a well-formed id and uses the same one at the origin and in the router's own answers", async () => {
      const id = "req_01HZX-abc.DEF:42+/=";
      expect(seenHeaders(await send(port(), "echo.test", "/", { "x-request-id": id }))["x-request-id"]).toBe(id);
      const miss = await send(port(), "nowhere.test", "/", { "x-request-id": id });
      expect(miss.status).toBe(404);
      expect(miss.headers.get("x-request-id")).toBe(id);
    });

    it("replaces a 60 KB id with a generated one, at the origin and in the router's answers", async () => {
      const huge = "a".repeat(60 * 1024);
      const answer = await send(port(), "echo.test", "/", { "x-request-id": huge });
      expect(answer.status).toBe(200);
      expect(seenHeaders(answer)["x-request-id"]).toMatch(UUID);
      const miss = await send(port(), "nowhere.test", "/", { "x-request-id": huge });
      expect(miss.status).toBe(404);
      expect(miss.headers.get("x-request-id")).toMatch(UUID);
    });

    it("replaces an id with characters outside the safe set", async () => {
      for (const bad of ['"><script>', "a b", "id,other", "ü"]) {
        const miss = await send(port(), "nowhere.test", "/", { "x-request-id": bad });
        expect(miss.headers.get("x-request-id"), bad).toMatch(UUID);
      }
    });
  });

  describe("Location naming the origin's own address", () => {
    const location = async (host: string, value: string) => {
      const answer = await send(port(), host, `/redirect?location=${encodeURIComponent(value)}`);
      expect(answer.status).toBe(302);
      return answer.headers.get("location");
    };

    it("is rewritten to the client's scheme and host, without the origin's base path", async () => {
      expect(await location("based.test", "{self}/base/landing?x=1#top")).toBe("http://based.test/landing?x=1#top");
      expect(await location("based.test", "{self}/base")).toBe("http://based.test/");
      expect(await location("based.test:8443", "{self}/base/a/b")).toBe("http://based.test:8443/a/b");
      expect(await location("plain.test", "{self}/x/y?z")).toBe("http://plain.test/x/y?z");
    });

    it("is rewritten when protocol-relative", async () => {
      const self = raw.url.replace("http:", "");
      expect(await location("plain.test", `${self}/x`)).toBe("http://plain.test/x");
    });

    it("leaves other hosts, other ports, relative Locations and paths outside the base path alone", async () => {
      const otherPort = raw2.url;
      for (const value of ["https://elsewhere.example/landing", `${otherPort}/base/x`, "/base/relative", "relative", "{self}/elsewhere"]) {
        const expected = value.replace("{self}", raw.url);
        expect(await location("based.test", value), value).toBe(expected);
      }
      expect(await location("plain.test", raw.url.replace("http:", "https:") + "/x")).toBe(raw.url.replace("http:", "https:") + "/x");
    });
  });

  describe("an origin answer workerd cannot read", () => {
    it("passes a large but acceptable header through", async () => {
      const answer = await send(port(), "plain.test", "/big-header?bytes=100000");
      expect(answer.status).toBe(200);
      expect(answer.headers.get("x-big")).toHaveLength(100000);
    });

    it("answers 502 origin-bad-response to an oversized header and does not retry the GET elsewhere", async () => {
      const before = raw.paths.length + raw2.paths.length;
      const answer = await send(port(), "pair.test", "/big-header?bytes=200000");
      expect(answer.status).toBe(502);
      expect(answer.headers.get("x-edge-ingress-error")).toBe("origin-bad-response");
      // The client gets a generic text; the pool is named in the log only.
      expect(answer.body).not.toMatch(/pair/);
      await vi.waitFor(() =>
        expect(worker.events("request.error")).toContainEqual(expect.objectContaining({ status: 502, code: "origin-bad-response", pool: "pair" })),
      );
      expect(raw.paths.length + raw2.paths.length - before).toBe(1);
    });

    it("answers 502 origin-bad-response to a malformed header, once", async () => {
      const before = raw.paths.length + raw2.paths.length;
      const answer = await send(port(), "pair.test", "/bad-header");
      expect(answer.status).toBe(502);
      expect(answer.headers.get("x-edge-ingress-error")).toBe("origin-bad-response");
      expect(raw.paths.length + raw2.paths.length - before).toBe(1);
    });
  });
});

// wrangler dev puts its own proxy in front of the Worker, and Cloudflare's
// edge terminates the client's connection: either way the Worker never sees
// the client's Connection header, only what it did not consume.
describe("under wrangler dev", () => {
  let dev: WranglerDev;
  let echo: TestOrigin;

  beforeAll(async () => {
    echo = await startOrigin("echo");
    const persist = await tempDir("edge-ingress-kv-");
    const files = await writeFiles(await tempDir(), {
      "config.yaml": stringify({ pools: { echo: { origins: [{ url: echo.url }] } }, rules: [route("echo.test", "echo")] }),
    });
    const applied = await cli(["apply", files["config.yaml"]!, "--persist-to", persist, "--config", WRANGLER_TOML]);
    if (applied.code !== 0) throw new Error(applied.stderr);
    dev = await startWranglerDev(persist);
  }, 90_000);
  afterAll(async () => {
    await dev?.stop();
    await echo?.close();
    await removeTempDirs();
  });

  it("strips an h2c upgrade's HTTP2-Settings, which the Worker sees without the Connection header naming it", async () => {
    const answer = await send(dev.port, "echo.test", "/", {
      connection: "Upgrade, HTTP2-Settings",
      upgrade: "h2c",
      "http2-settings": "AAMAAABkAAQCAAAAAAIAAAAA",
    });
    expect(answer.status).toBe(200);
    const headers = seenHeaders(answer);
    expect(headers["http2-settings"]).toBeUndefined();
    expect(headers["upgrade"]).toBeUndefined();
  });

  it("cannot strip a field the client's Connection header names: the Worker never sees that header (as README says)", async () => {
    const headers = seenHeaders(await send(dev.port, "echo.test", "/", { connection: "x-hop", "x-hop": "listed", "keep-alive": "timeout=5", te: "trailers" }));
    expect(headers["x-hop"]).toBe("listed");
    for (const name of ["keep-alive", "te"]) expect(headers[name], name).toBeUndefined();
  });

  it("still sets the client-address headers", async () => {
    const headers = seenHeaders(await send(dev.port, "echo.test", "/", { "x-real-ip": "198.51.100.7", forwarded: "for=198.51.100.9" }));
    expect(headers["x-real-ip"]).toBe("127.0.0.1");
    expect(headers["forwarded"]).toBeUndefined();
  });
});
