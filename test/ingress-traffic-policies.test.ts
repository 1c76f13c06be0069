// ingress-nginx's CORS, body-size, error-backend and timeout annotations, and
// their native and HTTPRoute filters, through the Worker in workerd against
// real origins: preflights answered by the router (after the access lists),
// bodies over the limit refused before (Content-Length) or while (chunked)
// reaching the origin, error backends beside session affinity.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mergeDocuments } from "../src/core/config/manifests";
import { startOrigin, type TestOrigin } from "./support/origins";
import { startWorker, type TestWorker } from "./support/worker";

let worker: TestWorker;
let origin: TestOrigin;

beforeEach(async () => {
  origin = await startOrigin("a");
  worker = await startWorker();
});
afterEach(async () => {
  await worker?.dispose();
  await origin?.close();
});

/** A worker of its own whose APP_USERS secret holds alice, password "test" ({SHA}, as `htpasswd -s` writes it). */
async function withAuthWorker(test: (worker: TestWorker) => Promise<void>): Promise<void> {
  const own = await startWorker({ secrets: { APP_USERS: "alice:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=" } });
  try {
    await test(own);
  } finally {
    await own.dispose();
  }
}

/** An Ingress with these annotations (nginx prefix added) for host app.example.com, merged as the CLI does. */
function ingressDocument(annotations: Record<string, string>, pools: Record<string, unknown>) {
  const ingress = {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "app", annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`nginx.ingress.kubernetes.io/${k}`, v])) },
    spec: { rules: [{ host: "app.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }] },
  };
  const merged = mergeDocuments([{ file: "a.yaml", index: 0, value: { pools } }, { file: "a.yaml", index: 1, value: ingress }]);
  expect(merged.problems).toEqual([]);
  return merged.document;
}

async function applyIngress(annotations: Record<string, string>, pools: Record<string, unknown> = { web: { origins: [{ url: origin.url }] } }): Promise<void> {
  await worker.putConfig(ingressDocument(annotations, pools));
}

/** Polls `condition` until it holds or `ms` pass; says whether it held. */
async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!condition() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  return condition();
}

/** src/edge/mirror.ts: a mirror gives up after this long. */
const MIRROR_TIMEOUT_MS = 10_000;

/** Host app.example.com: pool web (at `webUrl`) with every request mirrored to pool shadow (at `shadowUrl`). */
async function putMirrored(webUrl: string, shadowUrl: string, options: { uploadIdleTimeoutMs?: number; maxBodyBytes?: number } = {}): Promise<void> {
  const limit = options.maxBodyBytes === undefined ? [] : [{ type: "RequestBodyLimit", requestBodyLimit: { maxBytes: options.maxBodyBytes } }];
  await worker.putConfig({
    pools: {
      web: { ...(options.uploadIdleTimeoutMs === undefined ? {} : { uploadIdleTimeoutMs: options.uploadIdleTimeoutMs }), origins: [{ url: webUrl }] },
      shadow: { origins: [{ url: shadowUrl }] },
    },
    rules: [{ host: "app.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } }, filters: [
      ...limit,
      { type: "RequestMirror", requestMirror: { backendRef: { name: "shadow" } } },
    ] }] } }],
  });
}

async function* chunks(count: number, size: number): AsyncIterable<Buffer> {
  for (let i = 0; i < count; i++) yield Buffer.alloc(size, 0x62);
}

describe("enable-cors", () => {
  it("answers a preflight with 204 at the edge; the origin never sees it", async () => {
    await applyIngress({ "enable-cors": "true", "cors-allow-origin": "https://web.example" });
    const response = await worker.fetch("app.example.com", "/api", { method: "OPTIONS", headers: { origin: "https://web.example", "access-control-request-method": "PUT" } });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://web.example");
    expect(response.headers.get("access-control-allow-methods")).toBe("GET, PUT, POST, DELETE, PATCH, OPTIONS");
    expect(response.headers.get("access-control-max-age")).toBe("1728000");
    expect(origin.requests).toEqual([]);
  });

  it("adds the headers to the origin's answer for an allowed origin only", async () => {
    await applyIngress({ "enable-cors": "true", "cors-allow-origin": "https://*.example.net", "cors-allow-credentials": "false" });
    const allowed = await worker.fetch("app.example.com", "/", { headers: { origin: "https://web.example.net" } });
    await allowed.arrayBuffer();
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://web.example.net");
    expect(allowed.headers.get("access-control-allow-credentials")).toBeNull();
    const other = await worker.fetch("app.example.com", "/", { headers: { origin: "https://a.b.example.net" } });
    await other.arrayBuffer();
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    expect(origin.requests).toHaveLength(2);
  });

  it("comes after the access lists: a preflight from a refused address gets 403, an allowed one 204; the origin sees neither", async () => {
    await applyIngress({ "enable-cors": "true", "whitelist-source-range": "10.0.0.0/8" });
    const preflight = { origin: "https://web.example", "access-control-request-method": "PUT" };
    const refused = await worker.fetch("app.example.com", "/api", { method: "OPTIONS", headers: { ...preflight, "cf-connecting-ip": "192.0.2.7" } });
    await refused.arrayBuffer();
    expect(refused.status).toBe(403);
    expect(refused.headers.get("x-edge-ingress-error")).toBe("forbidden");
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    const allowed = await worker.fetch("app.example.com", "/api", { method: "OPTIONS", headers: { ...preflight, "cf-connecting-ip": "10.1.2.3" } });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("*");
    expect(origin.requests).toEqual([]);
  });

  it("answers a preflight before authentication, as ingress-nginx does (browsers send none with credentials); other requests still need them", async () => {
    await withAuthWorker(async (own) => {
      await own.putConfig(ingressDocument({ "enable-cors": "true", "cors-allow-origin": "https://web.example", "auth-type": "basic", "auth-secret": "APP_USERS" }, { web: { origins: [{ url: origin.url }] } }));
      const preflight = await own.fetch("app.example.com", "/api", { method: "OPTIONS", headers: { origin: "https://web.example", "access-control-request-method": "PUT" } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-origin")).toBe("https://web.example");
      const anonymous = await own.fetch("app.example.com", "/api", { method: "PUT", headers: { origin: "https://web.example" } });
      await anonymous.arrayBuffer();
      expect(anonymous.status).toBe(401);
      expect(origin.requests).toEqual([]);
      const signedIn = await own.fetch("app.example.com", "/api", { headers: { origin: "https://web.example", authorization: `Basic ${Buffer.from("alice:test").toString("base64")}` } });
      await signedIn.arrayBuffer();
      expect(signedIn.status).toBe(200);
      expect(signedIn.headers.get("access-control-allow-origin")).toBe("https://web.example");
    });
  });

  it("answers the Gateway API CORS filter's preflights before authentication too", async () => {
    await withAuthWorker(async (own) => {
      await own.putConfig({
        pools: { web: { origins: [{ url: origin.url }] } },
        gateways: [{ name: "gw", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] }],
        httpRoutes: [{
          name: "api", parentRefs: [{ name: "gw" }], hostnames: ["gw-cors.example.com"],
          rules: [{
            filters: [
              { type: "BasicAuth", basicAuth: { secret: "APP_USERS" } },
              { type: "CORS", cors: { allowOrigins: ["https://web.example"], allowMethods: ["PUT"] } },
            ],
            backendRefs: [{ name: "web" }],
          }],
        }],
      });
      const preflight = await own.fetch("gw-cors.example.com", "/api", { method: "OPTIONS", headers: { origin: "https://web.example", "access-control-request-method": "PUT" } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-methods")).toBe("PUT");
      const anonymous = await own.fetch("gw-cors.example.com", "/api", { method: "PUT", headers: { origin: "https://web.example" } });
      await anonymous.arrayBuffer();
      expect(anonymous.status).toBe(401);
      expect(origin.requests).toEqual([]);
    });
  });

  it("is an NginxCORS filter on an HTTPRoute rule too", async () => {
    await worker.putConfig({
      pools: { web: { origins: [{ url: origin.url }] } },
      gateways: [{ name: "gw", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] }],
      httpRoutes: [{
        name: "api", parentRefs: [{ name: "gw" }], hostnames: ["route.example.com"],
        rules: [{ filters: [{ type: "NginxCORS", nginxCors: { allowOrigin: ["https://*.example.net"], maxAgeSeconds: 60 } }], backendRefs: [{ name: "web" }] }],
      }],
    });
    const preflight = await worker.fetch("route.example.com", "/x", { method: "OPTIONS", headers: { origin: "https://a.example.net", "access-control-request-method": "PUT" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://a.example.net");
    expect(preflight.headers.get("access-control-max-age")).toBe("60");
    expect(origin.requests).toEqual([]);
  });

  it("passes OPTIONS through to the origin without enable-cors", async () => {
    await applyIngress({ "enable-cors": "false" });
    const response = await worker.fetch("app.example.com", "/", { method: "OPTIONS", headers: { origin: "https://web.example" } });
    await response.arrayBuffer();
    expect(response.status).toBe(200);
    expect(origin.requests).toHaveLength(1);
  });
});

describe("proxy-body-size", () => {
  it("answers 413 in the router's error format by Content-Length, before contacting the origin", async () => {
    await applyIngress({ "proxy-body-size": "1k" });
    const response = await worker.fetch("app.example.com", "/upload", { method: "POST", body: Buffer.alloc(1025, 0x61) });
    expect(response.status).toBe(413);
    expect(response.headers.get("x-edge-ingress-error")).toBe("body-too-large");
    expect(await response.text()).toContain("1024 bytes");
    expect(origin.requests).toEqual([]);
  });

  it("lets a body of exactly the limit through", async () => {
    await applyIngress({ "proxy-body-size": "1k" });
    const response = await worker.fetch("app.example.com", "/upload", { method: "POST", body: Buffer.alloc(1024, 0x61) });
    expect(response.status).toBe(200);
    expect((await response.json()) as { bytes: number }).toMatchObject({ bytes: 1024 });
  });

  it("stops a chunked body at the limit with 413; the origin never gets a complete request", async () => {
    await applyIngress({ "proxy-body-size": "4k" });
    const response = await worker.fetch("app.example.com", "/upload", { method: "POST", headers: { "transfer-encoding": "chunked" }, body: chunks(8, 1024) });
    expect(response.status).toBe(413);
    expect(response.headers.get("x-edge-ingress-error")).toBe("body-too-large");
    await response.text();
    expect(origin.requests.filter((r) => r.bodyBytes > 4096)).toEqual([]);
  });

  it('"0" means no limit', async () => {
    await applyIngress({ "proxy-body-size": "0" });
    const response = await worker.fetch("app.example.com", "/upload", { method: "POST", headers: { "transfer-encoding": "chunked" }, body: chunks(64, 1024) });
    expect(response.status).toBe(200);
    expect((await response.json()) as { bytes: number }).toMatchObject({ bytes: 65536 });
  });

  it("cuts a mirror's copy of a chunked body off at the limit too", async () => {
    const shadow = await startOrigin("shadow");
    try {
      await putMirrored(origin.url, shadow.url, { maxBodyBytes: 4096 });
      const response = await worker.fetch("app.example.com", "/upload", { method: "POST", headers: { "transfer-encoding": "chunked" }, body: chunks(8, 1024) });
      expect(response.status).toBe(413);
      await response.text();
      // Its try breaks off: the mirror never gets the first 4 KiB as if they were the whole body.
      expect(await waitUntil(() => shadow.abandoned > 0, 5000)).toBe(true);
      expect(shadow.requests).toEqual([]);
    } finally {
      await shadow.close();
    }
  });

  it("gives a mirror that keeps up the whole body, with the Content-Length the client sent, and chunked bodies whole", async () => {
    const shadow = await startOrigin("shadow");
    try {
      await putMirrored(origin.url, shadow.url);
      // Several times the lag a mirror is allowed: a mirror that keeps up is never cut off.
      const total = 8 * 1024 * 1024;
      const sized = await worker.fetch("app.example.com", "/upload", { method: "POST", body: Buffer.alloc(total, 0x61) });
      expect(sized.status).toBe(200);
      await sized.text();
      expect(await waitUntil(() => shadow.requests.length === 1, 5000)).toBe(true);
      expect(shadow.requests[0]).toMatchObject({ bodyBytes: total, headers: expect.objectContaining({ "content-length": String(total) }) });
      const chunked = await worker.fetch("app.example.com", "/upload", { method: "POST", headers: { "transfer-encoding": "chunked" }, body: chunks(8, 1024 * 1024) });
      expect(chunked.status).toBe(200);
      await chunked.text();
      expect(await waitUntil(() => shadow.requests.length === 2, 5000)).toBe(true);
      expect(shadow.requests[1]?.bodyBytes).toBe(total);
    } finally {
      await shadow.close();
    }
  });

  it("paces a mirror by the request's own origin, not by the client: a mirror slower than the client but not than that origin gets the whole body", async () => {
    // The origin reads about 4 MiB a second and the mirror 8, both far slower than the client sends.
    const seen = new Map<string, { bytes: number; complete: boolean }>();
    const slow = (name: string, bytesPerMs: number) =>
      createServer((req, res) => {
        const got = { bytes: 0, complete: false };
        seen.set(name, got);
        req.on("data", (c: Buffer) => {
          got.bytes += c.length;
          req.pause();
          setTimeout(() => req.resume(), Math.ceil(c.length / bytesPerMs));
        });
        req.on("end", () => {
          got.complete = req.complete;
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ bytes: got.bytes }));
        });
        req.on("error", () => undefined);
      });
    const servers = [slow("web", 4096), slow("shadow", 8192)];
    await Promise.all(servers.map((srv) => new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve))));
    const url = (i: number) => `http://127.0.0.1:${(servers[i]!.address() as AddressInfo).port}`;
    try {
      await putMirrored(url(0), url(1));
      const total = 12 * 1024 * 1024;
      const response = await worker.fetch("app.example.com", "/upload", { method: "POST", headers: { "transfer-encoding": "chunked" }, body: chunks(12, 1024 * 1024) });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ bytes: total });
      expect(await waitUntil(() => seen.get("shadow")?.complete === true || seen.get("shadow")?.bytes === total, 10_000)).toBe(true);
      expect(seen.get("shadow")).toEqual({ bytes: total, complete: true });
    } finally {
      for (const srv of servers) srv.closeAllConnections();
      await Promise.all(servers.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
    }
  });

  it("holds the client back, not the upload in memory, when the request's own origin stops reading while its mirror reads on", async () => {
    const shadow = await startOrigin("shadow");
    try {
      origin.mode = { kind: "no-read" };
      await putMirrored(origin.url, shadow.url, { uploadIdleTimeoutMs: 1000 });
      const total = 32 * 1024 * 1024;
      const response = await worker.fetch("app.example.com", "/upload", { method: "POST", body: Buffer.alloc(total, 0x61) }).catch((e: Error) => e);
      if (response instanceof Error) throw response;
      expect(response.status).toBe(504);
      await response.text().catch(() => "");
      // The mirror's try ends, broken off: it got no further than the request's own upload went, plus its allowed lag.
      expect(await waitUntil(() => shadow.abandoned + shadow.requests.length > 0, 12_000)).toBe(true);
      expect(shadow.requests).toEqual([]);
    } finally {
      await shadow.close();
    }
  });

  it("cuts off a mirror that stops reading: the request is not held back for it, and the mirror gets a broken-off upload", async () => {
    // A shadow origin that takes the request and reads none of its body until told to.
    const held: { req?: IncomingMessage; bytes: number; ended: boolean; closed: boolean } = { bytes: 0, ended: false, closed: false };
    const shadow = createServer((req, res) => {
      req.pause();
      held.req = req;
      req.on("data", (c: Buffer) => (held.bytes += c.length));
      req.on("end", () => {
        held.ended = true;
        res.end("ok");
      });
      req.on("error", () => undefined);
      req.on("close", () => (held.closed = true));
    });
    await new Promise<void>((resolve) => shadow.listen(0, "127.0.0.1", resolve));
    const port = (shadow.address() as AddressInfo).port;
    try {
      await putMirrored(origin.url, `http://127.0.0.1:${port}`);
      // Far more than the sockets between the Worker and the shadow hold, so the shadow's not reading is felt.
      const total = 24 * 1024 * 1024;
      const startedMs = Date.now();
      const response = await worker.fetch("app.example.com", "/upload", { method: "POST", headers: { "transfer-encoding": "chunked" }, body: chunks(24, 1024 * 1024) });
      const elapsedMs = Date.now() - startedMs;
      const whole = createHash("sha256");
      for (let i = 0; i < 24; i++) whole.update(Buffer.alloc(1024 * 1024, 0x62));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ bytes: total, sha256: whole.digest("hex") });
      // Before, the tee held the upload back until the mirror's own 10 s timeout aborted it.
      expect(elapsedMs).toBeLessThan(MIRROR_TIMEOUT_MS);
      expect(await waitUntil(() => held.req !== undefined, 5000)).toBe(true);
      // Now the shadow reads: its request broke off, with far less than the whole body, never as a complete request.
      held.req?.resume();
      expect(await waitUntil(() => held.ended || held.closed, 5000)).toBe(true);
      expect(held.ended).toBe(false);
      expect(held.bytes).toBeLessThan(total);
    } finally {
      shadow.closeAllConnections();
      await new Promise<void>((resolve) => shadow.close(() => resolve()));
    }
  });

  it("is a RequestBodyLimit filter on a native path too", async () => {
    await worker.putConfig({
      pools: { web: { origins: [{ url: origin.url }] } },
      rules: [{ host: "app.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } }, filters: [{ type: "RequestBodyLimit", requestBodyLimit: { maxBytes: 10 } }] }] } }],
    });
    const response = await worker.fetch("app.example.com", "/upload", { method: "POST", body: "more than ten bytes" });
    expect(response.status).toBe(413);
    expect(origin.requests).toEqual([]);
  });
});

describe("default-backend and custom-http-errors", () => {
  let errors: TestOrigin;
  beforeEach(async () => {
    errors = await startOrigin("errors");
  });
  afterEach(() => errors?.close());

  it("sends a request its pool cannot connect to to the default-backend", async () => {
    await origin.closePort();
    await applyIngress({ "default-backend": "error-pages" }, { web: { origins: [{ url: origin.url }] }, "error-pages": { origins: [{ url: errors.url }] } });
    const response = await worker.fetch("app.example.com", "/page?x=1");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-origin")).toBe("errors");
    await response.arrayBuffer();
    expect(errors.requests.map((r) => r.url)).toEqual(["/page?x=1"]);
  });

  it("replaces a listed origin status by the default-backend's answer, with ingress-nginx's headers and without the client's credentials", async () => {
    origin.mode = { kind: "status", status: 404 };
    await applyIngress({ "default-backend": "error-pages", "custom-http-errors": "404,503" }, { web: { origins: [{ url: origin.url }] }, "error-pages": { origins: [{ url: errors.url }] } });
    const response = await worker.fetch("app.example.com", "/missing?q=1", { headers: { accept: "application/json", cookie: "session=secret", authorization: "Bearer secret" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-origin")).toBe("errors");
    await response.arrayBuffer();
    const seen = errors.requests[0]?.headers;
    expect(seen).toMatchObject({ "x-code": "404", "x-format": "application/json", "x-original-uri": "/missing?q=1", "x-ingress-name": "app", "x-namespace": "default", "x-service-name": "web" });
    expect(seen?.["x-request-id"]).toBe(origin.requests[0]?.headers["x-request-id"]);
    expect(seen?.cookie).toBeUndefined();
    expect(seen?.authorization).toBeUndefined();
  });

  it("pins no session to an origin that could not be reached: the default-backend's answer sets no affinity cookie", async () => {
    await origin.closePort();
    await applyIngress(
      { "default-backend": "error-pages", affinity: "cookie", "session-cookie-name": "sid" },
      { web: { origins: [{ url: origin.url }] }, "error-pages": { origins: [{ url: errors.url }] } },
    );
    const response = await worker.fetch("app.example.com", "/page");
    await response.arrayBuffer();
    expect(response.headers.get("x-origin")).toBe("errors");
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("keeps the session's cookie when the origin answered and a listed status was replaced", async () => {
    origin.mode = { kind: "status", status: 503 };
    await applyIngress(
      { "default-backend": "error-pages", "custom-http-errors": "503", affinity: "cookie", "session-cookie-name": "sid" },
      { web: { origins: [{ url: origin.url }] }, "error-pages": { origins: [{ url: errors.url }] } },
    );
    const response = await worker.fetch("app.example.com", "/page");
    await response.arrayBuffer();
    expect(response.headers.get("x-origin")).toBe("errors");
    expect(response.headers.get("set-cookie")).toMatch(/^sid=/);
  });

  it("passes a status it does not list through", async () => {
    origin.mode = { kind: "status", status: 418 };
    await applyIngress({ "default-backend": "error-pages", "custom-http-errors": "404" }, { web: { origins: [{ url: origin.url }] }, "error-pages": { origins: [{ url: errors.url }] } });
    const response = await worker.fetch("app.example.com", "/teapot");
    expect(response.status).toBe(418);
    await response.arrayBuffer();
    expect(errors.requests).toEqual([]);
  });

  it("holds the rule's body limit when every origin is down and the request goes to the default-backend", async () => {
    await origin.closePort();
    await applyIngress({ "default-backend": "error-pages", "proxy-body-size": "1k" }, {
      web: { origins: [{ url: origin.url }], healthCheck: { path: "/healthz", unhealthyThreshold: 1 }, whenAllDown: "503" },
      "error-pages": { origins: [{ url: errors.url }] },
    });
    await worker.scheduled();
    const announced = await worker.fetch("app.example.com", "/upload", { method: "POST", body: Buffer.alloc(1025, 0x61) });
    expect([announced.status, announced.headers.get("x-edge-ingress-error")]).toEqual([413, "body-too-large"]);
    await announced.text();
    expect(errors.requests).toEqual([]);
    const chunked = await worker.fetch("app.example.com", "/upload", { method: "POST", headers: { "transfer-encoding": "chunked" }, body: chunks(8, 1024) });
    expect([chunked.status, chunked.headers.get("x-edge-ingress-error")]).toEqual([413, "body-too-large"]);
    await chunked.text();
    expect(errors.requests.filter((r) => r.bodyBytes > 1024)).toEqual([]);
    // Within the limit, the default-backend answers for the pool that is down.
    const small = await worker.fetch("app.example.com", "/upload", { method: "POST", body: "small" });
    expect([small.status, small.headers.get("x-origin")]).toEqual([200, "errors"]);
    await small.arrayBuffer();
  });

  it("refuses custom-http-errors without a default-backend", () => {
    const ingress = { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "app", annotations: { "nginx.ingress.kubernetes.io/custom-http-errors": "404" } }, spec: { rules: [{ host: "a.example", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }] } };
    const merged = mergeDocuments([{ file: "a.yaml", index: 0, value: { pools: { web: { origins: [{ url: origin.url }] } } } }, { file: "a.yaml", index: 1, value: ingress }]);
    expect(merged.problems.map((p) => p.message).join("\n")).toMatch(/needs nginx.ingress.kubernetes.io\/default-backend/);
  });
});

describe("RequestBodyLimit and BackendTimeouts on an HTTPRoute rule", () => {
  const route = (filters: unknown[]) => ({
    pools: { web: { origins: [{ url: origin.url }], timeoutMs: 600_000 } },
    gateways: [{ name: "gw", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] }],
    httpRoutes: [{ name: "api", parentRefs: [{ name: "gw" }], hostnames: ["route.example.com"], rules: [{ filters, backendRefs: [{ name: "web" }] }] }],
  });

  it("refuses a body over the limit with 413, as on an Ingress", async () => {
    await worker.putConfig(route([{ type: "RequestBodyLimit", requestBodyLimit: { maxBytes: 10 } }]));
    const large = await worker.fetch("route.example.com", "/upload", { method: "POST", body: "more than ten bytes" });
    expect(large.status).toBe(413);
    expect(large.headers.get("x-edge-ingress-error")).toBe("body-too-large");
    expect(origin.requests).toEqual([]);
  });

  it("bounds the wait for the origin's headers, instead of the pool's timeoutMs", async () => {
    await worker.putConfig(route([{ type: "BackendTimeouts", backendTimeouts: { responseMs: 1000 } }]));
    origin.mode = { kind: "hang" };
    const slow = await worker.fetch("route.example.com", "/slow");
    expect(slow.status).toBe(504);
    expect(slow.headers.get("x-edge-ingress-error")).toBe("origin-timeout");
  });
});

describe("proxy-read-timeout", () => {
  it("answers 504 when the origin's headers take longer than the Ingress allows, before the pool's deadline", async () => {
    origin.mode = { kind: "hang" };
    await applyIngress({ "proxy-read-timeout": "1" }, { web: { origins: [{ url: origin.url }], timeoutMs: 600_000 } });
    const response = await worker.fetch("app.example.com", "/slow");
    expect(response.status).toBe(504);
    expect(response.headers.get("x-edge-ingress-error")).toBe("origin-timeout");
  });
});
