// The cron run's handling of a failed KV write, in Node: a KV namespace whose
// writes fail (the account's daily write limit used up), real HTTP servers on
// 127.0.0.1 for the origin and the alert webhook. The run itself, end to
// end in workerd, is in test/health.test.ts.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../core/config/parse";
import { healthPlanText, versionKeyText } from "../core/config/published";
import { KV_KEYS } from "../core/config/stored";
import type { LogFields, Logger } from "../log";
import { PROBE_PHASE_MS, runScheduledHealthChecks } from "./health-run";

let webhook: Server;
let webhookUrl: string;
const posted: string[] = [];

beforeAll(async () => {
  webhook = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      posted.push(body);
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
  webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`;
});
afterAll(() => new Promise<void>((resolve) => webhook.close(() => resolve())));

/** A port nothing listens on: a closed server's. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A KV namespace in memory holding a health plan for `pools` (a config document's); with `failWrites`, every put throws as KV's does past the daily write limit. */
function kvWithPlan(pools: unknown, failWrites = false): { kv: KVNamespace; stored: Map<string, string> } {
  const parsed = parseConfig({ pools });
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join("; "));
  const stored = new Map<string, string>([
    [KV_KEYS.version, versionKeyText("v1", "d1")],
    [KV_KEYS.healthPlan, healthPlanText("v1", "d1", parsed.config.pools.values())],
  ]);
  const kv = {
    get: async (keys: string[]) => new Map(keys.map((key) => [key, stored.get(key) ?? null])),
    put: async (key: string, value: string) => {
      if (failWrites) throw new Error("KV put failed: 429 Too Many Requests");
      stored.set(key, value);
    },
  } as unknown as KVNamespace;
  return { kv, stored };
}

describe("the probe phase of a cron run", () => {
  it("is longer than any probe timeout a config may set", () => {
    const longest = parseConfig({ pools: { web: { origins: [{ url: "https://a.example" }], healthCheck: { timeoutMs: PROBE_PHASE_MS } } } });
    expect(longest.ok).toBe(false);
  });

  it("sends no probe that would end after it, and logs the origins it left for a later run", async () => {
    let probes = 0;
    const origin = createServer((_, res) => void (probes++, res.end("ok")));
    await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
    const { kv } = kvWithPlan({ web: { origins: [{ url }, { url: `${url}/b` }], healthCheck: { timeoutMs: 1000 } } });
    const lines: LogFields[] = [];
    const log: Logger = { info: (fields) => lines.push(fields), error: (fields) => lines.push(fields) };
    try {
      await runScheduledHealthChecks({ kv, fetch, log, nowMs: Date.now, maxProbes: 10, scheduledTimeMs: Date.now(), secret: () => undefined, probePhaseMs: 500, kept: { snapshot: undefined } });
    } finally {
      await new Promise<void>((resolve) => origin.close(() => resolve()));
    }
    expect(probes).toBe(0);
    expect(lines.find((l) => l.event === "health.run")).toMatchObject({ probed: 0, deferred: 2, wrote: false });
  });
});

describe("a cron run whose health write fails", () => {
  beforeEach(() => void (posted.length = 0));

  it("logs the failure, still posts its alerts, and does not throw", async () => {
    const port = await closedPort();
    const { kv } = kvWithPlan({ web: { origins: [{ url: `http://127.0.0.1:${port}` }], healthCheck: { path: "/healthz", unhealthyThreshold: 1, timeoutMs: 2000 } } }, true);
    const lines: LogFields[] = [];
    const log: Logger = { info: (fields) => lines.push(fields), error: (fields) => lines.push(fields) };

    await runScheduledHealthChecks({
      kv, fetch, log, nowMs: Date.now, maxProbes: 10, alertWebhookUrl: webhookUrl, scheduledTimeMs: Date.now(), secret: () => undefined, kept: { snapshot: undefined },
    });

    expect(lines.find((l) => l.event === "health.write_failed")).toMatchObject({ version: "v1", message: expect.stringContaining("429 Too Many Requests") });
    expect(lines.find((l) => l.event === "health.run")).toMatchObject({ down: [`web http://127.0.0.1:${port}`], wrote: false });
    expect(posted).toHaveLength(1);
    expect(posted[0]).toContain(`http://127.0.0.1:${port}`);
  });

  it("does not announce the change again at its isolate's next run, which writes again", async () => {
    const port = await closedPort();
    const { kv } = kvWithPlan({ web: { origins: [{ url: `http://127.0.0.1:${port}` }], healthCheck: { path: "/healthz", unhealthyThreshold: 1, timeoutMs: 2000 } } }, true);
    const lines: LogFields[] = [];
    const log: Logger = { info: (fields) => lines.push(fields), error: (fields) => lines.push(fields) };
    const kept = { snapshot: undefined };
    const firstMs = Date.UTC(2026, 10, 30, 6, 0);
    for (const scheduledTimeMs of [firstMs, firstMs + 60_000]) {
      await runScheduledHealthChecks({ kv, fetch, log, nowMs: Date.now, maxProbes: 10, alertWebhookUrl: webhookUrl, scheduledTimeMs, secret: () => undefined, kept });
    }
    expect(lines.filter((l) => l.event === "health.write_failed")).toHaveLength(2);
    expect(lines.filter((l) => l.event === "health.run").map((l) => l.changes)).toEqual([[expect.stringMatching(/: down \(connection failed/)], []]);
    expect(posted).toHaveLength(1);
  });
});
