import { describe, expect, it } from "vitest";
import { IsolateStats, MAX_KEPT_EJECTIONS, MAX_TRACKED_ORIGINS, type RequestSample } from "./isolate-stats";
import { LATENCY_BOUNDS_MS, LatencyHistogram } from "./latency";

const A = "web http://a.example";
const B = "web http://b.example";
const sample = (over: Partial<RequestSample>): RequestSample => ({
  originKey: A,
  failedOriginKey: undefined,
  originAnswered: true,
  status: 200,
  durationMs: 3,
  errorCode: undefined,
  ...over,
});

describe("LatencyHistogram", () => {
  it("reads quantiles as the upper bound of their bucket", () => {
    const h = new LatencyHistogram();
    expect(h.quantileMs(0.5)).toBeUndefined();
    for (let i = 0; i < 90; i++) h.record(3); // bucket <= 5
    for (let i = 0; i < 9; i++) h.record(40); // bucket <= 50
    h.record(4_000); // bucket <= 5000
    expect(h.count).toBe(100);
    expect([h.quantileMs(0.5), h.quantileMs(0.9), h.quantileMs(0.95), h.quantileMs(0.99), h.quantileMs(1)]).toEqual([5, 5, 50, 50, 5_000]);
    expect(h.meanMs).toBeCloseTo((90 * 3 + 9 * 40 + 4_000) / 100);
  });

  it("puts bounds in their own bucket and anything past the last in the last", () => {
    const h = new LatencyHistogram();
    h.record(1);
    expect(h.quantileMs(1)).toBe(1);
    h.record(1e9);
    expect(h.quantileMs(1)).toBe(LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]);
  });
});

describe("IsolateStats", () => {
  it("counts requests, errors and status classes per origin", () => {
    const stats = new IsolateStats(() => 0);
    stats.recordRequest(sample({}));
    stats.recordRequest(sample({ status: 404 }));
    stats.recordRequest(sample({ status: 503 }));
    stats.recordRequest(sample({ originAnswered: false, status: 504, errorCode: "origin-timeout", durationMs: 300 }));
    const a = stats.origin(A)!;
    expect(a.requests).toBe(4);
    expect(a.errors).toBe(2);
    expect(a.byClass).toEqual([0, 0, 1, 0, 1, 1]);
    expect(a.latency.count).toBe(4);
    expect(stats.requests).toBe(4);
    expect(stats.errorsByCode()).toEqual({ "origin-timeout": 1 });
  });

  it("charges a failure before a retry to the origin that failed", () => {
    const stats = new IsolateStats(() => 0);
    stats.recordRequest(sample({ originKey: B, failedOriginKey: A }));
    expect(stats.origin(A)).toMatchObject({ requests: 1, errors: 1 });
    expect(stats.origin(A)!.latency.count).toBe(0);
    expect(stats.origin(B)).toMatchObject({ requests: 1, errors: 0 });
  });

  it("counts router answers that reached no origin without tracking an origin", () => {
    const stats = new IsolateStats(() => 0);
    stats.recordRequest(sample({ originKey: undefined, status: 404, errorCode: "no-route" }));
    expect(stats.trackedOrigins).toBe(0);
    expect(stats.errorsByCode()).toEqual({ "no-route": 1 });
  });

  it("keeps the last ejections, newest first, and counts them per origin", () => {
    let now = 1_000;
    const stats = new IsolateStats(() => now);
    stats.recordEjection(A, 31_000);
    now = 2_000;
    stats.recordEjection(B, 32_000);
    expect(stats.recentEjections()).toEqual([
      { key: B, atMs: 2_000, untilMs: 32_000 },
      { key: A, atMs: 1_000, untilMs: 31_000 },
    ]);
    expect(stats.origin(A)).toMatchObject({ ejections: 1, lastEjectedAtMs: 1_000 });
    for (let i = 0; i < MAX_KEPT_EJECTIONS + 5; i++) stats.recordEjection(A, i);
    expect(stats.recentEjections()).toHaveLength(MAX_KEPT_EJECTIONS);
  });

  it("stays bounded when many distinct origins pass through", () => {
    const stats = new IsolateStats(() => 0);
    for (let i = 0; i < MAX_TRACKED_ORIGINS + 100; i++) stats.recordRequest(sample({ originKey: `p http://o${i}.example` }));
    expect(stats.trackedOrigins).toBe(MAX_TRACKED_ORIGINS);
    expect(stats.origin("p http://o0.example")).toBeUndefined();
    expect(stats.origin(`p http://o${MAX_TRACKED_ORIGINS + 99}.example`)).toBeDefined();
  });
});
