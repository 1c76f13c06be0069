// End to end: the CLI writes wrangler's local KV, and a Worker running under
// `wrangler dev` (started once for this file, config cache off) routes real
// requests to real origin servers on 127.0.0.1 as the applied config says.
// Tests run in order and build on each other: apply, refuse, switch, status,
// rollback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { KV_KEYS } from "../../src/core/config/stored";
import { startOrigin, type TestOrigin } from "../support/origins";
import { cli, get, kvGet, removeTempDirs, startWranglerDev, tempDir, whoAnswers, WRANGLER_TOML, writeFiles, type WranglerDev } from "./helpers";

let a: TestOrigin;
let b: TestOrigin;
let c: TestOrigin;
let dev: WranglerDev;
let persist: string;
let files: Record<string, string>;
let v1Version: string;

const backend = (name: string) => ({ service: { name, port: { number: 80 } } });
const native = (mainOrigins: TestOrigin[], healthCheck?: object) =>
  stringify({
    pools: {
      main: { origins: mainOrigins.map((o) => ({ url: o.url })), ...(healthCheck ? { healthCheck } : {}) },
      side: { policy: "random", origins: [{ url: b.url }] },
    },
    rules: [{ host: "app.test", http: { paths: [{ path: "/", pathType: "Prefix", backend: backend("main") }] } }],
  });
const ingress = stringify({
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name: "side" },
  spec: { rules: [{ host: "app.test", http: { paths: [{ path: "/side", pathType: "Prefix", backend: backend("side") }] } }] },
});

/** The CLI against the local KV that `wrangler dev` reads. */
const kvCli = (...args: string[]) => cli([...args, "--persist-to", persist, "--config", WRANGLER_TOML]);
const readKv = () => Promise.all([kvGet(KV_KEYS.config, persist), kvGet(KV_KEYS.history, persist)]);

beforeAll(async () => {
  [a, b, c] = await Promise.all([startOrigin("a"), startOrigin("b"), startOrigin("c")]);
  persist = await tempDir("edge-ingress-kv-");
  const dir = await tempDir();
  files = await writeFiles(dir, {
    "v1.yaml": `${native([a])}---\n${ingress}`,
    "v2.yaml": `${native([c], { path: "/healthz", unhealthyThreshold: 1 })}---\n${ingress}`,
    "bad.yaml": `${stringify({ pools: { main: { policy: "fastest", origins: [{ url: "ftp://x" }] } } })}---\n${stringify({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "bad" },
      spec: { rules: [{ host: "app.test", http: { paths: [{ path: "/x", pathType: "Prefix", backend: { service: { name: "main" } } }] } }] },
    })}`,
  });
  dev = await startWranglerDev(persist);
}, 60_000);

afterAll(async () => {
  await dev?.stop();
  await Promise.all([a, b, c].map((o) => o?.close()));
  await removeTempDirs();
});

describe("edge-ingress against wrangler dev and local KV", () => {
  it("apply writes the config through wrangler and requests follow it", async () => {
    const before = await get(dev.port, "app.test", "/");
    expect(before.status).toBe(503);

    const run = await kvCli("apply", files["v1.yaml"]!);
    expect(run.code, run.stderr).toBe(0);
    const version = run.stdout.match(/^applied version ([0-9a-f]{12}) to local storage in /m)?.[1];
    expect(version).toBeDefined();
    v1Version = version!;
    expect(run.stdout).toContain("+ route app.test Prefix /side -> side");

    expect(await whoAnswers(dev.port, "app.test", "/")).toBe("a");
    expect(await whoAnswers(dev.port, "app.test", "/side/x")).toBe("b");
    expect(await whoAnswers(dev.port, "other.test", "/")).toBe("404");
  }, 60_000);

  it("an invalid config is refused with every problem, and neither it nor --dry-run changes KV by a byte", async () => {
    const before = await readKv();
    expect(JSON.parse(before[0]!).version).toBe(v1Version);

    const bad = await kvCli("apply", files["bad.yaml"]!);
    expect(bad.code).toBe(1);
    expect(bad.stderr.split("\n")).toEqual([
      `${files["bad.yaml"]}[0]: pools.main.policy: must be one of random, round-robin, least-recent, got "fastest" (line 3)`,
      `${files["bad.yaml"]}[0]: pools.main.origins[0].url: must be an absolute http(s) URL, got "ftp://x" (line 5)`,
      `${files["bad.yaml"]}[1]: spec.rules[0].http.paths[0].backend.service.port (Ingress bad): port name or number is required (Kubernetes requires it; edge-ingress ignores it) (line 19)`,
      "edge-ingress: 3 problems found; KV was not changed",
    ]);

    const dry = await kvCli("apply", files["v2.yaml"]!, "--dry-run");
    expect(dry.code, dry.stderr).toBe(0);
    const writes = JSON.parse(dry.stdout) as { key: string; value: unknown }[];
    expect(writes.map((w) => w.key)).toEqual([KV_KEYS.history, KV_KEYS.config]);
    expect((writes[1]?.value as { version: string }).version).not.toBe(v1Version);
    expect(dry.stderr).toContain(`  ~ pool main: + origin ${c.url}`);
    expect(dry.stderr).toContain("dry run: nothing was written");

    expect(await readKv()).toEqual(before);
    expect(await whoAnswers(dev.port, "app.test", "/")).toBe("a");
  }, 90_000);

  it("applying a changed config switches traffic on the next request", async () => {
    const run = await kvCli("apply", files["v2.yaml"]!);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`active in local storage in ${persist}: version ${v1Version}`);
    expect(run.stdout).toContain(`  ~ pool main: + origin ${c.url}`);
    expect(run.stdout).toContain(`  ~ pool main: - origin ${a.url}`);
    expect(run.stdout).toContain("  ~ pool main: + healthCheck GET /healthz");
    expect(await whoAnswers(dev.port, "app.test", "/")).toBe("c");
    expect(await whoAnswers(dev.port, "app.test", "/side")).toBe("b");
  }, 60_000);

  it("status shows the version, pools and the health the cron run recorded; explain marks the down origin", async () => {
    await c.closePort();
    try {
      const cron = await get(dev.port, "127.0.0.1", "/cdn-cgi/handler/scheduled?cron=*+*+*+*+*");
      expect(cron.status).toBe(200);
    } finally {
      await c.reopen();
    }
    const run = await kvCli("status", "--json");
    expect(run.code, run.stderr).toBe(0);
    const status = JSON.parse(run.stdout);
    expect(status.version).toMatch(/^[0-9a-f]{12}$/);
    expect(status.version).not.toBe(v1Version);
    expect(status.history.map((h: { version: string }) => h.version)).toEqual([status.version, v1Version]);
    expect(status.pools).toEqual([
      { name: "main", policy: "round-robin", origins: [{ url: c.url, weight: 1, state: "down", since: expect.any(String), reason: expect.any(String), streak: 0 }] },
      { name: "side", policy: "random", origins: [{ url: b.url, weight: 1, state: "unchecked" }] },
    ]);

    const explain = await kvCli("explain", files["v2.yaml"]!, "--host", "app.test", "--path", "/x");
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toContain(`  ${c.url}  weight 1  100%  DOWN (not a candidate)`);
    expect(explain.stdout).toContain("every origin is down: fail-open sends to all of them anyway");
  }, 60_000);

  it("rollback restores the previous version and traffic follows", async () => {
    const run = await kvCli("rollback");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split("\n").at(-1)).toBe(`rolled back to version ${v1Version}`);
    expect(await whoAnswers(dev.port, "app.test", "/")).toBe("a");
    const [config, history] = await readKv();
    expect(JSON.parse(config!).version).toBe(v1Version);
    expect(JSON.parse(history!).map((h: { version: string }) => h.version)).toEqual([v1Version]);
  }, 60_000);
});
