// Runs the built Worker in workerd through the Miniflare API: real KV
// (in memory), real fetch to origin servers on 127.0.0.1, the scheduled
// handler on demand, and the Worker's log lines captured for assertions.
// All runtime-specific test plumbing lives here.
import { request as httpRequest } from "node:http";
import { dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { Miniflare } from "miniflare";
import { KV_KEYS, STORED_FORMAT } from "../../src/core/config/stored";
import { storedText } from "../../src/core/config/fast-stored";
import { parseConfig } from "../../src/core/config/parse";
import { versionKeyText } from "../../src/core/config/published";
import { configVersion } from "../../src/cli/version";
import { publishKeys } from "../../src/cli/publish";
import type { Kv } from "../../src/cli/wrangler";

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
  /** Writes a native config document as a plain StoredConfig, which the Worker validates in full; returns its version. */
  putConfig(config: unknown): Promise<string>;
  /**
   * Writes it exactly as `apply` does: the value with its digest and prepared
   * form (fast-stored.ts), then the health plan and the version key
   * (cli/publish.ts). Throws with the problems when the document does not parse.
   */
  putConfigAsCli(config: unknown): Promise<string>;
  /** How the Worker read `version` ("prepared" or "validated", its config.loaded line), waiting a few seconds for the line; undefined when it never loaded it. */
  loadedAs(version: string): Promise<string | undefined>;
  /** Log lines the Worker printed (stdout and stderr), parsed when JSON. */
  readonly logs: unknown[];
  /** With `countKvReads`: every `INGRESS_KV.get` the Worker made so far, each as the keys it asked for. */
  kvReads(): Promise<string[][]>;
  /** The JSON log lines whose `event` is `event`. */
  events(event: string): Record<string, unknown>[];
  dispose(): Promise<void>;
}

export interface ClientInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  /**
   * A body sent at once, or chunk by chunk as an iterable yields them (a slow
   * or stalled upload); an iterable that throws makes the client drop the
   * connection mid-upload, as a client that gives up does.
   */
  readonly body?: string | Buffer | AsyncIterable<Buffer>;
  /**
   * The request's `cf` object as Cloudflare would set it (country, asn, ...),
   * sent as Miniflare's MF-CF-Blob header, which its entry worker turns
   * into request.cf (replacing Miniflare's default `cf`).
   */
  readonly cf?: Readonly<Record<string, unknown>>;
  /** "https": the Worker sees an https:// request URL (Miniflare's MF-Original-URL), as behind Cloudflare's TLS. */
  readonly scheme?: "http" | "https";
}

export interface WorkerOptions {
  readonly ttlSeconds?: number;
  readonly maxProbes?: number;
  /** Worker secrets, as `wrangler secret put NAME` sets them: plain strings on env. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Wrap the Worker so that its KV reads are recorded (see kvReads). */
  readonly countKvReads?: boolean;
  /**
   * Every subrequest the Worker makes goes here instead of the network (Miniflare's
   * outboundService), with its `cf` (e.g. resolveOverride) readable.
   */
  readonly outbound?: (request: Request) => Promise<Response>;
  /** More vars (STATUS_TOKEN, ALERT_WEBHOOK_URL may come here too). */
  readonly vars?: Readonly<Record<string, string>>;
  /**
   * Binds METRICS to a stand-in Analytics Engine dataset that prints each
   * data point as a log line `{"analyticsEngine": point}` (Miniflare's own
   * simulator drops them), so tests can read what the Worker wrote.
   */
  readonly analytics?: boolean;
  /**
   * The Worker sees no CF-Connecting-IP, as happens only off Cloudflare:
   * Miniflare always sets it (to the loopback address the client came from),
   * so an entry module in front removes it.
   */
  readonly withoutClientAddress?: boolean;
}

/**
 * An entry module in front of the real bundle: it hands the Worker a KV
 * binding that records each `get` (the keys asked for) and then reads the
 * real namespace, and answers the test on a host no config routes.
 */
const KV_READS_HOST = "kv-reads.edge-ingress.test";
const COUNTING_ENTRY = `
import worker from "./index.js";
const reads = [];
const counting = (kv) => ({
  get(key, ...rest) { reads.push(Array.isArray(key) ? [...key] : [key]); return kv.get(key, ...rest); },
  getWithMetadata: (...args) => kv.getWithMetadata(...args),
  put: (...args) => kv.put(...args),
  delete: (...args) => kv.delete(...args),
  list: (...args) => kv.list(...args),
});
export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).host === "${KV_READS_HOST}") return Response.json(reads);
    return worker.fetch(request, { ...env, INGRESS_KV: counting(env.INGRESS_KV) }, ctx);
  },
  scheduled(controller, env, ctx) {
    return worker.scheduled(controller, { ...env, INGRESS_KV: counting(env.INGRESS_KV) }, ctx);
  },
};
`;

/** An entry module in front of the real bundle that removes CF-Connecting-IP (see withoutClientAddress). */
const NO_CLIENT_ADDRESS_ENTRY = `
import worker from "./index.js";
export default {
  fetch(request, env, ctx) {
    const headers = new Headers(request.headers);
    headers.delete("cf-connecting-ip");
    return worker.fetch(new Request(request, { headers }), env, ctx);
  },
  scheduled: (controller, env, ctx) => worker.scheduled(controller, env, ctx),
};
`;

/** The stand-in dataset: a wrapped binding, as Miniflare's own simulator is, that records instead of dropping. */
const RECORDING_DATASET = {
  name: "recording-analytics-engine",
  modules: true,
  script: `export default function () {
    return { writeDataPoint(point) { console.log(JSON.stringify({ analyticsEngine: point ?? null })); } };
  }`,
};

let writeAs: "validated" | "prepared" = "validated";

/**
 * How putConfig writes from now on in this test file: "prepared" writes as
 * `apply` does (putConfigAsCli), and dispose then fails unless the Worker
 * read every such config it loaded from its prepared form. A suite's twin
 * file (x.prepared.test.ts) sets it, then imports the suite.
 */
export function writeConfigsAs(writer: "validated" | "prepared"): void {
  writeAs = writer;
}

/** Sockets already given an error listener (send below). */
const QUIETED_SOCKETS = new WeakSet<object>();

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
  const bundle = resolve(BUNDLE);
  if (options.countKvReads && options.withoutClientAddress) throw new Error("countKvReads and withoutClientAddress each need their own entry module: use one");
  const entry = options.countKvReads ? { name: "counting-entry.mjs", contents: COUNTING_ENTRY }
    : options.withoutClientAddress ? { name: "no-client-address-entry.mjs", contents: NO_CLIENT_ADDRESS_ENTRY }
    : undefined;
  const router = {
    name: "edge-ingress",
    ...(entry
      ? {
          modules: [
            { type: "ESModule" as const, path: join(dirname(bundle), entry.name), contents: entry.contents },
            { type: "ESModule" as const, path: bundle },
          ],
        }
      : { modules: true, scriptPath: BUNDLE }),
    compatibilityDate: "2026-04-20",
    kvNamespaces: ["INGRESS_KV"],
    bindings: {
      CONFIG_CACHE_TTL_SECONDS: String(options.ttlSeconds ?? 0),
      HEALTH_MAX_PROBES_PER_RUN: String(options.maxProbes ?? 50),
      ...options.secrets,
      ...options.vars,
    },
    ...(options.analytics ? { wrappedBindings: { METRICS: RECORDING_DATASET.name } } : {}),
    ...(options.outbound ? { outboundService: options.outbound as never } : {}),
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
  let cliWritten = false;
  const putAsCli = new Set<string>();
  const loadedLine = (version: string) =>
    logs.find((l) => (l as { event?: unknown } | null)?.event === "config.loaded" && (l as { version?: unknown }).version === version) as { read?: string } | undefined;
  const putConfigAsCli = async (config: unknown): Promise<string> => {
    const parsed = parseConfig(config);
    if (!parsed.ok) throw new Error(`the config does not parse:\n${parsed.problems.map((p) => `${p.path}: ${p.message}`).join("\n")}`);
    const version = configVersion(config);
    const { text } = await storedText({ format: STORED_FORMAT, version, appliedAt: new Date().toISOString(), config }, parsed.config);
    const ns = await kv();
    await ns.put(KV_KEYS.config, text);
    await publishKeys({ put: (key, value) => ns.put(key, value) } as Kv, text, version, parsed.config);
    cliWritten = true;
    putAsCli.add(version);
    return version;
  };
  return {
    mf,
    logs,
    events: (event) => logs.filter((l): l is Record<string, unknown> => (l as { event?: unknown } | null)?.event === event),
    url,
    fetch: (host, path, init = {}) => send(url, host, path, init),
    async scheduled(time = new Date()) {
      const worker = await mf.getWorker();
      await worker.scheduled({ scheduledTime: time, cron: "* * * * *" });
    },
    kv,
    async putConfig(config) {
      if (writeAs === "prepared") return putConfigAsCli(config);
      const version = configVersion(config);
      const ns = await kv();
      await ns.put(KV_KEYS.config, JSON.stringify({ version, appliedAt: new Date().toISOString(), config }));
      // After a value with a digest, the Worker reads the version key first: as apply would, say this value has none.
      if (cliWritten) await ns.put(KV_KEYS.version, versionKeyText(version, ""));
      return version;
    },
    putConfigAsCli,
    async loadedAs(version) {
      // The Worker's stdout reaches the test process a little after the request that logged.
      const until = Date.now() + 5_000;
      for (;;) {
        const line = loadedLine(version);
        if (line !== undefined || Date.now() > until) return line?.read;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async kvReads() {
      if (!options.countKvReads) throw new Error("start the worker with countKvReads: true");
      return (await (await send(url, KV_READS_HOST, "/", {})).json()) as string[][];
    },
    async dispose() {
      await mf.dispose();
      // A suite run with writeConfigsAs("prepared") proves the fast path only if the Worker took it.
      if (writeAs !== "prepared") return;
      const loaded = [...putAsCli].map((version) => [version, loadedLine(version)] as const);
      const slow = loaded.filter(([, line]) => line !== undefined && line.read !== "prepared");
      if (slow.length > 0) throw new Error(`the Worker validated in full the configs ${slow.map(([v]) => v).join(", ")}, written as apply writes them`);
      if (loaded.length > 0 && !loaded.some(([, line]) => line !== undefined)) throw new Error("the Worker never loaded a config written as apply writes it");
    },
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
      {
        hostname: base.hostname,
        port: base.port,
        method: init.method ?? "GET",
        path,
        // A connection per request. workerd closes a kept-alive connection
        // after 5 s idle, and Node's agent keeps one for 5 s: a request sent
        // on a connection as workerd closes it fails with "socket hang up".
        agent: false,
        headers: {
          host,
          ...(init.cf ? { "mf-cf-blob": JSON.stringify(init.cf) } : {}),
          ...(init.scheme === "https" ? { "mf-original-url": `https://${host}${path}` } : {}),
          ...init.headers,
        },
      },
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
    // The router may answer and close the connection while the client is
    // still sending (a refused upload); the answer has been delivered by then.
    req.on("socket", (socket) => {
      if (QUIETED_SOCKETS.has(socket)) return;
      QUIETED_SOCKETS.add(socket);
      socket.on("error", () => undefined);
    });
    const body = init.body;
    if (body === undefined || typeof body === "string" || Buffer.isBuffer(body)) return void req.end(body);
    (async () => {
      for await (const chunk of body) {
        if (!req.write(chunk)) await new Promise((resolve) => req.once("drain", resolve));
      }
      req.end();
    })().catch((error: Error) => req.destroy(error));
  });
}
