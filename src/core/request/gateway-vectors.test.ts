// The Gateway API documentation vectors through the request decision in
// plain Node: which backend, or which local answer, and what the origin
// would receive (path, Host, headers). The same vectors run end to end in
// workerd against real origins in test/gateway-conformance.test.ts.
import { describe, expect, it } from "vitest";
import { deviation, loadGatewaySuites, suiteDocument, type SuiteRequest } from "../../../test/support/gateway-suites";
import { seededRandom } from "../../../test/support/seeded-random";
import { parseConfig } from "../config/parse";
import { compileRuntime } from "../runtime";
import { decide } from "./decide";

const suites = loadGatewaySuites();

function incoming(r: SuiteRequest) {
  const url = new URL(`${r.scheme ?? "http"}://${r.host}${r.path}`);
  return { method: r.method ?? "GET", url, headers: new Headers(r.headers ?? {}), clientIp: "192.0.2.1", requestId: "req-1" };
}

describe("Gateway API documentation vectors, decided in Node", () => {
  for (const suite of suites) {
    it(suite.name, () => {
      const parsed = parseConfig(suiteDocument(suite, (s) => `http://${s}.test`));
      expect(parsed.problems).toEqual([]);
      if (!parsed.ok) return;
      const runtime = compileRuntime("v1", parsed.config, { random: seededRandom(1) });
      for (const request of suite.requests) {
        const label = `${request.method ?? "GET"} ${request.scheme ?? "http"}://${request.host}${request.path}`;
        const e = request.expect;
        if (e.backendDistribution || e.statusDistribution) continue; // sampled in workerd
        const d = decide(runtime, incoming(request), seededRandom(3));
        const dev = deviation(suite, request);
        const status = dev?.status ?? e.status ?? (e.backend ? 200 : undefined);
        const backend = dev ? dev.backend : e.backend;
        if (d.kind === "bad-path") expect.fail(`${label}: path refused: ${d.reason}`);
        if (d.kind === "no-route") {
          expect(404, label).toBe(status ?? 404);
          continue;
        }
        if (d.kind === "no-backend") {
          expect(500, label).toBe(status);
          continue;
        }
        if (d.kind === "answer") {
          expect(backend ?? null, label).toBeNull();
          if (status !== undefined) expect(d.answer.status, label).toBe(status);
          if (e.statusOneOf) expect(e.statusOneOf, label).toContain(d.answer.status);
          if (e.location !== undefined) expect(d.answer.headers.location, label).toBe(e.location);
          continue;
        }
        if (backend !== undefined) expect(d.pool, label).toBe(backend);
        if (status !== undefined && status !== 200) expect.fail(`${label}: forwarded, expected status ${status}`);
        if (e.backendPath !== undefined) expect(d.upstream.path + d.upstream.search, label).toBe(e.backendPath);
        if (e.backendHost !== undefined) expect(d.upstream.upstreamHost, label).toBe(e.backendHost);
        for (const [name, value] of Object.entries(e.backendHeaders ?? {})) {
          const got = d.upstream.headers.get(name);
          expect(got?.split(",").map((s) => s.trim()).join(",") ?? null, `${label} ${name}`).toBe(value);
        }
      }
    });
  }
});
