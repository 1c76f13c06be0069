// What an isolate pays outside the steady state, measured in workerd with
// the values the CLI writes (storedText, versionKeyText, healthPlanText: the
// functions `apply` calls):
// - cold: the first request of a fresh isolate (KV value to compiled table,
//   plus the proxied request), one fresh workerd per sample;
// - refresh: requests after the cache TTL with the config unchanged: which
//   keys each refresh reads and whether anything was compiled again;
// - cron: one scheduled health run (its plan, the probes, the state write).
// CPU is the workerd process's, summed over its threads from
// /proc/<pid>/task/*/schedstat (nanoseconds; /proc/<pid>/stat counts 10 ms
// ticks, too coarse here). Inside workerd, Date.now() does not advance during
// CPU work, so the Worker cannot time itself. Each figure runs from just
// before the request until the process is idle again, so work after the
// response (waitUntil, logging, GC) is counted too.
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { storedText } from "../../src/core/config/fast-stored";
import { parseConfig } from "../../src/core/config/parse";
import { healthPlanText, versionKeyText } from "../../src/core/config/published";
import { KV_KEYS, STORED_FORMAT } from "../../src/core/config/stored";
import { FULL_READ_EVERY } from "../../src/edge/config-store";
import { getOnce } from "../e2e/stack";
import type { LoadRequest } from "../e2e/load";
import { generateConfig, type NativeDocument } from "../generate";
import { outputTail, stop } from "../processes";
import { startWorkerd, type WorkerdOptions, type WorkerdServer } from "./server";

export type IsolateSettings = Omit<WorkerdOptions, "workDir" | "routerVars">;

export interface ColdResult {
  readonly ruleCount: number;
  readonly valueBytes: number;
  /** CPU of the first request, ms, one per fresh workerd. */
  readonly cpuMs: readonly number[];
  /** CPU of the second request in the same isolates, ms (the request alone, warm). */
  readonly secondCpuMs: readonly number[];
  /** CPU of the first request of a fresh bare pass-through Worker (same process setup, same origin), ms: what workerd itself spends. */
  readonly passThroughCpuMs: readonly number[];
  /** CPU of the first request of a fresh bare Worker that reads the keys the router's first request reads (this value and the health state, one get each), logs one line and proxies, ms: what the local KV service and workerd spend on that I/O. The router's own cost is the difference. */
  readonly kvReadCpuMs: readonly number[];
  /** How the isolate read the value, from its config.loaded log line: "prepared" (fast path) or "validated". */
  readonly read: string;
}

export interface RefreshResult {
  readonly ruleCount: number;
  readonly refreshes: number;
  /** Reads of the active value and of the version key over all refreshes (the KV service's counts). */
  readonly configReads: number;
  readonly versionReads: number;
  /** config.loaded log lines after the first request: each is a parse and a compile. */
  readonly compiles: number;
  readonly cpuMs: readonly number[];
}

export interface CronResult {
  readonly ruleCount: number;
  readonly checkedOrigins: number;
  /** Requests the origin served per run (the probes). */
  readonly probesPerRun: readonly number[];
  /** CPU of each run, ms; the first is a fresh isolate's. */
  readonly cpuMs: readonly number[];
  /** CPU of as many concurrent GETs of the origin from a bare Worker (one fresh workerd, as many runs), ms: the runtime's own cost of the subrequests. */
  readonly fetchesOnlyCpuMs: readonly number[];
}

const VERSION = "0123456789ab";

/** The KV values `apply` writes for `document`: the active value, the version key and the health plan. */
export async function cliValues(document: NativeDocument): Promise<Record<string, string>> {
  const parsed = parseConfig(document);
  if (!parsed.ok) throw new Error(`generated config is invalid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  const stored = { format: STORED_FORMAT, version: VERSION, appliedAt: "2026-01-01T00:00:00.000Z", config: document };
  const { text, digest } = await storedText(stored, parsed.config);
  if (digest === undefined) throw new Error("the CLI wrote no prepared form for the generated config");
  return {
    [KV_KEYS.config]: text,
    [KV_KEYS.version]: versionKeyText(VERSION, digest),
    [KV_KEYS.healthPlan]: healthPlanText(VERSION, digest, parsed.config.pools.values()),
  };
}

/** CPU time of every thread of a process, ns. */
export function processCpuNs(pid: number): number {
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return total;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the process used under 0.05 ms of CPU in 30 ms (at most 5 s), and returns its CPU then. */
async function idleCpuNs(pid: number): Promise<number> {
  let last = processCpuNs(pid);
  for (let waited = 0; waited < 5000; waited += 30) {
    await sleep(30);
    const now = processCpuNs(pid);
    if (now - last < 50_000) return now;
    last = now;
  }
  return last;
}

/** CPU of the workerd process from just before `work` until it is idle again, ms. */
async function cpuOf(server: WorkerdServer, work: () => Promise<void>): Promise<number> {
  const pid = server.child.pid!;
  const before = await idleCpuNs(pid);
  await work();
  return ((await idleCpuNs(pid)) - before) / 1e6;
}

export async function putValues(server: WorkerdServer, values: Record<string, string>): Promise<void> {
  for (const [key, value] of Object.entries(values)) {
    const put = await fetch(`${server.kvAdminUrl}/__bench/values/${encodeURIComponent(key)}`, { method: "PUT", body: value, signal: AbortSignal.timeout(60_000) });
    if (!put.ok) throw new Error(`could not store ${key} in the KV service: ${put.status}`);
  }
}

async function kvStats(server: WorkerdServer): Promise<{ reads: number; byKey: Record<string, number> }> {
  const response = await fetch(`${server.kvAdminUrl}/__bench/stats`, { signal: AbortSignal.timeout(10_000) });
  return (await response.json()) as { reads: number; byKey: Record<string, number> };
}

async function originServed(originUrl: string): Promise<number> {
  const response = await fetch(`${originUrl}/__origin/stats`, { signal: AbortSignal.timeout(10_000) });
  return ((await response.json()) as { served: number }).served;
}

export async function expectFromOrigin(url: string, request: LoadRequest): Promise<void> {
  const answer = await getOnce(url, request);
  if (answer.status !== 200 || !answer.fromOrigin) throw new Error(`the router answered ${answer.status}${answer.fromOrigin ? "" : " (not from the origin)"} to ${request.path}`);
}

export function sampleRequest(generated: ReturnType<typeof generateConfig>): LoadRequest {
  const sample = generated.samples.find((s) => s.expectMatch)!;
  return { method: "GET", path: sample.pathAndQuery, headers: { host: sample.host, "user-agent": "bench/1.0", accept: "*/*" } };
}

const loadedLines = (server: WorkerdServer) => outputTail(server.child).split("\n").filter((line) => line.includes('"event":"config.loaded"'));

export async function measureCold(settings: IsolateSettings, originUrl: string, ruleCount: number, samples: number, workDir: string): Promise<ColdResult> {
  const generated = generateConfig(ruleCount, { originUrl: (_pool, o) => `${originUrl}/o${o}` });
  const values = await cliValues(generated.document);
  const request = sampleRequest(generated);
  const cpuMs: number[] = [];
  const secondCpuMs: number[] = [];
  const passThroughCpuMs: number[] = [];
  const kvReadCpuMs: number[] = [];
  let read = "";
  for (let i = 0; i < samples; i++) {
    const dir = join(workDir, `cold-${ruleCount}-${i}`);
    mkdirSync(dir, { recursive: true });
    const server = await startWorkerd({ ...settings, workDir: dir, routerVars: { CONFIG_CACHE_TTL_SECONDS: "3600" } });
    try {
      await putValues(server, values);
      cpuMs.push(await cpuOf(server, () => expectFromOrigin(server.routerUrl, request)));
      secondCpuMs.push(await cpuOf(server, () => expectFromOrigin(server.routerUrl, request)));
      read = /"read":"(\w+)"/.exec(loadedLines(server)[0] ?? "")?.[1] ?? "unknown (no config.loaded line)";
    } finally {
      await stop(server.child);
    }
    // The baseline in its own fresh workerd: in the router's, the origin connection and native code paths would already be warm.
    const baseline = await startWorkerd({ ...settings, workDir: dir, routerVars: {} });
    try {
      passThroughCpuMs.push(await cpuOf(baseline, () => expectFromOrigin(baseline.passThroughUrl, request)));
    } finally {
      await stop(baseline.child);
    }
    // The first KV read without the router, in another fresh workerd.
    const kvRead = await startWorkerd({ ...settings, workDir: dir, routerVars: {} });
    try {
      await putValues(kvRead, values);
      const withRead = { ...request, headers: { ...request.headers, "x-bench-kv-keys": `${KV_KEYS.config},${KV_KEYS.health}` } };
      kvReadCpuMs.push(await cpuOf(kvRead, () => expectFromOrigin(kvRead.kvReadUrl, withRead)));
      if ((await kvStats(kvRead)).byKey[KV_KEYS.config] !== 1) throw new Error("the bare KV read did not read the active value once");
    } finally {
      await stop(kvRead.child);
    }
  }
  return { ruleCount, valueBytes: Buffer.byteLength(values[KV_KEYS.config]!), cpuMs, secondCpuMs, passThroughCpuMs, kvReadCpuMs, read };
}

export async function measureRefresh(settings: IsolateSettings, originUrl: string, ruleCount: number, workDir: string): Promise<RefreshResult> {
  const generated = generateConfig(ruleCount, { originUrl: (_pool, o) => `${originUrl}/o${o}` });
  const request = sampleRequest(generated);
  const dir = join(workDir, "refresh");
  mkdirSync(dir, { recursive: true });
  const ttlSeconds = 1;
  const server = await startWorkerd({ ...settings, workDir: dir, routerVars: { CONFIG_CACHE_TTL_SECONDS: String(ttlSeconds) } });
  try {
    await putValues(server, await cliValues(generated.document));
    await expectFromOrigin(server.routerUrl, request);
    const loadedAtStart = loadedLines(server).length;
    const start = await kvStats(server);
    const cpuMs: number[] = [];
    // Enough refreshes to include the periodic full read of the active value.
    const refreshes = FULL_READ_EVERY + 1;
    for (let i = 0; i < refreshes; i++) {
      await sleep(ttlSeconds * 1000 + 100);
      const reads = (await kvStats(server)).reads;
      cpuMs.push(
        await cpuOf(server, async () => {
          await expectFromOrigin(server.routerUrl, request);
          // The refresh runs after the response (waitUntil): wait for its KV read.
          for (let waited = 0; (await kvStats(server)).reads === reads; waited += 10) {
            if (waited > 10_000) throw new Error("a request after the TTL read nothing from KV");
            await sleep(10);
          }
        }),
      );
    }
    const end = await kvStats(server);
    const delta = (key: string) => (end.byKey[key] ?? 0) - (start.byKey[key] ?? 0);
    return { ruleCount, refreshes, configReads: delta(KV_KEYS.config), versionReads: delta(KV_KEYS.version), compiles: loadedLines(server).length - loadedAtStart, cpuMs };
  } finally {
    await stop(server.child);
  }
}

/** A generated config with health checks on its first pools, until `origins` origins are checked (the last pool is cut short). */
export function cronDocument(ruleCount: number, origins: number, originUrl: string): { readonly document: NativeDocument; readonly checked: number } {
  const generated = generateConfig(ruleCount, { originUrl: (_pool, o) => `${originUrl}/o${o}` });
  let checked = 0;
  for (const pool of Object.values(generated.document.pools)) {
    if (checked >= origins) break;
    pool.origins = pool.origins.slice(0, origins - checked);
    (pool as { healthCheck?: { path: string } }).healthCheck = { path: "/healthz" };
    checked += pool.origins.length;
  }
  return { document: generated.document, checked };
}

export async function measureCron(settings: IsolateSettings, originUrl: string, ruleCount: number, origins: number, runs: number, workDir: string): Promise<CronResult> {
  const { document, checked } = cronDocument(ruleCount, origins, originUrl);
  const dir = join(workDir, "cron");
  mkdirSync(dir, { recursive: true });
  const server = await startWorkerd({ ...settings, workDir: dir, routerVars: { HEALTH_MAX_PROBES_PER_RUN: String(origins) } });
  try {
    await putValues(server, await cliValues(document));
    const cpuMs: number[] = [];
    const probesPerRun: number[] = [];
    for (let i = 0; i < runs; i++) {
      const served = await originServed(originUrl);
      cpuMs.push(
        await cpuOf(server, async () => {
          const response = await fetch(server.cronUrl, { signal: AbortSignal.timeout(60_000) });
          const body = await response.text();
          if (!response.ok || body !== "ok") throw new Error(`the cron run failed: ${response.status} ${body}`);
        }),
      );
      probesPerRun.push((await originServed(originUrl)) - served);
    }
    const fetchesOnlyCpuMs = await fetchesOnly(settings, `${originUrl}/o0/healthz`, checked, runs, join(dir, "fetches"));
    return { ruleCount, checkedOrigins: checked, probesPerRun, cpuMs, fetchesOnlyCpuMs };
  } finally {
    await stop(server.child);
  }
}

/** `runs` times `count` concurrent GETs of `url` from a bare Worker in one fresh workerd, as the cron runs are measured: CPU per run, ms. */
async function fetchesOnly(settings: IsolateSettings, url: string, count: number, runs: number, dir: string): Promise<number[]> {
  mkdirSync(dir, { recursive: true });
  const server = await startWorkerd({ ...settings, workDir: dir, routerVars: {} });
  try {
    const cpuMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      cpuMs.push(
        await cpuOf(server, async () => {
          const response = await fetch(`${server.cronUrl}/?fetches=${count}&url=${encodeURIComponent(url)}`, { signal: AbortSignal.timeout(60_000) });
          const body = await response.text();
          if (!response.ok) throw new Error(`the bare fetches failed: ${response.status} ${body}`);
        }),
      );
    }
    return cpuMs;
  } finally {
    await stop(server.child);
  }
}
