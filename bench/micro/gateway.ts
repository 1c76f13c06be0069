// Routing plus selection for an HTTPRoute-heavy config, per request, as the
// Worker's decision does it (src/core/request/decide.ts) up to the upstream
// headers: the table's route with header and query conditions, the rule's
// action and its weighted backend, then availability and the pool policy's
// pick. (The upstream headers are the same work as for Ingress rules: the
// "full request" column of the main table.)
import { Bench } from "tinybench";
import { parseConfig } from "../../src/core/config/parse";
import { emptySnapshot, PassiveEjector } from "../../src/core/health";
import { pickBackend } from "../../src/core/action/action";
import { actionOf, decide } from "../../src/core/request/decide";
import { requestFacts } from "../../src/core/request/facts";
import { choosePool } from "../../src/core/request/origins";
import { compileRuntime } from "../../src/core/runtime";
import { generateGatewayConfig } from "../generate-gateway";
import { seededRandom } from "../generate";
import { stats, type TaskStats as Stats } from "./measure";

export interface GatewayMicroResult {
  readonly ruleCount: number;
  readonly httpRouteRules: number;
  readonly conditionRules: number;
  readonly sampleCount: number;
  /** Samples whose outcome (matched or not) disagrees with the generator's expectation. */
  readonly mismatches: number;
  readonly compileMs: number;
  readonly routeSelect: Stats;
}

export async function measureGateway(ruleCount: number, sampleCount: number, requestTimeMs: number): Promise<GatewayMicroResult> {
  const generated = generateGatewayConfig(ruleCount, { sampleCount });
  const parsed = parseConfig(JSON.parse(JSON.stringify(generated.document)));
  if (!parsed.ok) throw new Error(`generated HTTPRoute config is invalid: ${parsed.problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  let t = performance.now();
  const runtime = compileRuntime("bench", parsed.config, { random: seededRandom(1) });
  const compileMs = performance.now() - t;
  const ejector = new PassiveEjector(Date.now);
  const random = seededRandom(2);
  const samples = generated.samples.map((s) => ({
    method: "GET",
    url: new URL(`https://${s.host.toLowerCase()}${s.pathAndQuery}`),
    headers: new Headers({ host: s.host, "user-agent": "bench", ...s.headers }),
    clientIp: "198.51.100.7",
    requestId: "bench-request-id",
    expectMatch: s.expectMatch,
  }));
  let mismatches = 0;
  for (const s of samples) if ((decide(runtime, s, random).kind === "forward") !== s.expectMatch) mismatches++;

  let checksum = 0;
  const bench = new Bench({ time: requestTimeMs, iterations: 10, warmupTime: Math.min(200, requestTimeMs) });
  bench.add("route+select", () => {
    for (const s of samples) {
      const routed = runtime.table.route(s.url.host, s.url.pathname, requestFacts(s.method, s.url, s.headers));
      if (!routed.ok || routed.match === undefined) continue;
      const backend = pickBackend(actionOf(runtime, routed.match), random);
      if (backend?.pool === undefined) continue;
      const choice = choosePool(runtime.config.pools, backend.pool, emptySnapshot, ejector);
      if (choice.kind === "origins") checksum += runtime.policies.get(choice.pool.name)!.pick(choice.candidates).weight;
    }
  });
  await bench.run();
  if (checksum === 0) throw new Error("nothing was computed");
  return {
    ruleCount,
    httpRouteRules: generated.httpRouteRules,
    conditionRules: generated.conditionRules,
    sampleCount: samples.length,
    mismatches,
    compileMs,
    routeSelect: stats(bench.tasks.find((x) => x.name === "route+select"), samples.length),
  };
}
