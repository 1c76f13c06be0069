// Measures bench/workerd/calls-worker.js: the CPU of each runtime call a proxied
// request makes, inside workerd, per call. One workerd, one Worker; for each
// call, runs of n calls in one request, each less an n=1 request's CPU, and
// the median over runs. The figures explain where a router request's extra
// CPU over the pass-through goes (explain.ts).
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnTracked, stop, waitForLine } from "../processes";
import type { BenchResults } from "../bench";
import { median } from "../e2e/run";
import { fixed as fmt } from "../markdown";
import { CF_BLOB, CF_BLOB_HEADER } from "./cf-blob";
import { processCpuNs } from "./isolate";
import { workerdBinary } from "./server";

export interface RuntimeCall {
  readonly call: string;
  /** CPU per call, ns: median over runs. */
  readonly ns: number;
  readonly runs: readonly number[];
}

/** The fields of a browser's GET as a Worker behind Cloudflare receives it (and request.cf, from its header). */
export const BROWSER_FIELDS: Readonly<Record<string, string>> = {
  host: "www.example.com",
  "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "accept-encoding": "gzip, br",
  "accept-language": "en-US,en;q=0.9",
  cookie: "_ga=GA1.2.3.4; theme=dark",
  "cf-connecting-ip": "198.51.100.7",
  "cf-ray": "8a1b2c3d4e5f6789-AMS",
  "cf-ipcountry": "NL",
  "x-forwarded-proto": "https",
  "x-real-ip": "198.51.100.7",
};

const here = fileURLToPath(new URL(".", import.meta.url));

export async function measureRuntimeCalls(workDir: string, compatibilityDate: string, callsPerRun: number, runs: number): Promise<RuntimeCall[]> {
  mkdirSync(workDir, { recursive: true });
  copyFileSync(join(here, "calls-worker.js"), join(workDir, "calls-worker.js"));
  const q = JSON.stringify;
  writeFileSync(
    join(workDir, "calls.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ ( name = "calls", worker = ( modules = [ (name = "calls-worker.js", esModule = embed "calls-worker.js") ], compatibilityDate = ${q(compatibilityDate)} ) ) ],
  sockets = [ ( name = "calls", address = "127.0.0.1:0", http = ( cfBlobHeader = ${q(CF_BLOB_HEADER)} ), service = "calls" ) ],
);
`,
  );
  // stdout (the console.log call's lines) is discarded, as in the end-to-end part.
  const child = spawnTracked(workerdBinary(), ["serve", join(workDir, "calls.capnp"), "--control-fd=3"], { cwd: workDir, stdio: ["ignore", "ignore", "pipe", "pipe"] });
  try {
    const control = child.stdio[3] as import("node:stream").Readable;
    const port = await waitForLine(child, control, (line) => (JSON.parse(line) as { port?: number }).port, 30_000, "workerd");
    control.resume();
    const base = `http://127.0.0.1:${port}`;
    const headers = { ...BROWSER_FIELDS, [CF_BLOB_HEADER]: CF_BLOB };
    const cpuOf = async (call: string, n: number): Promise<number> => {
      const before = processCpuNs(child.pid!);
      const response = await fetch(`${base}/run?call=${encodeURIComponent(call)}&n=${n}`, { headers, signal: AbortSignal.timeout(60_000) });
      if (!response.ok) throw new Error(`runtime call ${call}: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
      return processCpuNs(child.pid!) - before;
    };
    const calls = (await (await fetch(`${base}/calls`)).json()) as string[];
    const results: RuntimeCall[] = [];
    for (const call of calls) {
      // Warm: the call's code compiled and optimized, as under load.
      await cpuOf(call, Math.min(callsPerRun, 2_000));
      const perCall: number[] = [];
      for (let r = 0; r < runs; r++) {
        const one = await cpuOf(call, 1);
        perCall.push(Math.max(0, (await cpuOf(call, callsPerRun)) - one) / callsPerRun);
      }
      results.push({ call, ns: median(perCall), runs: perCall });
    }
    return results;
  } finally {
    await stop(child);
  }
}

/**
 * The runtime calls a plain proxied GET makes that the pass-through does not
 * (src/core/http/headers.ts, src/core/request/decide.ts, src/edge/forward.ts,
 * src/app.ts, src/handlers/proxy.ts, src/log.ts), counted from the code: the
 * forwarding fields are 4 removals of client-sent ones, 1 lookup and 7 sets;
 * the hop-by-hop checks of both messages 8 lookups and 2 reads of Connection;
 * whether there is a body 2 lookups; Upgrade, Location, X-Request-Id and
 * CF-Connecting-IP one lookup each; Expect one removal.
 */
const CALLS_PER_REQUEST: readonly (readonly [call: string, count: number])[] = [
  ["new Headers(request.headers)", 1],
  ["Headers.has", 9],
  ["Headers.get, field absent", 8],
  ["Headers.delete", 5],
  ["Headers.set", 7],
  ["new AbortController()", 1],
  ["setTimeout + clearTimeout", 1],
  ["crypto.randomUUID()", 1],
  ["console.log of the request line", 1],
];

export function runtimeCallsLine(results: BenchResults, extraUs: number | undefined): string | undefined {
  const calls = results.runtimeCalls;
  if (!calls || extraUs === undefined) return undefined;
  const usOf = (call: string) => (calls.find((c) => c.call === call)?.ns ?? Number.NaN) / 1000;
  const totalUs = CALLS_PER_REQUEST.reduce((sum, [call, count]) => sum + count * usOf(call), 0);
  if (!Number.isFinite(totalUs)) return undefined;
  const copyUs = usOf("new Headers(request.headers)");
  const requestUs = usOf("new Request(url, request)");
  return (
    `- The runtime calls a plain proxied GET makes and the pass-through does not (section 3, runtime calls inside workerd): one copy of the request's Headers (${fmt(copyUs, 1)} µs), ` +
    `17 lookups, 5 removals and 7 sets of fields (the forwarding fields, the hop-by-hop checks of both messages, whether there is a body), an AbortController and a timer for the response-header deadline, a request id and the request log line: about ${fmt(totalUs, 0)} µs of the ${fmt(extraUs, 0)} µs. ` +
    `These are loop figures, with the call's code and data in the CPU caches; inside a request the same calls cost more. The rest is the router's own JavaScript (routing, filters, the tries, the request's trace and counters), spread over many functions, as the router's profile in workerd shows when the run has one. ` +
    (Number.isFinite(requestUs) ? `Building the upstream request as \`new Request(url, request)\` instead of copying the Headers (the other way to get headers one can edit) costs ${fmt(requestUs, 1)} µs against the copy's ${fmt(copyUs, 1)} µs.` : "")
  );
}

/** What was tried on the proxy path, with the A/B figures that decided it (those runs', not this one's). */
export const HOT_PATH_TRIED =
  "- Tried and kept, each after an A/B of workerd CPU per request (figures from those runs, not this one): the proxy path without Hono's router (30 to 45 µs less per request); request.cf read only when an access list asks, since the runtime parses it on first access (about 30 µs per request with a cf object the size of Cloudflare's); no closures made per request; an origin response with nothing to clean passed through untouched (no Headers copy, no new Response); the request's hop-by-hop fields removed only when one the runtime does not handle is present. " +
  "Tried and not kept: a try with no body and no retry after a timeout sent without an AbortSignal, racing the fetch against a timer instead: 0.978 x the CPU per request (95% interval 0.931 to 1.028, 20 pairs of 2 s), no measurable gain for a second way of sending a request.";
