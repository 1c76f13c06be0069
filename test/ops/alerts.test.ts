// Webhook alerts from the cron run: the real Worker in workerd probing real
// origins on 127.0.0.1 and posting to a real HTTP receiver on 127.0.0.1.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { KV_KEYS } from "../../src/core/config/stored";
import { startOrigin, type TestOrigin } from "../support/origins";
import { startReceiver, type Receiver } from "../support/receiver";
import { startWorker, type TestWorker } from "../support/worker";

let a: TestOrigin;
let b: TestOrigin;
let receiver: Receiver;
let minute = 0;
const tick = (w: TestWorker) => w.scheduled(new Date(Date.UTC(2026, 10, 27, 9, minute++)));
const config = (healthCheck: Record<string, unknown> = {}) => ({
  pools: { web: { origins: [{ url: a.url }, { url: b.url }], healthCheck: { path: "/healthz", timeoutMs: 300, unhealthyThreshold: 1, healthyThreshold: 1, ...healthCheck } } },
});

beforeAll(async () => {
  [a, b] = await Promise.all([startOrigin("a"), startOrigin("b")]);
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await Promise.all([a, b].map((o) => o?.close()));
});
beforeEach(() => {
  receiver.posts.length = 0;
  receiver.answer = 200;
  for (const o of [a, b]) {
    o.mode = { kind: "ok" };
    o.requests.length = 0;
  }
});

describe("webhook alerts", () => {
  it("posts once per change, never per run, Slack-compatible with the facts as fields", async () => {
    const w = await startWorker({ vars: { ALERT_WEBHOOK_URL: receiver.url } });
    try {
      const version = await w.putConfig(config());
      await tick(w);
      expect(receiver.posts).toEqual([]);

      b.mode = { kind: "status", status: 503 };
      await tick(w);
      expect(receiver.posts).toEqual([
        {
          text: `:red_circle: edge-ingress: origin ${b.url} of pool "web" is DOWN (status 503) at ${receiver.posts[0]?.at}`,
          event: "origin.health_changed",
          configVersion: version,
          pool: "web",
          origin: b.url,
          from: "up",
          to: "down",
          reason: "status 503",
          at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          _contentType: "application/json",
          _path: "/services/T000/B000/secret-part-of-the-url",
        },
      ]);
      // Still down: nothing more.
      await tick(w);
      await tick(w);
      expect(receiver.posts).toHaveLength(1);

      b.mode = { kind: "ok" };
      await tick(w);
      expect(receiver.posts).toHaveLength(2);
      expect(receiver.posts[1]).toMatchObject({ origin: b.url, from: "down", to: "up", reason: "1 good probe in a row" });
      await tick(w);
      expect(receiver.posts).toHaveLength(2);
      expect(w.logs).toContainEqual(expect.objectContaining({ event: "alert.sent", origin: b.url, to: "down" }));
    } finally {
      await w.dispose();
    }
  });

  it("logs a failing or hanging webhook without its URL, and health checking carries on", async () => {
    for (const answer of [500, "hang"] as const) {
      const w = await startWorker({ vars: { ALERT_WEBHOOK_URL: receiver.url } });
      try {
        receiver.answer = answer;
        await w.putConfig(config());
        b.mode = { kind: "status", status: 503 };
        await tick(w);
        const failed = w.logs.find((l) => (l as { event?: string }).event === "alert.failed");
        expect(failed, String(answer)).toMatchObject(answer === 500 ? { level: "error", origin: b.url, status: 500 } : { level: "error", origin: b.url, message: "no answer within 5000 ms" });
        expect(JSON.stringify(w.logs)).not.toContain("secret-part-of-the-url");
        // The state was written all the same, and the next run probes as usual.
        const health = JSON.parse((await (await w.kv()).get(KV_KEYS.health))!);
        expect(health.origins[`web ${b.url}`]).toMatchObject({ up: false });
        b.requests.length = 0;
        await tick(w);
        expect(b.requests.map((r) => r.url)).toEqual(["/healthz"]);
      } finally {
        await w.dispose();
      }
    }
  });

  it("logs an unreachable webhook without its URL", async () => {
    const w = await startWorker({ vars: { ALERT_WEBHOOK_URL: "http://127.0.0.1:1/hooks/secret-part-of-the-url" } });
    try {
      await w.putConfig(config());
      b.mode = { kind: "status", status: 503 };
      await tick(w);
      expect(w.logs).toContainEqual(expect.objectContaining({ event: "alert.failed", origin: b.url }));
      expect(JSON.stringify(w.logs)).not.toContain("secret-part-of-the-url");
    } finally {
      await w.dispose();
    }
  });

  it("keeps probes and posts of one run within HEALTH_MAX_PROBES_PER_RUN", async () => {
    const origins = await Promise.all(["c", "d", "e", "f"].map((n) => startOrigin(n)));
    const w = await startWorker({ vars: { ALERT_WEBHOOK_URL: receiver.url }, maxProbes: 4 });
    try {
      await w.putConfig({ pools: { many: { origins: origins.map((o) => ({ url: o.url })), healthCheck: { path: "/healthz", unhealthyThreshold: 1 } } } });
      for (const o of origins) o.mode = { kind: "status", status: 500 };
      const probes = () => origins.reduce((n, o) => n + o.requests.length, 0);
      // Budget 4 with a webhook: 3 probes and 1 post per run; every change still goes out, once.
      let before = { probes: 0, posts: 0 };
      for (let run = 0; run < 2; run++) {
        await tick(w);
        const spent = probes() - before.probes + (receiver.posts.length - before.posts);
        expect(spent, `run ${run}`).toBeLessThanOrEqual(4);
        expect(probes() - before.probes).toBe(3);
        before = { probes: probes(), posts: receiver.posts.length };
      }
      const alerted = receiver.posts.flatMap((p) => (p.event === "origins.health_changed" ? (p.changes as { origin: string }[]).map((c) => c.origin) : [p.origin as string]));
      expect(alerted.sort()).toEqual(origins.map((o) => o.url).sort());
      expect(receiver.posts).toHaveLength(2);
    } finally {
      await w.dispose();
      await Promise.all(origins.map((o) => o.close()));
    }
  });

  it("posts nothing without the secret", async () => {
    const w = await startWorker();
    try {
      await w.putConfig(config());
      b.mode = { kind: "status", status: 503 };
      await tick(w);
      expect(receiver.posts).toEqual([]);
      expect(w.logs.some((l) => String((l as { event?: string }).event).startsWith("alert."))).toBe(false);
    } finally {
      await w.dispose();
    }
  });
});
