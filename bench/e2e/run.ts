// End to end in workerd: the router bundle and a bare pass-through Worker in
// one workerd process, and the origin (its own Node process) directly, all
// loaded by the same client with the same requests, in rounds that alternate
// the order (router, pass-through, origin, then the reverse), so drift in the
// machine's load falls on all three alike. Medians over rounds are reported;
// nothing is dropped. KV reads are counted by the KV service throughout.
import { request as httpRequest } from "node:http";
import { fileURLToPath } from "node:url";
import { mkdirSync } from "node:fs";
import { KV_KEYS } from "../../src/core/config/stored";
import { generateConfig } from "../generate";
import { spawnTracked, stop, waitForLine } from "../processes";
import { startWorkerd, type WorkerdServer } from "../workerd/server";
import { runLoad, type LoadRequest, type LoadStats } from "./load";

export type Target = "router" | "passThrough" | "origin";
export const TARGETS: readonly Target[] = ["router", "passThrough", "origin"];

export interface E2eOptions {
  readonly repoRoot: string;
  readonly bundleDir: string;
  readonly workDir: string;
  readonly compatibilityDate: string;
  readonly compatibilityFlags: readonly string[];
  readonly ruleCount: number;
  readonly rounds: number;
  readonly roundSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  /** Per-round cap on requests, so a run is bounded in count as well as time. */
  readonly maxRequestsPerRound: number;
}

export interface KvReads {
  /** After the config was stored, before any request. */
  readonly beforeTraffic: number;
  /** After the first request (the isolate's cold load). */
  readonly afterFirstRequest: number;
  /** After the warm-up runs. */
  readonly afterWarmup: number;
  /** After the last round. */
  readonly atEnd: number;
}

export interface E2eResult {
  readonly ruleCount: number;
  readonly connections: number;
  readonly rounds: number;
  readonly roundSeconds: number;
  readonly requestMix: number;
  /** Every round of every target, in the order run. */
  readonly roundStats: Readonly<Record<Target, readonly LoadStats[]>>;
  readonly medians: Readonly<Record<Target, Median>>;
  /** router / pass-through, from the medians. */
  readonly ratios: { readonly throughput: number; readonly p50: number; readonly p99: number };
  readonly kvReads: KvReads;
  /** First request to the router: KV read, JSON.parse, parseConfig and compile in a new isolate, plus the proxied request. */
  readonly firstRequestMs: number;
  /** A single request through each, before the load. */
  readonly check: Readonly<Record<Target, { readonly status: number; readonly fromOrigin: boolean }>>;
}

export interface Median {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** workerd (or origin) CPU per request, µs; undefined without /proc. */
  readonly workerdCpuUs: number | undefined;
  readonly originCpuUs: number | undefined;
  readonly non2xx: number;
  readonly errors: number;
}

const ORIGIN_SERVER = fileURLToPath(new URL("../origin-server.ts", import.meta.url));

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One request with node:http (fetch would not let us set Host); bounded to 30 s. */
function getOnce(url: string, path: string, headers: Readonly<Record<string, string>>): Promise<{ status: number; fromOrigin: boolean; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { headers, agent: false, timeout: 30_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, fromOrigin: res.headers["x-bench-origin"] === "1", ms: performance.now() - started }));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url}${path} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

async function kvReads(server: WorkerdServer): Promise<number> {
  const response = await fetch(`${server.kvAdminUrl}/__bench/stats`, { signal: AbortSignal.timeout(10_000) });
  return ((await response.json()) as { reads: number }).reads;
}

export async function runE2e(options: E2eOptions): Promise<E2eResult> {
  mkdirSync(options.workDir, { recursive: true });
  const origin = spawnTracked(process.execPath, ["--import", "tsx", ORIGIN_SERVER], { cwd: options.repoRoot, stdio: ["ignore", "pipe", "pipe", "ipc"] });
  let server: WorkerdServer | undefined;
  try {
    const { port } = await waitForLine(origin, origin.stdout, (line) => (line.startsWith("{") ? (JSON.parse(line) as { port: number }) : undefined), 20_000, "origin server");
    const originUrl = `http://127.0.0.1:${port}`;
    // Every origin of every pool is the local origin, told apart by a base path.
    const generated = generateConfig(options.ruleCount, { originUrl: (_pool, o) => `${originUrl}/o${o}` });
    server = await startWorkerd({
      bundleDir: options.bundleDir,
      workDir: options.workDir,
      compatibilityDate: options.compatibilityDate,
      compatibilityFlags: options.compatibilityFlags,
      routerVars: { CONFIG_CACHE_TTL_SECONDS: "3600", HEALTH_MAX_PROBES_PER_RUN: "50" },
      originUrl,
    });
    const stored = JSON.stringify({ version: `bench-${options.ruleCount}`, appliedAt: new Date().toISOString(), config: generated.document });
    const put = await fetch(`${server.kvAdminUrl}/__bench/values/${encodeURIComponent(KV_KEYS.config)}`, { method: "PUT", body: stored, signal: AbortSignal.timeout(30_000) });
    if (!put.ok) throw new Error(`could not store the config in the KV service: ${put.status}`);

    // The same requests for all three: matching samples, with browser-like headers.
    const requests: LoadRequest[] = generated.samples
      .filter((s) => s.expectMatch)
      .slice(0, 64)
      .map((s, i) => ({
        method: "GET",
        path: s.pathAndQuery,
        headers: { host: s.host, "user-agent": "bench/1.0", accept: "*/*", "cf-connecting-ip": `198.51.100.${i + 1}` },
      }));
    const urls: Record<Target, string> = { router: server.routerUrl, passThrough: server.passThroughUrl, origin: originUrl };
    const first = requests[0]!;

    const beforeTraffic = await kvReads(server);
    const cold = await getOnce(urls.router, first.path, first.headers);
    const afterFirstRequest = await kvReads(server);
    const check = {} as Record<Target, { status: number; fromOrigin: boolean }>;
    for (const target of TARGETS) {
      const { status, fromOrigin } = await getOnce(urls[target], first.path, first.headers);
      check[target] = { status, fromOrigin };
    }

    const cpuProcesses = { workerd: server.child.pid!, origin: origin.pid! };
    const load = (target: Target, seconds: number) =>
      runLoad({ url: urls[target], requests, connections: options.connections, durationSeconds: seconds, maxRequests: options.maxRequestsPerRound, cpuProcesses });
    if (options.warmupSeconds > 0) for (const target of TARGETS) await load(target, options.warmupSeconds);
    const afterWarmup = await kvReads(server);

    const roundStats: Record<Target, LoadStats[]> = { router: [], passThrough: [], origin: [] };
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? TARGETS : [...TARGETS].reverse();
      for (const target of order) roundStats[target].push(await load(target, options.roundSeconds));
    }
    const atEnd = await kvReads(server);

    const medians = {} as Record<Target, Median>;
    for (const target of TARGETS) medians[target] = summarize(roundStats[target]);
    return {
      ruleCount: options.ruleCount,
      connections: options.connections,
      rounds: options.rounds,
      roundSeconds: options.roundSeconds,
      requestMix: requests.length,
      roundStats,
      medians,
      ratios: {
        throughput: medians.router.requestsPerSecond / medians.passThrough.requestsPerSecond,
        p50: medians.router.p50Ms / medians.passThrough.p50Ms,
        p99: medians.router.p99Ms / medians.passThrough.p99Ms,
      },
      kvReads: { beforeTraffic, afterFirstRequest, afterWarmup, atEnd },
      firstRequestMs: cold.ms,
      check,
    };
  } finally {
    if (server) await stop(server.child);
    await stop(origin);
  }
}

function summarize(rounds: readonly LoadStats[]): Median {
  const cpu = (label: string) => {
    const values = rounds.map((r) => r.cpuUsPerRequest[label]).filter((v): v is number => v !== undefined);
    return values.length === rounds.length ? median(values) : undefined;
  };
  return {
    requestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    workerdCpuUs: cpu("workerd"),
    originCpuUs: cpu("origin"),
    non2xx: rounds.reduce((sum, r) => sum + r.non2xx, 0),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
  };
}
