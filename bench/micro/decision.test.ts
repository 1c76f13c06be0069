import { describe, expect, it } from "vitest";
import { evaluateTargets } from "../targets";
import { medianOfProcesses, type DecisionResult, type KindResult } from "./decision";
import type { TaskStats } from "./measure";

const stats = (meanNs: number): TaskStats => ({ meanNs, p50Ns: meanNs, p99Ns: meanNs, rmePercent: 1, samples: 10 });
const kind = (k: KindResult["kind"], routeSelectNs: number): KindResult => ({ kind: k, rules: 10_000, forwarded: 900, routeSelect: stats(routeSelectNs), decision: stats(routeSelectNs * 3) });
const run = (plain: number, policies: number): DecisionResult => ({ ruleCount: 10_000, sampleCount: 1024, processes: 1, kinds: [kind("plain", plain), kind("policies", policies)] });

describe("medianOfProcesses", () => {
  const runs = [run(1_000, 6_000), run(3_000, 4_000), run(2_000, 5_500)];

  it("takes each kind's median process by route + select, and keeps every process's figure in the order they ran", () => {
    const median = medianOfProcesses(runs);
    expect(median.processes).toBe(3);
    expect(median.kinds.map((k) => [k.kind, k.routeSelect.meanNs, k.decision.meanNs])).toEqual([
      ["plain", 2_000, 6_000],
      ["policies", 5_500, 16_500],
    ]);
    expect(median.kinds.map((k) => k.routeSelectByProcessNs)).toEqual([
      [1_000, 3_000, 2_000],
      [6_000, 4_000, 5_500],
    ]);
  });

  it("shows every process beside the median in the targets table", () => {
    const row = evaluateTargets([], medianOfProcesses(runs), undefined, undefined, undefined).find((t) => t.id === "route-kinds")!;
    expect(row.measured).toBe("policies 5.500 µs (median process of 3: 6.00, 4.00, 5.50)");
    expect(row.status).toBe("not met");
  });
});
