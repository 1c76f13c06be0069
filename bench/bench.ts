// The whole benchmark as one function: bundle, micro-benchmark per size (each
// in a fresh process), the cold path, cron run and refresh in workerd, end to
// end in workerd, CPU profiles; every process it
// starts is stopped before it returns or throws. `npm run bench` (run.ts)
// prints and writes what it returns; the smoke test runs it with tiny sizes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundle, workerSettings, type BundleResult } from "./bundle";
import { runE2e, type E2eResult } from "./e2e/run";
import { currentLoadAverage, machineInfo, type MachineInfo } from "./machine";
import { profileFresh, profileWorkerd } from "./e2e/profile-workerd";
import { decisionInChild, microInChild, profileInChild, type ChildOptions, type ProfileMode } from "./micro/child";
import { medianOfProcesses, type DecisionResult } from "./micro/decision";
import type { MicroResult } from "./micro/measure";
import { stop, stopAll } from "./processes";
import { startOrigin } from "./e2e/stack";
import { cliValues, cronDocument, expectFromOrigin, measureCold, measureCron, measureRefresh, sampleRequest, type ColdResult, type CronResult, type RefreshResult } from "./workerd/isolate";
import { measureRuntimeCalls, type RuntimeCall } from "./workerd/calls";
import { generateConfig } from "./generate";
import type { ProfileSummary } from "./profile";
import { evaluateTargets, type TargetResult } from "./targets";

export interface BenchOptions {
  readonly repoRoot: string;
  readonly mode: "full" | "smoke";
  readonly sizes: readonly number[];
  readonly requestTimeMs: number;
  readonly loadIterations: number;
  readonly sampleCount: number;
  /** Per-request cost by kind of route (plain, HTTPRoute, allow list + affinity) at this many rules. */
  readonly decisionRules: number;
  /** Fresh processes for it (the median one counts). */
  readonly decisionProcesses: number;
  /** The first request of a fresh isolate (per rule count), a cron run and refreshes, in workerd; undefined skips them. */
  readonly isolate: { readonly coldSizes: readonly number[]; readonly coldSamples: number; readonly cronRules: number; readonly cronOrigins: number; readonly cronRuns: number; readonly refreshRules: number } | undefined;
  /** Undefined skips the end-to-end part. */
  readonly e2e:
    | {
        readonly ruleCount: number;
        readonly rounds: number;
        readonly roundSeconds: number;
        readonly warmupSeconds: number;
        readonly connections: number;
        /** The observability A/B (e2e/run.ts): pairs, and seconds per half of a pair. */
        readonly observabilityPairs: number;
        readonly observabilitySeconds: number;
        /** The runtime calls' costs (workerd/calls.ts): calls per measured request, and runs per call. */
        readonly callsPerRun: number;
        readonly callRuns: number;
      }
    | undefined;
  /** CPU profiles: code paths in Node (micro), and the Workers in workerd under load. */
  readonly profile:
    | {
        readonly nodeMs: number;
        readonly node: readonly { readonly mode: ProfileMode; readonly ruleCount: number }[];
        readonly workerdSeconds: number;
        readonly workerdRuleCount: number;
        readonly workerd: readonly WorkerdTarget[];
      }
    | undefined;
  readonly log: (line: string) => void;
}

type WorkerdTarget = "router" | "passThrough";

export interface ProfileResult {
  readonly runtime: "node" | "workerd";
  readonly mode: ProfileMode | WorkerdTarget | "firstRequest" | "cronRun";
  readonly ruleCount: number;
  /** Profiled wall time. */
  readonly ms: number;
  /** workerd only: requests served while profiled. */
  readonly responses?: number;
  readonly summary: ProfileSummary;
}

export interface BenchResults {
  readonly mode: "full" | "smoke";
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly machine: MachineInfo;
  readonly options: Omit<BenchOptions, "log" | "repoRoot">;
  readonly bundle: BundleResult;
  readonly micro: readonly MicroResult[];
  /** Undefined when the run has no micro-benchmark (--isolate-only, --e2e-only). */
  readonly decision: DecisionResult | undefined;
  readonly isolate?: { readonly cold: readonly ColdResult[]; readonly cron: CronResult; readonly refresh: RefreshResult };
  readonly e2e: E2eResult | undefined;
  /** What each runtime call of a proxied request costs inside workerd; undefined without the end-to-end part. */
  readonly runtimeCalls?: readonly RuntimeCall[];
  readonly profiles: readonly ProfileResult[];
  readonly targets: readonly TargetResult[];
}

export const FULL: Omit<BenchOptions, "repoRoot" | "log"> = {
  mode: "full",
  sizes: [10, 1_000, 10_000, 100_000],
  requestTimeMs: 2000,
  loadIterations: 5,
  sampleCount: 1024,
  decisionRules: 10_000,
  decisionProcesses: 5,
  isolate: { coldSizes: [10, 1_000, 10_000, 100_000], coldSamples: 5, cronRules: 1_000, cronOrigins: 50, cronRuns: 6, refreshRules: 10_000 },
  e2e: { ruleCount: 10_000, rounds: 5, roundSeconds: 5, warmupSeconds: 2, connections: 10, observabilityPairs: 24, observabilitySeconds: 2, callsPerRun: 50_000, callRuns: 5 },
  profile: {
    nodeMs: 3000,
    node: [
      { mode: "route", ruleCount: 100_000 },
    ],
    workerdSeconds: 5,
    workerdRuleCount: 10_000,
    workerd: ["router", "passThrough"],
  },
};

export const SMOKE: Omit<BenchOptions, "repoRoot" | "log"> = {
  mode: "smoke",
  sizes: [10, 100],
  requestTimeMs: 50,
  loadIterations: 2,
  sampleCount: 64,
  decisionRules: 100,
  decisionProcesses: 1,
  isolate: { coldSizes: [10], coldSamples: 1, cronRules: 10, cronOrigins: 2, cronRuns: 2, refreshRules: 10 },
  e2e: { ruleCount: 10, rounds: 1, roundSeconds: 1, warmupSeconds: 0.5, connections: 2, observabilityPairs: 2, observabilitySeconds: 0.5, callsPerRun: 5_000, callRuns: 2 },
  profile: { nodeMs: 300, node: [{ mode: "route", ruleCount: 10 }], workerdSeconds: 1, workerdRuleCount: 10, workerd: ["router"] },
};

export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const started = Date.now();
  const machine = machineInfo(options.repoRoot);
  const tmp = mkdtempSync(join(tmpdir(), "edge-ingress-bench-"));
  const { log } = options;
  const child: ChildOptions = {
    repoRoot: options.repoRoot,
    requestTimeMs: options.requestTimeMs,
    loadIterations: options.loadIterations,
    sampleCount: options.sampleCount,
    timeoutMs: 600_000,
  };
  try {
    log("building the Worker bundle (wrangler deploy --dry-run)");
    const bundle = await buildBundle(options.repoRoot, join(tmp, "bundle"));

    const micro: MicroResult[] = [];
    for (const size of options.sizes) {
      log(`micro-benchmark: ${size.toLocaleString("en-US")} rules`);
      micro.push(await microInChild(size, child));
    }
    let decision: DecisionResult | undefined;
    if (options.sizes.length > 0) {
      log(`per-request cost by kind of route: ${options.decisionRules.toLocaleString("en-US")} rules`);
      const runs: DecisionResult[] = [];
      for (let i = 0; i < options.decisionProcesses; i++) runs.push(await decisionInChild(options.decisionRules, child));
      decision = medianOfProcesses(runs);
    }
    const profiles: ProfileResult[] = [];
    let isolate: BenchResults["isolate"];
    if (options.isolate) {
      const o = options.isolate;
      const { origin, originUrl } = await startOrigin(options.repoRoot);
      try {
        // The deployed (minified) build: what a new isolate on Cloudflare loads.
        const settings = { ...workerSettings(options.repoRoot), bundleDir: bundle.deployedDir, originUrl };
        const dir = join(tmp, "isolate");
        const cold: ColdResult[] = [];
        for (const size of o.coldSizes) {
          log(`first request of a fresh isolate in workerd: ${size.toLocaleString("en-US")} rules, ${o.coldSamples} fresh workerd processes`);
          cold.push(await measureCold(settings, originUrl, size, o.coldSamples, dir));
        }
        log(`cron run in workerd: ${o.cronRules.toLocaleString("en-US")} rules, ${o.cronOrigins} checked origins, ${o.cronRuns} runs`);
        const cron = await measureCron(settings, originUrl, o.cronRules, o.cronOrigins, o.cronRuns, dir);
        log(`refreshes of an unchanged config in workerd: ${o.refreshRules.toLocaleString("en-US")} rules, 1 s TTL`);
        const refresh = await measureRefresh(settings, originUrl, o.refreshRules, dir);
        isolate = { cold, cron, refresh };
        if (options.profile) {
          // Profiles of the unminified build, whose module comments place each frame in its source file.
          const unminified = { ...settings, bundleDir: bundle.outDir };
          // The largest size up to 10,000 rules; with only larger ones (--cold-sizes 100000), the smallest.
          const upTo10k = o.coldSizes.filter((n) => n <= 10_000);
          const ruleCount = upTo10k.length > 0 ? Math.max(...upTo10k) : Math.min(...o.coldSizes);
          log(`CPU profile in workerd: first request of a fresh isolate, ${ruleCount.toLocaleString("en-US")} rules`);
          const generated = generateConfig(ruleCount, { originUrl: (_pool, i) => `${originUrl}/o${i}` });
          const request = sampleRequest(generated);
          const first = await profileFresh({ ...unminified, workDir: join(tmp, "profile-first"), routerVars: { CONFIG_CACHE_TTL_SECONDS: "3600" } }, await cliValues(generated.document), "router", (server) =>
            expectFromOrigin(server.routerUrl, request),
          );
          profiles.push({ runtime: "workerd", mode: "firstRequest", ruleCount, ms: 0, summary: first });
          log(`CPU profile in workerd: a cron run in a fresh isolate, ${o.cronRules.toLocaleString("en-US")} rules, ${o.cronOrigins} origins`);
          const { document } = cronDocument(o.cronRules, o.cronOrigins, originUrl);
          const cronProfile = await profileFresh({ ...unminified, workDir: join(tmp, "profile-cron"), routerVars: { HEALTH_MAX_PROBES_PER_RUN: String(o.cronOrigins) } }, await cliValues(document), "cron", async (server) => {
            const response = await fetch(server.cronUrl, { signal: AbortSignal.timeout(60_000) });
            if ((await response.text()) !== "ok") throw new Error(`the profiled cron run failed: ${response.status}`);
          });
          profiles.push({ runtime: "workerd", mode: "cronRun", ruleCount: o.cronRules, ms: 0, summary: cronProfile });
        }
      } finally {
        await stop(origin);
      }
    }

    let e2e: E2eResult | undefined;
    let runtimeCalls: RuntimeCall[] | undefined;
    if (options.e2e) {
      const o = options.e2e;
      log(`end to end in workerd: ${o.rounds} round(s) x ${o.roundSeconds} s per target, ${o.connections} connections`);
      const settings = workerSettings(options.repoRoot);
      e2e = await runE2e({
        ...o,
        ...settings,
        repoRoot: options.repoRoot,
        bundleDir: bundle.outDir,
        workDir: join(tmp, "workerd"),
        maxRequestsPerRound: Math.max(10_000, o.roundSeconds * 200_000),
      });
      log(`runtime calls in workerd: ${o.callsPerRun.toLocaleString("en-US")} per request, ${o.callRuns} runs each`);
      runtimeCalls = await measureRuntimeCalls(join(tmp, "calls"), settings.compatibilityDate, o.callsPerRun, o.callRuns);
    }

    const p = options.profile;
    if (p) {
      for (const { mode, ruleCount } of p.node) {
        log(`CPU profile in Node: ${mode}, ${ruleCount.toLocaleString("en-US")} rules`);
        profiles.push({ runtime: "node", mode, ruleCount, ms: p.nodeMs, summary: await profileInChild(ruleCount, mode, p.nodeMs, child) });
      }
      for (const target of p.workerd) {
        log(`CPU profile in workerd: ${target} under load, ${p.workerdRuleCount.toLocaleString("en-US")} rules`);
        const result = await profileWorkerd({
          ...workerSettings(options.repoRoot),
          repoRoot: options.repoRoot,
          bundleDir: bundle.outDir,
          workDir: join(tmp, `workerd-profile-${target}`),
          ruleCount: p.workerdRuleCount,
          target,
          seconds: p.workerdSeconds,
          connections: options.e2e?.connections ?? 10,
        });
        profiles.push({ runtime: "workerd", mode: target, ruleCount: p.workerdRuleCount, ms: p.workerdSeconds * 1000, ...result });
      }
    }

    machine.loadAverageAtEnd = currentLoadAverage();
    const { repoRoot: _root, log: _log, ...recorded } = options;
    return {
      mode: options.mode,
      startedAt: new Date(started).toISOString(),
      durationSeconds: (Date.now() - started) / 1000,
      machine,
      options: recorded,
      bundle,
      micro,
      decision,
      e2e,
      ...(runtimeCalls ? { runtimeCalls } : {}),
      profiles,
      isolate,
      targets: evaluateTargets(micro, decision, e2e, bundle, isolate),
    };
  } finally {
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}
