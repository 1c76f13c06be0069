// The prepared form against the full path on every config the fixtures
// make (test/support/fixture-configs.ts): each gets a prepared form, and the
// config decoded from it (after a JSON round trip, as KV stores it) decides
// every request as the validated config does and holds the same things,
// compiled parts compared by what they were compiled from.
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { fixtureConfigs, type FixtureConfig } from "../../../test/support/fixture-configs";
import { seededRandom } from "../../../test/support/seeded-random";
import { simulate, outcomeOf, type SimulatedRequest } from "../request/simulate";
import { FILTERS } from "../filters/registry";
import { explainRoute } from "../routing/explain";
import { compileRuntime, type Runtime } from "../runtime";
import { parseConfig } from "./parse";
import { encodePrepared, preparedRoundTrip, preparedRoutesOf, unpreparedReason } from "./prepared";
import { recipeOf } from "./recipes";
import type { Config, Route } from "./types";

const fixtures = await fixtureConfigs();

function parsed(fixture: FixtureConfig): Config | undefined {
  if (typeof fixture.document === "string") return undefined;
  const result = parseConfig(fixture.document);
  return result.ok ? result.config : undefined;
}

const decoded = (config: Config) => preparedRoundTrip(config) as Config;

/** `value` as plain data: a compiled filter or pattern as what it was compiled from, Headers as their entries, functions by kind. */
function comparable(value: unknown, depth = 0): unknown {
  if (depth > 40) throw new Error("too deep");
  if (typeof value === "function") return "(function)";
  if (typeof value !== "object" || value === null) return value;
  // Route actions are compared as the objects they are (their filters by recipe).
  const recipe = recipeOf(value);
  if (recipe?.kind === "filter") return { filter: recipe.type, raw: comparable(recipe.raw, depth + 1), ctx: comparable(recipe.ctx, depth + 1) };
  if (recipe?.kind === "pattern") return { ...recipe };
  if (value instanceof Headers) return { headers: [...value] };
  if (value instanceof URL) return { url: value.href };
  if (value instanceof Map) return { map: [...value].map(([k, v]) => [k, comparable(v, depth + 1)]) };
  if (Array.isArray(value)) return value.map((item) => comparable(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = comparable((value as Record<string, unknown>)[key], depth + 1);
  return out;
}

/** The fixture's requests, and for every route its host (a wildcard's with one label, and two) and path, then below it. */
function requestsFor(fixture: FixtureConfig, config: Config): SimulatedRequest[] {
  const out: SimulatedRequest[] = [...fixture.requests];
  const routes: Route[] = [...config.routes, ...(config.gatewayRoutes ?? [])];
  for (const route of routes) {
    const hosts = route.host === undefined ? ["nohost.test"] : route.host.startsWith("*.") ? [`a${route.host.slice(1)}`, `a.b${route.host.slice(1)}`] : [route.host, route.host.toUpperCase()];
    const path = route.pathType === "ImplementationSpecific" || route.pathType === "RegularExpression" ? "/" : route.path;
    const headers = Object.fromEntries((route.conditions?.headers ?? []).filter((h) => h.type === "Exact").map((h) => [h.name, h.value]));
    for (const host of hosts) {
      out.push({ host, path, method: route.conditions?.method ?? "GET", headers });
      out.push({ host, path: `${path.replace(/\/$/, "")}/below?q=1`, scheme: "https" });
    }
  }
  return out;
}

function decision(runtime: Runtime, request: SimulatedRequest) {
  const { decision } = simulate(runtime, request, seededRandom(7));
  return comparable({ decision, outcome: outcomeOf(runtime, decision) });
}

const configs = fixtures.flatMap((fixture) => {
  const config = parsed(fixture);
  return config ? [{ fixture, config }] : [];
});

describe("the prepared form of every fixture config", () => {
  it("is made for all of them (a config without one takes the full path)", () => {
    expect(configs.length).toBeGreaterThan(90);
    const unprepared = configs.flatMap(({ fixture, config }) => {
      const why = unpreparedReason(config);
      return why === undefined ? [] : [`${fixture.name}: ${why}`];
    });
    expect(unprepared).toEqual([]);
    // Every filter kind is carried by at least one of them.
    const carried = new Set(configs.flatMap(({ config }) => encodePrepared(config)?.head.t ?? []));
    expect(FILTERS.map((f) => f.type).filter((type) => !carried.has(type))).toEqual([]);
  });

  it("gives back the same config, compiled parts compared by what they were compiled from", () => {
    for (const { fixture, config } of configs) {
      const fast = decoded(config);
      expect(preparedRoutesOf(fast), fixture.name).toBeDefined();
      expect(comparable(fast), fixture.name).toStrictEqual(comparable(config));
    }
  });

  it("decides every request as the validated config does", () => {
    // Some filters write the time (x-request-start): both sides see the same clock.
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 2), toFake: ["Date"] });
    onTestFinished(() => void vi.useRealTimers());
    let asked = 0;
    for (const { fixture, config } of configs) {
      const full = compileRuntime("v", config, { random: seededRandom(1) });
      const fast = compileRuntime("v", decoded(config), { random: seededRandom(1) });
      for (const request of requestsFor(fixture, config)) {
        const label = `${fixture.name}: ${request.method ?? "GET"} ${request.host}${request.path}`;
        expect(decision(fast, request), label).toStrictEqual(decision(full, request));
        const pathname = request.path.split("?")[0] as string;
        expect(comparable(explainRoute(fast.table, request.host, pathname)), label).toStrictEqual(comparable(explainRoute(full.table, request.host, pathname)));
        asked++;
      }
      expect(fast.routeAffinities.size, fixture.name).toBe(full.routeAffinities.size);
      for (const [source, picker] of full.routeAffinities) expect(typeof fast.routeAffinities.get(source), `${fixture.name} ${source}`).toBe(typeof picker);
    }
    expect(asked).toBeGreaterThan(800);
  });
});
