// The end-to-end setup, shared by the measured run and the workerd profile:
// the origin (its own Node process), one workerd with the router, the
// pass-through and the KV service, the generated config stored in KV, and the
// request mix. close() stops both processes.
import { request as httpRequest } from "node:http";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ChildProcess } from "node:child_process";
import { KV_KEYS } from "../../src/core/config/stored";
import { generateConfig } from "../generate";
import { spawnTracked, stop, waitForLine } from "../processes";
import { CF_BLOB, CF_BLOB_HEADER } from "../workerd/cf-blob";
import { startWorkerd, type WorkerdServer } from "../workerd/server";
import type { LoadRequest } from "./load";

/** routerUnlogged: the same router with REQUEST_LOG_SAMPLE_RATE = "0", so the cost of the request log line shows. */
export type Target = "router" | "routerUnlogged" | "passThrough" | "origin";
export const TARGETS: readonly Target[] = ["router", "routerUnlogged", "passThrough", "origin"];

export interface StackOptions {
  readonly repoRoot: string;
  readonly bundleDir: string;
  readonly workDir: string;
  readonly compatibilityDate: string;
  readonly compatibilityFlags: readonly string[];
  readonly ruleCount: number;
  readonly inspector?: boolean;
  /** Which of workerd's two A/B services gets the observed variant (server.ts); default 1. */
  readonly observedService?: 1 | 2;
}

export interface Stack {
  readonly server: WorkerdServer;
  readonly origin: ChildProcess;
  readonly urls: Readonly<Record<Target, string>>;
  /** The router with its log lines and an Analytics Engine stand-in (a data point per request): the observability A/B's "with". */
  readonly routerObservedUrl: string;
  /** Matching sample requests with browser-like headers; the same for every target. */
  readonly requests: readonly LoadRequest[];
  kvReads(): Promise<number>;
  close(): Promise<void>;
}

const ORIGIN_SERVER = fileURLToPath(new URL("../origin-server.ts", import.meta.url));
const REQUEST_MIX = 64;

/** The origin server in its own Node process, and its URL. */
export async function startOrigin(repoRoot: string): Promise<{ readonly origin: ChildProcess; readonly originUrl: string }> {
  const origin = spawnTracked(process.execPath, ["--import", "tsx", ORIGIN_SERVER], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe", "ipc"] });
  try {
    const { port } = await waitForLine(origin, origin.stdout!, (line) => (line.startsWith("{") ? (JSON.parse(line) as { port: number }) : undefined), 20_000, "origin server");
    return { origin, originUrl: `http://127.0.0.1:${port}` };
  } catch (error) {
    await stop(origin);
    throw error;
  }
}

export async function startStack(options: StackOptions): Promise<Stack> {
  mkdirSync(options.workDir, { recursive: true });
  const { origin, originUrl } = await startOrigin(options.repoRoot);
  let server: WorkerdServer | undefined;
  try {
    // Every origin of every pool is the local origin, told apart by a base path.
    const generated = generateConfig(options.ruleCount, { originUrl: (_pool, o) => `${originUrl}/o${o}` });
    server = await startWorkerd({
      bundleDir: options.bundleDir,
      workDir: options.workDir,
      compatibilityDate: options.compatibilityDate,
      compatibilityFlags: options.compatibilityFlags,
      routerVars: { CONFIG_CACHE_TTL_SECONDS: "3600", HEALTH_MAX_PROBES_PER_RUN: "50" },
      originUrl,
      ...(options.inspector ? { inspector: true } : {}),
      abRouters: true,
      discardStdout: true,
      ...(options.observedService ? { observedService: options.observedService } : {}),
    });
    const stored = JSON.stringify({ version: `bench-${options.ruleCount}`, appliedAt: new Date().toISOString(), config: generated.document });
    const put = await fetch(`${server.kvAdminUrl}/__bench/values/${encodeURIComponent(KV_KEYS.config)}`, { method: "PUT", body: stored, signal: AbortSignal.timeout(30_000) });
    if (!put.ok) throw new Error(`could not store the config in the KV service: ${put.status}`);

    const requests: LoadRequest[] = generated.samples
      .filter((s) => s.expectMatch)
      .slice(0, REQUEST_MIX)
      .map((s, i) => ({
        method: "GET",
        path: s.pathAndQuery,
        // request.cf as on Cloudflare (the origin target ignores the header).
        headers: { host: s.host, "user-agent": "bench/1.0", accept: "*/*", "cf-connecting-ip": `198.51.100.${i + 1}`, [CF_BLOB_HEADER]: CF_BLOB },
      }));
    const kvAdminUrl = server.kvAdminUrl;
    const running = server;
    return {
      server,
      origin,
      urls: { router: server.routerUrl, routerUnlogged: server.routerUnloggedUrl!, passThrough: server.passThroughUrl, origin: originUrl },
      routerObservedUrl: server.routerObservedUrl!,
      requests,
      async kvReads() {
        const response = await fetch(`${kvAdminUrl}/__bench/stats`, { signal: AbortSignal.timeout(10_000) });
        return ((await response.json()) as { reads: number }).reads;
      },
      async close() {
        await stop(running.child);
        await stop(origin);
      },
    };
  } catch (error) {
    if (server) await stop(server.child);
    await stop(origin);
    throw error;
  }
}

/** One request with node:http (fetch would not let us set Host); bounded to 30 s. */
export function getOnce(url: string, request: LoadRequest): Promise<{ status: number; fromOrigin: boolean; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${request.path}`, { headers: request.headers, agent: false, timeout: 30_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, fromOrigin: res.headers["x-bench-origin"] === "1", ms: performance.now() - started }));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url}${request.path} timed out`)));
    req.on("error", reject);
    req.end();
  });
}
