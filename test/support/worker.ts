// Runs the built Worker in workerd through the Miniflare API: real KV
// (in memory), real fetch to origin servers on 127.0.0.1, the scheduled
// handler on demand, and the Worker's log lines captured for assertions.
// All runtime-specific test plumbing lives here.
import { request as httpRequest } from "node:http";
import { Readable } from "node:stream";
import { Miniflare } from "miniflare";
import { KV_KEYS } from "../../src/core/config/stored";
import { configVersion } from "../../src/cli/version";

const BUNDLE = "dist/test-worker/index.js";

export interface TestWorker {
  readonly mf: Miniflare;
  /** Sends a request over HTTP as a client would: `host` is the Host header, `path` goes on the wire as is. */
  fetch(host: string, path: string, init?: ClientInit): Promise<Response>;
  /** The address workerd listens on (http://127.0.0.1:PORT/). */
  readonly url: URL;
  /** Fires the cron handler as Cloudflare would at `time`. */
  scheduled(time?: Date): Promise<void>;
  kv(): Promise<KVNamespace>;
  /** Writes a native config document as the CLI does; returns its version. */
  putConfig(config: unknown): Promise<string>;
  /** Log lines the Worker printed (stdout and stderr), parsed when JSON. */
  readonly logs: unknown[];
  dispose(): Promise<void>;
}

export interface ClientInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

export interface WorkerOptions {
  readonly ttlSeconds?: number;
  readonly maxProbes?: number;
  /** More vars and secrets (STATUS_TOKEN, ALERT_WEBHOOK_URL). */
  readonly vars?: Readonly<Record<string, string>>;
  /**
   * Binds METRICS to a stand-in Analytics Engine dataset that prints each
   * data point as a log line `{"analyticsEngine": point}` (Miniflare's own
   * simulator drops them), so tests can read what the Worker wrote.
   */
  readonly analytics?: boolean;
}

/** The stand-in dataset: a wrapped binding, as Miniflare's own simulator is, that records instead of dropping. */
const RECORDING_DATASET = {
  name: "recording-analytics-engine",
  modules: true,
  script: `export default function () {
    return { writeDataPoint(point) { console.log(JSON.stringify({ analyticsEngine: point ?? null })); } };
  }`,
};

export async function startWorker(options: WorkerOptions = {}): Promise<TestWorker> {
  const logs: unknown[] = [];
  const collect = (stream: Readable) => {
    let buffered = "";
    stream.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        const start = line.indexOf("{");
        try {
          logs.push(start >= 0 ? JSON.parse(line.slice(start)) : line);
        } catch {
          logs.push(line);
        }
      }
    });
  };
  const router = {
    name: "edge-ingress",
    modules: true,
    scriptPath: BUNDLE,
    compatibilityDate: "2026-04-20",
    kvNamespaces: ["INGRESS_KV"],
    bindings: {
      CONFIG_CACHE_TTL_SECONDS: String(options.ttlSeconds ?? 0),
      HEALTH_MAX_PROBES_PER_RUN: String(options.maxProbes ?? 50),
      ...options.vars,
    },
    ...(options.analytics ? { wrappedBindings: { METRICS: RECORDING_DATASET.name } } : {}),
  };
  const mf = new Miniflare({
    workers: options.analytics ? [router, RECORDING_DATASET] : [router],
    cf: { colo: "TEST" },
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      collect(stdout);
      collect(stderr);
    },
  });
  const url = await mf.ready;

  const kv = () => mf.getKVNamespace("INGRESS_KV") as unknown as Promise<KVNamespace>;
  return {
    mf,
    logs,
    url,
    fetch: (host, path, init = {}) => send(url, host, path, init),
    async scheduled(time = new Date()) {
      const worker = await mf.getWorker();
      await worker.scheduled({ scheduledTime: time, cron: "* * * * *" });
    },
    kv,
    async putConfig(config) {
      const version = configVersion(config);
      await (await kv()).put(KV_KEYS.config, JSON.stringify({ version, appliedAt: new Date().toISOString(), config }));
      return version;
    },
    dispose: () => mf.dispose(),
  };
}

/**
 * A raw HTTP/1.1 client (node:http): unlike fetch it can set Host and
 * Connection, and it sends the path exactly as given, so the Worker sees
 * what a real client would send.
 */
function send(base: URL, host: string, path: string, init: ClientInit): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname: base.hostname, port: base.port, method: init.method ?? "GET", path, headers: { host, ...init.headers } },
      (res) => {
        const headers = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const status = res.statusCode ?? 0;
        const empty = init.method === "HEAD" || [101, 204, 205, 304].includes(status);
        if (empty) res.resume();
        resolve(new Response(empty ? null : (Readable.toWeb(res) as ReadableStream), { status, headers }));
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}
