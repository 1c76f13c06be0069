// The status page served by the real Worker in workerd, against real origins
// on 127.0.0.1: who may see it, what it shows, and that it costs no KV read.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KV_KEYS } from "../../src/core/config/stored";
import type { StatusModel } from "../../src/core/ops/status-model";
import { startOrigin, type TestOrigin } from "../support/origins";
import { startWorker, type TestWorker } from "../support/worker";

const TOKEN = "s3cret-status-token-for-tests";
const PAGE = "/.well-known/edge-ingress/";
const bearer = { authorization: `Bearer ${TOKEN}` };
const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`ops:${password}`).toString("base64")}` });
const json = { ...bearer, accept: "application/json" };

let a: TestOrigin;
let b: TestOrigin;
let worker: TestWorker;
let minute = 0;
/** The page as JSON, typed. */
async function statusOf(w: TestWorker, host = "app.example.com", path = PAGE): Promise<StatusModel> {
  const response = await w.fetch(host, path, { headers: json });
  expect(response.status).toBe(200);
  return (await response.json()) as StatusModel;
}
const tick = (w: TestWorker) => w.scheduled(new Date(Date.UTC(2026, 10, 27, 7, minute++)));

const route = (path: string, pool: string, pathType = "Prefix") => ({ path, pathType, backend: { service: { name: pool } } });

beforeAll(async () => {
  [a, b] = await Promise.all([startOrigin("a"), startOrigin("b")]);
  worker = await startWorker({ vars: { STATUS_TOKEN: `${TOKEN}\n` } });
  await worker.putConfig({
    pools: {
      web: { origins: [{ url: a.url, weight: 2 }, { url: b.url }], healthCheck: { path: "/healthz", unhealthyThreshold: 1, bodyContains: "ok" } },
      api: { policy: "least-recent", origins: [{ url: b.url }], whenAllDown: "web" },
    },
    rules: [{ host: "app.example.com", http: { paths: [route("/", "web"), route("/api", "api")] } }],
  });
});
afterAll(async () => {
  await worker?.dispose();
  await Promise.all([a, b].map((o) => o?.close()));
});

describe("who may see the status page", () => {
  it("answers 404 without credentials, with wrong ones, and under any path of the prefix, never reaching an origin", async () => {
    a.requests.length = 0;
    b.requests.length = 0;
    for (const [path, headers] of [
      [PAGE, {}],
      [PAGE, { authorization: "Bearer wrong-token-wrong-token" }],
      [PAGE, basic("wrong-token-wrong-token")],
      [PAGE, { authorization: `Bearer ${TOKEN}x` }],
      [`${PAGE}anything`, {}],
      ["/.well-known/edge-ingress", {}],
    ] as const) {
      const response = await worker.fetch("app.example.com", path, { headers });
      expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(404);
      expect(response.headers.get("x-edge-ingress-error")).toBe("no-route");
      expect(response.headers.get("www-authenticate")).toBeNull();
      expect(await response.text()).toBe("edge-ingress: not found\n");
    }
    expect([...a.requests, ...b.requests].filter((r) => r.url !== "/healthz")).toEqual([]);
  });

  it("serves the page with the token as a bearer token or as a basic-auth password, on any host", async () => {
    for (const headers of [bearer, basic(TOKEN)]) {
      const response = await worker.fetch("app.example.com", PAGE, { headers });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(await response.text()).toMatch(/^<!DOCTYPE html><html lang="en">/);
    }
    expect((await worker.fetch("unrouted.example.org", PAGE, { headers: bearer })).status).toBe(200);
  });

  it("asks a browser for the password at /login, then sends it to the page", async () => {
    const challenge = await worker.fetch("app.example.com", `${PAGE}login`);
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get("www-authenticate")).toBe('Basic realm="edge-ingress status", charset="UTF-8"');
    expect((await worker.fetch("app.example.com", `${PAGE}login`, { headers: basic("nope-nope-nope-nope") })).status).toBe(401);
    const signedIn = await worker.fetch("app.example.com", `${PAGE}login`, { headers: basic(TOKEN) });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get("location")).toBe(PAGE);
  });

  it("does not exist at all without the secret, or with one too short to be safe", async () => {
    const cases: Record<string, string>[] = [{}, { STATUS_TOKEN: "" }, { STATUS_TOKEN: "short" }];
    for (const vars of cases) {
      const w = await startWorker({ vars });
      try {
        await w.putConfig({ pools: { web: { origins: [{ url: a.url }] } }, rules: [{ http: { paths: [route("/", "web")] } }] });
        for (const path of [PAGE, `${PAGE}login`]) {
          const response = await w.fetch("x.example.com", path, { headers: { authorization: `Bearer ${vars.STATUS_TOKEN ?? TOKEN}` } });
          expect(response.status, `${JSON.stringify(vars)} ${path}`).toBe(404);
          expect(response.headers.get("www-authenticate")).toBeNull();
        }
        if (vars.STATUS_TOKEN === "short") expect(w.logs).toContainEqual(expect.objectContaining({ event: "status.token_too_short" }));
        // Everything else is proxied as before.
        expect((await w.fetch("x.example.com", "/.well-known/other")).headers.get("x-origin")).toBe("a");
      } finally {
        await w.dispose();
      }
    }
  });
});

describe("what the status page shows", () => {
  it("the config version, pools, origins with health, and routes, as JSON with Accept: application/json", async () => {
    const response = await worker.fetch("app.example.com", PAGE, { headers: json });
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const model = (await response.json()) as StatusModel;
    const stored = JSON.parse((await (await worker.kv()).get(KV_KEYS.config))!);
    expect(model.config).toMatchObject({ version: stored.version, appliedAt: stored.appliedAt });
    expect(model.pools.map((p) => [p.name, p.policy, p.whenAllDown])).toEqual([
      ["web", "round-robin", "fail-open"],
      ["api", "least-recent", "fall back to pool web"],
    ]);
    expect(model.pools[0]!.healthCheck).toEqual({ method: "GET", path: "/healthz", everyMinutes: 1 });
    expect(model.pools[0]!.origins.map((o) => [o.url, o.weight])).toEqual([[a.url, 2], [b.url, 1]]);
    expect(model.routes).toEqual([
      { host: "app.example.com", path: "/", pathType: "Prefix", rule: "rules[0].http.paths[0]", pool: "web" },
      { host: "app.example.com", path: "/api", pathType: "Prefix", rule: "rules[0].http.paths[1]", pool: "api" },
    ]);
    expect(model.isolate.note).toMatch(/isolate/);
  });

  it("an origin going down after a cron run, with its reason, in the health changes too", async () => {
    await tick(worker);
    b.healthBody = "degraded <b>";
    try {
      await tick(worker);
      const model = await statusOf(worker);
      const origin = model.pools.find((p) => p.name === "web")?.origins.find((o) => o.url === b.url);
      expect(origin).toMatchObject({ state: "down", reason: 'body does not contain "ok"' });
      expect(model.summary.down).toBe(1);
      expect(model.changes[0]).toMatchObject({ pool: "web", origin: b.url, to: "down", reason: 'body does not contain "ok"' });
      const html = await (await worker.fetch("app.example.com", PAGE, { headers: bearer })).text();
      expect(html).toContain(`<span class="s down">down</span>`);
      expect(html).toContain("body does not contain &quot;ok&quot;");
      expect(html).toMatch(/<meta http-equiv="refresh" content="\d+"/);
    } finally {
      b.healthBody = "ok";
      await tick(worker);
      await tick(worker);
    }
  });

  it("this isolate's traffic per origin, and a passive ejection", async () => {
    const w = await startWorker({ vars: { STATUS_TOKEN: TOKEN } });
    try {
      await w.putConfig({
        pools: { solo: { origins: [{ url: a.url }, { url: b.url }], passiveEjection: { consecutiveFailures: 1, cooldownMs: 60_000 } } },
        rules: [{ host: "t.example.com", http: { paths: [route("/", "solo")] } }],
      });
      a.mode = { kind: "reset" };
      for (let i = 0; i < 3; i++) expect((await w.fetch("t.example.com", "/")).status).toBe(200);
      a.mode = { kind: "ok" };
      const model = await statusOf(w, "t.example.com");
      const [oa, ob] = model.pools[0]!.origins;
      expect(oa).toMatchObject({ url: a.url, ejected: true, traffic: { requests: 1, errors: 1, ejections: 1 } });
      expect(ob?.traffic).toMatchObject({ requests: 3, errors: 0, byClass: { "2xx": 3 } });
      expect(ob?.traffic?.p50Ms).toBeGreaterThan(0);
      expect(model.ejections).toEqual([expect.objectContaining({ pool: "solo", origin: a.url })]);
      expect(model.isolate.requests).toBe(3);
    } finally {
      a.mode = { kind: "ok" };
      await w.dispose();
    }
  });

  it("reads no KV beyond the isolate's own refresh", async () => {
    const w = await startWorker({ vars: { STATUS_TOKEN: TOKEN }, ttlSeconds: 3600 });
    try {
      const first = await w.putConfig({ pools: { web: { origins: [{ url: a.url }] } } });
      expect((await statusOf(w, "k.example.com")).config?.version).toBe(first);
      // A new version in KV: a page that read KV itself would show it.
      await w.putConfig({ pools: { web: { origins: [{ url: b.url }] } } });
      for (let i = 0; i < 3; i++) expect((await statusOf(w, "k.example.com")).config?.version).toBe(first);
    } finally {
      await w.dispose();
    }
  });

  it("moves with statusPath, and the old prefix goes back to the routes", async () => {
    const w = await startWorker({ vars: { STATUS_TOKEN: TOKEN } });
    try {
      await w.putConfig({ statusPath: "/_edge/status", pools: { web: { origins: [{ url: a.url }] } }, rules: [{ http: { paths: [route("/", "web")] } }] });
      expect((await w.fetch("m.example.com", "/_edge/status/", { headers: json })).status).toBe(200);
      expect((await w.fetch("m.example.com", "/_edge/status/x", { headers: json })).status).toBe(404);
      expect((await w.fetch("m.example.com", PAGE, { headers: json })).headers.get("x-origin")).toBe("a");
    } finally {
      await w.dispose();
    }
  });

  it("says there is no config when none was applied", async () => {
    const w = await startWorker({ vars: { STATUS_TOKEN: TOKEN } });
    try {
      const model = await statusOf(w, "n.example.com");
      expect(model.config).toBeNull();
      expect(await (await w.fetch("n.example.com", PAGE, { headers: bearer })).text()).toContain("no valid config in KV");
    } finally {
      await w.dispose();
    }
  });
});
