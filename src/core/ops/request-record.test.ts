import { describe, expect, it } from "vitest";
import { alwaysLogged, dataPoint, DATA_POINT_BLOBS, DATA_POINT_DOUBLES, levelOf, logFields, parseSampleRate, type RequestOutcome } from "./request-record";

const outcome: RequestOutcome = {
  requestId: "r-1",
  method: "GET",
  host: "app.example.com",
  path: "/api/x",
  rule: "rules[0].http.paths[1]",
  pool: "api",
  origin: "https://api-1.example.net",
  status: 502,
  durationMs: 12,
  retried: true,
  ejected: false,
  error: "origin-unreachable",
};

describe("the request log line", () => {
  it("has every field, flat, with null for what does not apply", () => {
    expect(logFields(outcome)).toEqual({
      event: "request",
      requestId: "r-1",
      method: "GET",
      host: "app.example.com",
      path: "/api/x",
      rule: "rules[0].http.paths[1]",
      pool: "api",
      origin: "https://api-1.example.net",
      status: 502,
      durationMs: 12,
      retried: true,
      ejected: false,
      error: "origin-unreachable",
    });
    expect(logFields({ ...outcome, rule: undefined, pool: undefined, origin: undefined, error: undefined })).toMatchObject({ rule: null, pool: null, origin: null, error: null });
  });

  it("is an error for the router's own 5xx answers only", () => {
    expect(levelOf({ status: 502, error: "origin-unreachable" })).toBe("error");
    expect(levelOf({ status: 503, error: "no-config" })).toBe("error");
    expect(levelOf({ status: 500, error: undefined })).toBe("info"); // the origin's own 500, relayed
    expect(levelOf({ status: 404, error: "no-route" })).toBe("info");
    expect(levelOf({ status: 200, error: undefined })).toBe("info");
  });
});

describe("sampling of request lines (REQUEST_LOG_SAMPLE_RATE)", () => {
  const ok = { status: 200, error: undefined, retried: false, ejected: false };

  it("samples only plain successes: errors, origin 5xx, retries and ejections are always logged", () => {
    expect(alwaysLogged(ok)).toBe(false);
    expect(alwaysLogged({ ...ok, status: 404 })).toBe(false); // the origin's own 404
    expect(alwaysLogged({ ...ok, status: 404, error: "no-route" })).toBe(true);
    expect(alwaysLogged({ ...ok, status: 500 })).toBe(true);
    expect(alwaysLogged({ ...ok, retried: true })).toBe(true);
    expect(alwaysLogged({ ...ok, ejected: true })).toBe(true);
  });

  it("reads a share from 0 to 1, defaults to 1, and refuses anything else with a message", () => {
    expect(parseSampleRate(undefined)).toEqual({ ok: true, rate: 1 });
    expect(parseSampleRate(" ")).toEqual({ ok: true, rate: 1 });
    expect(parseSampleRate("0")).toEqual({ ok: true, rate: 0 });
    expect(parseSampleRate("0.25")).toEqual({ ok: true, rate: 0.25 });
    for (const bad of ["1.5", "-0.1", "half", "NaN", "Infinity"]) {
      const parsed = parseSampleRate(bad);
      expect(parsed).toMatchObject({ ok: false, rate: 1 });
      expect(parsed.message).toContain(JSON.stringify(bad));
    }
  });
});

describe("the Analytics Engine data point", () => {
  it("puts the pool in the index and the documented columns in order", () => {
    const point = dataPoint(outcome);
    expect(point).toEqual({
      indexes: ["api"],
      blobs: ["app.example.com", "rules[0].http.paths[1]", "api", "https://api-1.example.net", "5xx", "origin-unreachable", "GET"],
      doubles: [12, 502, 1, 0],
    });
    expect(point.blobs).toHaveLength(DATA_POINT_BLOBS.length);
    expect(point.doubles).toHaveLength(DATA_POINT_DOUBLES.length);
  });

  it("stays inside Analytics Engine's limits whatever the input", () => {
    const long = "x".repeat(10_000);
    const point = dataPoint({ ...outcome, pool: long, host: long, origin: long, rule: long, method: long });
    expect(point.indexes[0]!.length).toBeLessThanOrEqual(96);
    expect(point.blobs.join("").length).toBeLessThanOrEqual(5120);
    expect(dataPoint({ ...outcome, pool: undefined, rule: undefined, origin: undefined, error: undefined, status: 204 })).toMatchObject({
      indexes: [""],
      blobs: ["app.example.com", "", "", "", "2xx", "", "GET"],
    });
  });
});
