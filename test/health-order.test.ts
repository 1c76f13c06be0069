// Cron runs whose KV read is older than the last write, that arrive late, or
// that overlap: the real Worker in workerd probing real origins on 127.0.0.1
// and posting alerts to a real receiver there. Local KV is strongly
// consistent, so a test puts back what a cached read would have returned.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KV_KEYS } from "../src/core/config/stored";
import { startOrigin, type TestOrigin } from "./support/origins";
import { startReceiver, type Receiver } from "./support/receiver";
import { startWorker, type TestWorker } from "./support/worker";

let worker: TestWorker;
let a: TestOrigin;
let b: TestOrigin;
let receiver: Receiver;

const at = (minute: number) => new Date(Date.UTC(2026, 10, 29, 6, minute));
const healthCheck = { path: "/healthz", timeoutMs: 300, healthyThreshold: 2, unhealthyThreshold: 2 };
const config = (check: Record<string, unknown> = {}) => ({ pools: { web: { origins: [{ url: a.url }, { url: b.url }], healthCheck: { ...healthCheck, ...check } } } });

async function healthText(): Promise<string> {
  const text = await (await worker.kv()).get(KV_KEYS.health);
  if (text === null) throw new Error("no health state in KV");
  return text;
}
const recordOf = (text: string, origin: TestOrigin) => (JSON.parse(text) as { origins: Record<string, unknown> }).origins[`web ${origin.url}`];
const putHealth = async (text: string) => (await worker.kv()).put(KV_KEYS.health, text);
const lastRun = () => worker.events("health.run").at(-1);

beforeEach(async () => {
  [a, b, receiver] = await Promise.all([startOrigin("a"), startOrigin("b"), startReceiver()]);
  worker = await startWorker({ vars: { ALERT_WEBHOOK_URL: receiver.url } });
});
afterEach(async () => {
  await worker?.dispose();
  await Promise.all([a?.close(), b?.close(), receiver?.close()]);
});

describe("a cron run that reads an older health state than its isolate wrote", () => {
  it("counts on from its own newer state: no change applied or announced twice, and KV repaired", async () => {
    await worker.putConfig(config());
    await worker.scheduled(at(0));
    b.mode = { kind: "status", status: 503 };
    await worker.scheduled(at(1));
    const oneFailure = await healthText();
    expect(recordOf(oneFailure, b)).toMatchObject({ up: true, streak: 1 });
    await worker.scheduled(at(2));
    const down = await healthText();
    expect(recordOf(down, b)).toMatchObject({ up: false, streak: 0 });
    expect(receiver.posts.map((p) => [p.origin, p.to])).toEqual([[b.url, "down"]]);

    // The next run's read returns the state from before the last write.
    await putHealth(oneFailure);
    await worker.scheduled(at(3));
    expect(receiver.posts).toHaveLength(1);
    expect(recordOf(await healthText(), b)).toEqual(recordOf(down, b));
    expect(lastRun()).toMatchObject({ base: "isolate", wrote: true });
  });

  it("loses no probe: a streak goes on from the isolate's state", async () => {
    await worker.putConfig(config());
    b.mode = { kind: "status", status: 503 };
    await worker.scheduled(at(0));
    await worker.scheduled(at(1));
    const down = await healthText();
    expect(recordOf(down, b)).toMatchObject({ up: false });

    b.mode = { kind: "ok" };
    await worker.scheduled(at(2));
    expect(recordOf(await healthText(), b)).toMatchObject({ up: false, streak: 1 });
    await putHealth(down);
    // The second good probe in a row brings b back, whatever KV returned.
    await worker.scheduled(at(3));
    expect(recordOf(await healthText(), b)).toMatchObject({ up: true, streak: 0 });
    expect(receiver.posts.map((p) => [p.origin, p.to])).toEqual([
      [b.url, "down"],
      [b.url, "up"],
    ]);
  });
});

describe("a cron run that a later run has overtaken", () => {
  it("writes and announces nothing when KV holds a state stamped by a later run", async () => {
    await worker.putConfig(config({ unhealthyThreshold: 1 }));
    // What a run of minute 5 wrote, seen by a run of minute 4 that starts late (on another machine).
    const later = JSON.stringify({ v: 1, runAtMs: at(5).getTime(), origins: { [`web ${b.url}`]: { up: true, streak: 0, sinceMs: 1 } } });
    await putHealth(later);
    b.mode = { kind: "status", status: 503 };
    await worker.scheduled(at(4));
    expect(await healthText()).toBe(later);
    expect(receiver.posts).toEqual([]);
    expect(b.requests).toEqual([]);
    expect(worker.events("health.superseded")).toEqual([expect.objectContaining({ runAt: at(4).toISOString(), by: at(5).toISOString(), from: "kv" })]);
  });

  it("does not write over the state of a later run that ended while it probed", async () => {
    await worker.putConfig(config({ unhealthyThreshold: 1, timeoutMs: 2_000 }));
    await worker.scheduled(at(0));
    const before = await healthText();

    a.requests.length = 0;
    a.mode = { kind: "hang" };
    const slow = worker.scheduled(at(1));
    await vi.waitFor(() => expect(a.requests).toHaveLength(1), { timeout: 5_000, interval: 20 });
    // Minute 2's run finds a answering, and ends while minute 1's waits for its probe to time out.
    a.mode = { kind: "ok" };
    await worker.scheduled(at(2));
    await slow;

    expect(recordOf(await healthText(), a)).toEqual(recordOf(before, a));
    expect(receiver.posts).toEqual([]);
    expect(worker.events("health.run")).toHaveLength(2);
    expect(worker.events("health.superseded")).toEqual([expect.objectContaining({ runAt: at(1).toISOString(), by: at(2).toISOString(), from: "isolate" })]);
  });
});
