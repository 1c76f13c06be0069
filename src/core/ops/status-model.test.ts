import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/parse";
import { DEFAULT_STATUS_PATH } from "../config/status-path";
import { PassiveEjector, type HealthSnapshot } from "../health";
import { compileRuntime, type Runtime } from "../runtime";
import { IsolateStats } from "./isolate-stats";
import { buildStatusModel, MAX_SHOWN_ROUTES, type StatusInput } from "./status-model";

const NOW = Date.UTC(2026, 10, 27, 6, 30);

function runtime(doc: unknown): Runtime {
  const parsed = parseConfig(doc);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return compileRuntime("v1", parsed.config, { random: () => 0.5 }, undefined, "2026-11-27T06:00:00.000Z");
}

const doc = {
  pools: {
    web: { origins: [{ url: "https://web-1.example.net", weight: 2 }, { url: "https://web-2.example.net" }], healthCheck: { path: "/healthz" } },
    api: { policy: "least-recent", origins: [{ url: "https://api.example.net" }], whenAllDown: "web" },
  },
  rules: [{ host: "app.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } } }, { path: "/api", pathType: "Prefix", backend: { service: { name: "api" } } }] } }],
};

function input(over: Partial<StatusInput> = {}): StatusInput {
  return {
    runtime: runtime(doc),
    health: { v: 1, origins: {} },
    stats: new IsolateStats(() => NOW - 60_000),
    ejector: new PassiveEjector(() => NOW),
    statusPath: DEFAULT_STATUS_PATH,
    nowMs: NOW,
    servingSinceMs: NOW - 30_000,
    probesPerRun: 50,
    ...over,
  };
}

describe("buildStatusModel", () => {
  it("shows the version, every pool with its origins, and the routes", () => {
    const model = buildStatusModel(input());
    expect(model.config).toEqual({ version: "v1", appliedAt: "2026-11-27T06:00:00.000Z", servingSince: "2026-11-27T06:29:30.000Z" });
    expect(model.summary).toEqual({ pools: 2, origins: 3, down: 0, ejected: 0 });
    expect(model.pools.map((p) => [p.name, p.policy, p.whenAllDown, p.healthCheck])).toEqual([
      ["web", "round-robin", "fail-open", { method: "GET", path: "/healthz", everyMinutes: 1 }],
      ["api", "least-recent", "fall back to pool web", null],
    ]);
    expect(model.pools[0]!.origins[0]).toEqual({ url: "https://web-1.example.net", weight: 2, state: "unknown", summary: "up (not probed yet)", ejected: false, traffic: null });
    expect(model.pools[1]!.origins[0]!.state).toBe("unchecked");
    expect(model.routes).toEqual([
      { host: "app.example.com", path: "/", pathType: "Prefix", rule: "rules[0].http.paths[0]", pool: "web" },
      { host: "app.example.com", path: "/api", pathType: "Prefix", rule: "rules[0].http.paths[1]", pool: "api" },
    ]);
    expect(model.isolate.note).toMatch(/this isolate|the isolate that answered/);
  });

  it("puts pools with a down or ejected origin first and says why", () => {
    const health: HealthSnapshot = {
      v: 1,
      origins: { "web https://web-2.example.net": { up: false, streak: 0, sinceMs: NOW - 120_000, reason: "status 503" } },
      changes: [{ key: "web https://web-2.example.net", up: false, atMs: NOW - 120_000, reason: "status 503" }],
    };
    const ejector = new PassiveEjector(() => NOW);
    const stats = new IsolateStats(() => NOW);
    ejector.recordFailure({ url: "https://api.example.net", weight: 1, key: "api https://api.example.net" }, { consecutiveFailures: 1, cooldownMs: 30_000, on5xx: false });
    stats.recordEjection("api https://api.example.net", NOW + 30_000);
    const model = buildStatusModel(input({ health, ejector, stats, runtime: runtime({ ...doc, pools: { spare: { origins: [{ url: "https://s.example.net" }] }, ...doc.pools } }) }));
    expect(model.pools.map((p) => p.name)).toEqual(["web", "api", "spare"]);
    expect(model.summary).toMatchObject({ down: 1, ejected: 1 });
    expect(model.pools[0]!.origins[1]).toMatchObject({ state: "down", reason: "status 503", summary: "down since 2026-11-27T06:28:00Z (status 503)" });
    expect(model.pools[1]!.origins[0]).toMatchObject({ ejected: true, traffic: { ejections: 1, requests: 0 } });
    expect(model.changes).toEqual([{ at: "2026-11-27T06:28:00.000Z", pool: "web", origin: "https://web-2.example.net", to: "down", reason: "status 503" }]);
    expect(model.ejections).toEqual([{ at: "2026-11-27T06:30:00.000Z", until: "2026-11-27T06:30:30.000Z", pool: "api", origin: "https://api.example.net" }]);
  });

  it("reports this isolate's traffic per origin", () => {
    const stats = new IsolateStats(() => NOW);
    for (let i = 0; i < 19; i++) stats.recordRequest({ originKey: "web https://web-1.example.net", failedOriginKey: undefined, originAnswered: true, status: 200, durationMs: 4, errorCode: undefined });
    stats.recordRequest({ originKey: "web https://web-1.example.net", failedOriginKey: undefined, originAnswered: true, status: 500, durationMs: 400, errorCode: undefined });
    const origin = buildStatusModel(input({ stats })).pools[0]!.origins[0]!;
    expect(origin.traffic).toEqual({ requests: 20, errors: 1, byClass: { "1xx": 0, "2xx": 19, "3xx": 0, "4xx": 0, "5xx": 1 }, p50Ms: 5, p95Ms: 5, p99Ms: 500, ejections: 0 });
  });

  it("says how often origins are probed when they outnumber a run's budget", () => {
    expect(buildStatusModel(input({ probesPerRun: 1 })).pools[0]!.healthCheck?.everyMinutes).toBe(2);
  });

  it("caps the routes it lists and says how many there are", () => {
    const paths = Array.from({ length: MAX_SHOWN_ROUTES + 10 }, (_, i) => ({ path: `/p${i}`, pathType: "Exact", backend: { service: { name: "web" } } }));
    const model = buildStatusModel(input({ runtime: runtime({ pools: doc.pools, rules: [{ http: { paths } }] }) }));
    expect(model.routes).toHaveLength(MAX_SHOWN_ROUTES);
    expect(model.routesTotal).toBe(MAX_SHOWN_ROUTES + 10);
    expect(model.routes[0]!.host).toBe("*");
  });

  it("works with no config at all", () => {
    const model = buildStatusModel(input({ runtime: undefined }));
    expect(model.config).toBeNull();
    expect(model.pools).toEqual([]);
    expect(model.routesTotal).toBe(0);
  });
});
