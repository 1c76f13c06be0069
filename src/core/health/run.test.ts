// runHealthChecks against a real HTTP server on 127.0.0.1: each origin is a
// base path /o/<name> on it, whose behaviour the test sets per name.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Config, HealthCheckSpec, Pool } from "../config/types";
import { probeOrder, probeWindow, runHealthChecks, windowTurn } from "./run";
import { emptySnapshot, type HealthSnapshot } from "./snapshot";

type Behaviour = number | "hang";

let server: Server;
let base: string;
const behaviour = new Map<string, Behaviour>();
/** Arrivals, in order, by origin name. */
let arrivals: string[] = [];
/** The headers of the last probe each origin received. */
const headersSeen = new Map<string, IncomingMessage["headers"]>();
/** Called on every arrival; a test may hold responses here. */
let onArrival: ((name: string, answer: () => void) => void) | undefined;

function handle(req: IncomingMessage, res: ServerResponse): void {
  const name = /^\/o\/([^/]+)\/health$/.exec(req.url ?? "")?.[1] ?? "?";
  arrivals.push(name);
  headersSeen.set(name, req.headers);
  const b = behaviour.get(name) ?? 200;
  if (b === "hang") return;
  const answer = () => void res.writeHead(b).end(`status ${b}`);
  if (onArrival) onArrival(name, answer);
  else answer();
}

beforeAll(async () => {
  server = createServer(handle);
  const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  behaviour.clear();
  arrivals = [];
  onArrival = undefined;
});

const check = (overrides: Partial<HealthCheckSpec> = {}): HealthCheckSpec => ({
  path: "/health",
  method: "GET",
  expectedStatus: [{ from: 200, to: 399 }],
  timeoutMs: 5000,
  healthyThreshold: 1,
  unhealthyThreshold: 1,
  headers: {},
  ...overrides,
});

function pool(name: string, originNames: string[], healthCheck: HealthCheckSpec | null = check()): Pool {
  return {
    name,
    policy: "round-robin",
    origins: originNames.map((o) => ({ url: `${base}/o/${o}`, weight: 1, key: `${name} ${base}/o/${o}` })),
    timeoutMs: 30_000,
    uploadIdleTimeoutMs: 60_000,
    ...(healthCheck ? { healthCheck } : {}),
    whenAllDown: { kind: "fail-open" },
    passiveEjection: { consecutiveFailures: 5, cooldownMs: 30_000, on5xx: false },
  };
}

function config(...pools: Pool[]): Config {
  return { pools: new Map(pools.map((p) => [p.name, p])), routes: [], statusPath: "/.well-known/edge-ingress/" };
}

const names = (n: number, prefix = "o") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

function clock(startMs = 1_000): () => number {
  let t = startMs;
  return () => t++;
}

describe("runHealthChecks", () => {
  it("probes every origin of pools with a healthCheck and records them", async () => {
    behaviour.set("b", 503);
    const run = await runHealthChecks(config(pool("api", ["a", "b"]), pool("static", ["c"], null)), emptySnapshot, { fetch, nowMs: () => 7 });
    expect(arrivals.sort()).toEqual(["a", "b"]);
    expect(run.probed).toBe(2);
    expect(run.skipped).toBe(0);
    expect(run.changed).toBe(true);
    expect(run.results).toEqual([
      { pool: "api", url: `${base}/o/a`, key: `api ${base}/o/a`, result: { ok: true } },
      { pool: "api", url: `${base}/o/b`, key: `api ${base}/o/b`, result: { ok: false, reason: "status 503" } },
    ]);
    expect(run.next).toEqual({
      v: 1,
      origins: {
        [`api ${base}/o/a`]: { up: true, streak: 0, sinceMs: 7 },
        [`api ${base}/o/b`]: { up: false, streak: 0, sinceMs: 7, reason: "status 503" },
      },
      // A new origin starts up, so going down on its first probe is a change.
      changes: [{ key: `api ${base}/o/b`, up: false, atMs: 7, reason: "status 503" }],
    });
    expect(run.transitions).toEqual(run.next.changes);
  });

  it("never has more probes in flight than the concurrency, and uses all of it", async () => {
    const limit = 3;
    const total = 20;
    let held: Array<() => void> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    // Hold answers until `limit` requests wait at once (or every request has
    // come): the count can reach the limit only if the runner keeps it busy,
    // and exceeds it only if the runner sends too many. Release is deferred a
    // little so a runner that over-sends has the chance to show it.
    onArrival = (_, answer) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      held.push(answer);
      if (held.length === limit || arrivals.length === total) {
        const batch = held;
        held = [];
        setTimeout(() => {
          inFlight -= batch.length;
          for (const a of batch) a();
        }, 10);
      }
    };
    const run = await runHealthChecks(config(pool("api", names(total))), emptySnapshot, { fetch, nowMs: clock(), concurrency: limit });
    expect(run.probed).toBe(total);
    expect(run.results.every((r) => r.result.ok)).toBe(true);
    expect(maxInFlight).toBe(limit);
  });

  it("does not make the other origins wait for a slow one", async () => {
    // "slow" answers only after every other origin has been answered: a runner
    // that waited for it (batches) would send the rest only after its timeout.
    const others = names(8);
    let slowAnswer: (() => void) | undefined;
    let answered = 0;
    onArrival = (name, answer) => {
      if (name === "slow") {
        if (answered === others.length) answer();
        else slowAnswer = answer;
        return;
      }
      answer();
      if (++answered === others.length) slowAnswer?.();
    };
    const run = await runHealthChecks(config(pool("api", ["slow", ...others], check({ timeoutMs: 3000 }))), emptySnapshot, {
      fetch,
      nowMs: clock(),
      concurrency: 2,
    });
    expect(arrivals.sort()).toEqual(["slow", ...others].sort());
    expect(run.results.map((r) => r.result)).toEqual(Array.from({ length: 9 }, () => ({ ok: true })));
  });

  it("reports a hanging origin as a timeout and the others as they are", async () => {
    behaviour.set("hang", "hang");
    behaviour.set("bad", 500);
    const run = await runHealthChecks(config(pool("api", ["hang", "a", "bad", "b"], check({ timeoutMs: 200 }))), emptySnapshot, {
      fetch,
      nowMs: clock(),
      concurrency: 2,
    });
    expect(run.results.map((r) => (r.result.ok ? "ok" : r.result.reason))).toEqual(["timeout after 200 ms", "ok", "status 500", "ok"]);
  });

  it("probes a window of maxProbes that rotates with runIndex and covers every origin", async () => {
    const cfg = config(pool("a", names(4, "a")), pool("b", names(3, "b")), pool("none", names(2, "n"), null));
    let health: HealthSnapshot = emptySnapshot;
    const windows: string[][] = [];
    for (let runIndex = 0; runIndex < 3; runIndex++) {
      arrivals = [];
      const run = await runHealthChecks(cfg, health, { fetch, nowMs: clock(), maxProbes: 3, runIndex });
      expect(run.probed).toBe(3);
      expect(run.skipped).toBe(4);
      windows.push(run.results.map((r) => r.key.slice(r.key.lastIndexOf("/") + 1)));
      expect(arrivals.sort()).toEqual([...windows.at(-1)!].sort());
      health = run.next;
    }
    // ceil(7 / 3) = 3 runs tile the list in config order, wrapping around.
    expect(windows).toEqual([
      ["a0", "a1", "a2"],
      ["a3", "b0", "b1"],
      ["a0", "a1", "b2"],
    ]);
    // Records accumulate across runs: unprobed origins keep theirs; pools without a check have none.
    expect(Object.keys(health.origins)).toHaveLength(7);
    expect(Object.keys(health.origins).some((k) => k.startsWith("none "))).toBe(false);
  });

  it("prunes records of removed origins and of pools that lost their healthCheck", async () => {
    const cfg = config(pool("api", ["a"]), pool("static", ["s"], null));
    const previous: HealthSnapshot = {
      v: 1,
      origins: {
        [`api ${base}/o/a`]: { up: true, streak: 0, sinceMs: 1 },
        [`api ${base}/o/removed`]: { up: false, streak: 0, sinceMs: 1, reason: "status 503" },
        [`static ${base}/o/s`]: { up: false, streak: 0, sinceMs: 1, reason: "status 503" },
      },
    };
    const run = await runHealthChecks(cfg, previous, { fetch, nowMs: clock() });
    expect(run.changed).toBe(true);
    expect(run.next).toEqual({ v: 1, origins: { [`api ${base}/o/a`]: { up: true, streak: 0, sinceMs: 1 } } });
    expect(arrivals).toEqual(["a"]);
  });

  it("reports no change in steady state and a change on a transition", async () => {
    const cfg = config(pool("api", ["a", "b", "c"]));
    const deps = { fetch, nowMs: clock() };
    const first = await runHealthChecks(cfg, emptySnapshot, deps);
    expect(first.changed).toBe(true);

    let health = first.next;
    for (let i = 0; i < 3; i++) {
      const run = await runHealthChecks(cfg, health, deps);
      expect(run.changed).toBe(false);
      expect(run.next).toBe(health);
      health = run.next;
    }

    behaviour.set("b", 503);
    const down = await runHealthChecks(cfg, health, deps);
    expect(down.changed).toBe(true);
    expect(down.next.origins[`api ${base}/o/b`]).toMatchObject({ up: false, reason: "status 503" });

    // Still down, even with another reason: nothing to write.
    behaviour.set("b", 500);
    const still = await runHealthChecks(cfg, down.next, deps);
    expect(still.changed).toBe(false);
    expect(still.next.origins[`api ${base}/o/b`]).toMatchObject({ up: false, reason: "status 503" });
    // The result itself still says what happened this time.
    expect(still.results[1]?.result).toEqual({ ok: false, reason: "status 500" });
  });

  it("reads secret headers from the env at probe time; a missing secret fails the pool's probes without sending them", async () => {
    const cfg = config(
      pool("api", ["a", "b"], check({ headers: { Authorization: { secret: "API_TOKEN" }, "X-Probe": "1" } })),
      pool("web", ["w"], check({ headers: { Authorization: { secret: "WEB_TOKEN" } } })),
    );
    const env: Record<string, string> = { API_TOKEN: "Bearer t0ken" };
    const run = await runHealthChecks(cfg, emptySnapshot, { fetch, nowMs: clock(), secret: (name) => env[name] });
    expect(arrivals.sort()).toEqual(["a", "b"]);
    expect(headersSeen.get("a")).toMatchObject({ authorization: "Bearer t0ken", "x-probe": "1" });
    expect(run.results.map((r) => [r.key.slice(r.key.lastIndexOf("/") + 1), r.result])).toEqual([
      ["a", { ok: true }],
      ["b", { ok: true }],
      ["w", { ok: false, reason: "secret WEB_TOKEN is not set" }],
    ]);
    expect(run.headerProblems).toEqual([{ pool: "web", secret: "WEB_TOKEN", reason: "secret WEB_TOKEN is not set" }]);
    // Without a lookup no secret is set: the run still completes.
    const none = await runHealthChecks(cfg, emptySnapshot, { fetch, nowMs: clock() });
    expect(none.headerProblems.map((p) => p.pool)).toEqual(["api", "web"]);
  });

  it("with a deadline, sends a probe only if its timeout ends before it; the others keep their records", async () => {
    for (const name of ["h0", "h1"]) behaviour.set(name, "hang");
    const previous: HealthSnapshot = { v: 1, origins: { [`api ${base}/o/h1`]: { up: false, streak: 0, sinceMs: 1, reason: "status 503" } } };
    // One lane: h0 hangs for its 500 ms, after which no 500 ms probe fits before the deadline (the first fits even if it starts 450 ms late).
    const run = await runHealthChecks(config(pool("api", ["h0", "h1", "a"], check({ timeoutMs: 500 }))), previous, {
      fetch,
      nowMs: Date.now,
      concurrency: 1,
      deadlineMs: Date.now() + 950,
    });
    expect(arrivals).toEqual(["h0"]);
    expect(run).toMatchObject({ probed: 1, deferred: 2, skipped: 0 });
    expect(run.results.map((r) => r.result)).toEqual([{ ok: false, reason: "timeout after 500 ms" }]);
    expect(run.next.origins).toEqual({
      [`api ${base}/o/h0`]: { up: false, streak: 0, sinceMs: expect.any(Number), reason: "timeout after 500 ms" },
      [`api ${base}/o/h1`]: previous.origins[`api ${base}/o/h1`],
    });
  });

  it("with a deadline, rotates the order so hanging origins early in the config do not starve the later ones", async () => {
    const hanging = names(3, "h");
    for (const name of hanging) behaviour.set(name, "hang");
    const cfg = config(pool("api", hanging, check({ timeoutMs: 500 })));
    const probedByRun: string[][] = [];
    for (let runIndex = 7; runIndex < 10; runIndex++) {
      arrivals = [];
      // One lane fits one 500 ms probe before the deadline (even if it starts 450 ms late): each run probes one origin.
      const run = await runHealthChecks(cfg, emptySnapshot, { fetch, nowMs: Date.now, concurrency: 1, runIndex, deadlineMs: Date.now() + 950 });
      expect(run.deferred).toBe(2);
      probedByRun.push(arrivals);
    }
    expect(probedByRun.flat().sort()).toEqual(hanging);
  });

  it("probes nothing and keeps everything with a budget of 0", async () => {
    const previous: HealthSnapshot = { v: 1, origins: { [`api ${base}/o/a`]: { up: false, streak: 0, sinceMs: 1 } } };
    const run = await runHealthChecks(config(pool("api", ["a", "b"])), previous, { fetch, nowMs: clock(), maxProbes: 0 });
    expect(run).toMatchObject({ changed: false, probed: 0, skipped: 2, results: [] });
    expect(arrivals).toEqual([]);
  });
});

describe("probeOrder and windowTurn", () => {
  // What a run surely probes when every origin hangs: the first `sure` of its order.
  const surelyProbedOver = (total: number, budget: number, sure: number, runs: number) => {
    const targets = names(total);
    const seen = new Set<string>();
    for (let run = 0; run < runs; run++) {
      for (const t of probeOrder(probeWindow(targets, budget, run), sure, windowTurn(total, budget, run)).slice(0, sure)) seen.add(t);
    }
    return seen.size;
  };

  it("lets the runs' sure probes reach every origin, windows or not", () => {
    expect(surelyProbedOver(9, 50, 2, 5)).toBe(9);
    // Each window comes round every third run: only its own turns move its order.
    expect(surelyProbedOver(9, 3, 1, 9)).toBe(9);
    expect(surelyProbedOver(135, 45, 6, 24)).toBe(135);
    expect(surelyProbedOver(96, 48, 6, 48)).toBe(96);
  });

  it("keeps the window's order when every probe surely fits", () => {
    expect(probeOrder(["a", "b", "c"], 3, 5)).toEqual(["a", "b", "c"]);
    expect(probeOrder(["a", "b", "c"], 1, 1)).toEqual(["b", "c", "a"]);
  });
});

describe("probeWindow", () => {
  const items = names(10);

  it("returns every item when they fit the budget", () => {
    expect(probeWindow(items, 10, 123)).toEqual(items);
    expect(probeWindow(items, 50, 0)).toEqual(items);
  });

  it("covers every item within ceil(total / budget) consecutive runs, from any start", () => {
    for (const budget of [1, 3, 4, 7, 9]) {
      for (const start of [0, 5, 29_000_000, 2 ** 40 + 3]) {
        const seen = new Set<string>();
        for (let r = start; r < start + Math.ceil(items.length / budget); r++) {
          const window = probeWindow(items, budget, r);
          expect(window).toHaveLength(budget);
          for (const item of window) seen.add(item);
        }
        expect(seen.size).toBe(items.length);
      }
    }
  });
});
