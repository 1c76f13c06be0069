// `edge-ingress status` and the status page say the same thing: the Worker
// under `wrangler dev` and the CLI read the same local KV after a real cron
// run against real origins on 127.0.0.1.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { StatusModel } from "../../src/core/ops/status-model";
import type { Status } from "../../src/cli/status";
import { startOrigin, type TestOrigin } from "../support/origins";
import { cli, get, removeTempDirs, startWranglerDev, tempDir, WRANGLER_TOML, writeFiles, type WranglerDev } from "./helpers";

const TOKEN = "cli-and-page-agree-token";
let a: TestOrigin;
let b: TestOrigin;
let dev: WranglerDev;
let persist: string;

function pageJson(port: number): Promise<StatusModel> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/.well-known/edge-ingress/", headers: { host: "ops.test", accept: "application/json", authorization: `Bearer ${TOKEN}` }, timeout: 10_000, agent: false },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(body) as StatusModel) : reject(new Error(`status page answered ${res.statusCode}: ${body}`))));
      },
    );
    req.on("timeout", () => req.destroy(new Error("status page timed out")));
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  [a, b] = await Promise.all([startOrigin("a"), startOrigin("b")]);
  persist = await tempDir("edge-ingress-kv-");
  const files = await writeFiles(await tempDir(), {
    "ops.yaml": stringify({
      pools: {
        web: { origins: [{ url: a.url }, { url: b.url, weight: 3 }], healthCheck: { path: "/healthz", unhealthyThreshold: 1 } },
        side: { policy: "random", origins: [{ url: a.url }] },
      },
      rules: [{ host: "ops.test", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } } }] } }],
    }),
  });
  const applied = await cli(["apply", files["ops.yaml"]!, "--persist-to", persist, "--config", WRANGLER_TOML]);
  expect(applied.code, applied.stderr).toBe(0);
  dev = await startWranglerDev(persist, 45_000, { STATUS_TOKEN: TOKEN });
}, 90_000);

afterAll(async () => {
  await dev?.stop();
  await Promise.all([a, b].map((o) => o?.close()));
  await removeTempDirs();
});

describe("edge-ingress status and the status page", () => {
  it("show the same version, health and health changes after a cron run", async () => {
    await b.closePort();
    try {
      expect((await get(dev.port, "127.0.0.1", "/cdn-cgi/handler/scheduled?cron=*+*+*+*+*")).status).toBe(200);
    } finally {
      await b.reopen();
    }
    const page = await pageJson(dev.port);
    const run = await cli(["status", "--json", "--persist-to", persist, "--config", WRANGLER_TOML]);
    expect(run.code, run.stderr).toBe(0);
    const status = JSON.parse(run.stdout) as Status;

    expect(page.config?.version).toBe(status.version);
    expect(page.config?.appliedAt).toBe(status.appliedAt);
    const facts = (origins: readonly { url: string; weight: number; state: string; since?: string; reason?: string; streak?: number }[]) =>
      origins.map(({ url, weight, state, since, reason, streak }) => ({ url, weight, state, since, reason, streak }));
    expect(page.pools.map((p) => ({ name: p.name, policy: p.policy, origins: facts(p.origins) }))).toEqual(
      status.pools.map((p) => ({ name: p.name, policy: p.policy, origins: facts(p.origins) })),
    );
    expect(status.pools[0]?.origins[1]).toMatchObject({ url: b.url, state: "down", reason: expect.stringMatching(/^connection failed/) });
    expect(page.changes).toEqual(status.changes);
    expect(status.changes).toEqual([{ at: expect.any(String), pool: "web", origin: b.url, to: "down", reason: expect.stringMatching(/^connection failed/) }]);

    const text = await cli(["status", "--persist-to", persist, "--config", WRANGLER_TOML]);
    expect(text.stdout).toContain("recent health changes (newest first):");
    expect(text.stdout).toMatch(new RegExp(`web\\s+${b.url.replace(/\./g, "\\.")}\\s+down\\s+connection failed`));
  }, 90_000);
});
