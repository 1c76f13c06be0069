// Per-request cost by kind of route (route-kinds.ts), at one config size:
//   route + select   the compiled table's route() (host, path, and the
//                    method/header/query conditions), the rule's action and
//                    backend, the rule's request filters (the allow list),
//                    the pool's availability, and the pick (through the
//                    affinity wrapper when the pool has one): everything that
//                    depends on the kind of route
//   decision         the Worker's own code up to the fetch: decide() (which
//                    also copies the headers and sets X-Forwarded-*), then
//                    availability and the pick; Node's Headers are JavaScript,
//                    workerd's native, so this column overstates the Worker's cost
// Both run the project's code (src/core, src/edge/sticky.ts), not copies of it.
import { Bench } from "tinybench";
import type { Origin } from "../../src/core/config/types";
import type { FilterRequest } from "../../src/core/filters/filter";
import { emptySnapshot, PassiveEjector } from "../../src/core/health";
import { actionOf, decide } from "../../src/core/request/decide";
import { requestFacts } from "../../src/core/request/facts";
import { runRoute } from "../../src/core/request/stages";
import { choosePool } from "../../src/core/request/origins";
import { pickBackend } from "../../src/core/action/action";
import { parseConfig } from "../../src/core/config/parse";
import { compileRuntime, type Runtime } from "../../src/core/runtime";
import { stickyPicker } from "../../src/edge/sticky";
import { generateConfig, seededRandom } from "../generate";
import { stats, type TaskStats } from "./measure";
import { prepareSamples, type PreparedSample } from "./requests";
import { AFFINITY_COOKIE, CONDITION_HEADER, CONDITION_QUERY, documentOf, ROUTE_KINDS, type RouteKind } from "./route-kinds";

export interface KindResult {
  readonly kind: RouteKind;
  /** Rules (an HTTPRoute config has a conditional rule beside one path in four). */
  readonly rules: number;
  /** Sample requests that reached an origin (the rest: no rule, or a refusal). */
  readonly forwarded: number;
  readonly routeSelect: TaskStats;
  readonly decision: TaskStats;
  /** Route + select's mean of every process measured, in the order they ran (medianOfProcesses); absent in a run's own result. */
  readonly routeSelectByProcessNs?: readonly number[];
}

export interface DecisionResult {
  readonly ruleCount: number;
  readonly sampleCount: number;
  /** Fresh processes measured; each kind's figures are those of its median process (by route + select). */
  readonly processes: number;
  readonly kinds: readonly KindResult[];
}

/**
 * The median process per kind: the same code measured in fresh processes
 * differs by up to 3x on a shared virtual machine (JIT and heap layout), far
 * more than within one process, so one process is one sample.
 */
export function medianOfProcesses(runs: readonly DecisionResult[]): DecisionResult {
  const first = runs[0]!;
  const kinds = first.kinds.map((k) => {
    const inOrder = runs.map((r) => r.kinds.find((x) => x.kind === k.kind)!);
    const sorted = [...inOrder].sort((a, b) => a.routeSelect.meanNs - b.routeSelect.meanNs);
    return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, routeSelectByProcessNs: inOrder.map((x) => x.routeSelect.meanNs) };
  });
  return { ...first, processes: runs.length, kinds };
}

/** Half the samples with the conditional rules' header and query, half (a different half) with a session cookie. */
function withConditions(samples: readonly PreparedSample[]): PreparedSample[] {
  return samples.map((s, i) => {
    if (i % 2 === 1 && i % 4 !== 1) return s;
    const headers = new Headers(s.headers);
    let url = s.url;
    if (i % 2 === 0) {
      headers.set(CONDITION_HEADER, "on");
      url += `${url.includes("?") ? "&" : "?"}${CONDITION_QUERY}=1`;
    }
    if (i % 4 < 2) headers.set("cookie", `${headers.get("cookie")}; ${AFFINITY_COOKIE}=${(i % 64).toString(16).padStart(32, "0")}`);
    return { ...s, url, headers };
  });
}

function kindBench(runtime: Runtime, samples: readonly PreparedSample[]) {
  const ejector = new PassiveEjector(Date.now);
  const random = seededRandom(7);
  const parsed = samples.map((s) => {
    const url = new URL(s.url);
    const clientIp = s.headers.get("cf-connecting-ip") ?? undefined;
    // The filters' view of the request, without the header copy decide() makes (see "decision"); built here, as decide() builds it.
    const request = { clientIp, headers: s.headers, clientHeaders: s.headers, scheme: "https", hostname: url.hostname, path: url.pathname, search: url.search, method: "GET" } as unknown as FilterRequest;
    return { s, url, clientIp, request, https: url.protocol === "https:" };
  });
  // `https` as the proxy has it: read from the request's scheme once, not per pick.
  const pick = (pool: string, https: boolean, s: PreparedSample, clientIp: string | undefined, match: Parameters<typeof actionOf>[1], backend: ReturnType<typeof pickBackend>): number => {
    const choice = choosePool(runtime.lanes, pool, emptySnapshot, ejector);
    if (choice.kind !== "origins") return 0;
    const sticky = stickyPicker(runtime, choice.lane, { headers: s.headers, clientIp, https, route: match.route, backend: backend! });
    const origin: Origin = sticky.pick(choice.candidates);
    return origin.weight + (sticky.setCookie === undefined ? 0 : 1);
  };
  return {
    routeSelectAll(): number {
      let sum = 0;
      // An index, not for-of with destructuring: the harness's own iteration stays out of the figures.
      for (let i = 0; i < parsed.length; i++) {
        const { s, url, clientIp, request, https } = parsed[i]!;
        const routed = runtime.table.route(url.host, url.pathname, requestFacts("GET", url, s.headers));
        if (!routed.ok || routed.match === undefined) continue;
        const action = actionOf(runtime, routed.match);
        // The rule's request filters as decide() runs them (a config without host policies).
        if (runRoute(action.filters, request) !== undefined) continue;
        const backend = pickBackend(action, random);
        if (backend?.pool === undefined) continue;
        sum += pick(backend.pool, https, s, clientIp, routed.match, backend);
      }
      return sum;
    },
    decisionAll(): number {
      let sum = 0;
      for (const { s, clientIp } of parsed) {
        const url = new URL(s.url);
        const decision = decide(runtime, { method: "GET", url, headers: s.headers, clientIp, requestId: "bench" }, random);
        if (decision.kind !== "forward") continue;
        sum += pick(decision.pool, decision.upstream.scheme === "https", s, clientIp, decision.match, decision.backend);
      }
      return sum;
    },
    forwarded(): number {
      let n = 0;
      for (const { s, clientIp } of parsed) if (decide(runtime, { method: "GET", url: new URL(s.url), headers: s.headers, clientIp, requestId: "bench" }, random).kind === "forward") n++;
      return n;
    },
  };
}

export async function measureDecisions(ruleCount: number, requestTimeMs: number, sampleCount: number): Promise<DecisionResult> {
  const generated = generateConfig(ruleCount, { sampleCount });
  const samples = withConditions(prepareSamples(generated.samples));
  const kinds: KindResult[] = [];
  for (const kind of ROUTE_KINDS) {
    const { document, rules } = documentOf(kind, generated);
    const parsed = parseConfig(document);
    if (!parsed.ok) throw new Error(`${kind} config is invalid: ${parsed.problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`).join("; ")}`);
    const runtime = compileRuntime("bench", parsed.config, { random: seededRandom(1) });
    const b = kindBench(runtime, samples);
    let checksum = 0;
    const bench = new Bench({ time: requestTimeMs, iterations: 10, warmupTime: Math.min(200, requestTimeMs) });
    bench.add("route+select", () => void (checksum += b.routeSelectAll()));
    bench.add("decision", () => void (checksum += b.decisionAll()));
    await bench.run();
    if (checksum === 0) throw new Error(`${kind}: no request was routed`);
    const task = (name: string) => bench.tasks.find((t) => t.name === name);
    kinds.push({
      kind,
      rules,
      forwarded: b.forwarded(),
      routeSelect: stats(task("route+select"), samples.length),
      decision: stats(task("decision"), samples.length),
    });
  }
  return { ruleCount, sampleCount: samples.length, processes: 1, kinds };
}
