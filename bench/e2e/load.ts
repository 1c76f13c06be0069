// One bounded load run with autocannon (closed loop: a fixed number of
// keep-alive connections, each sending its next request when the previous
// answer arrives). autocannon's own latency histogram keeps whole
// milliseconds, too coarse for loopback latencies around 1 ms, so every
// response time (a float in ms, from process.hrtime) is collected here and
// the percentiles computed exactly. The CPU time the server processes spent
// during the run is read from /proc (Linux), to give CPU per request.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export interface LoadRequest {
  readonly method: "GET";
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface LoadOptions {
  readonly url: string;
  readonly requests: readonly LoadRequest[];
  readonly connections: number;
  readonly durationSeconds: number;
  /** Stop after this many requests even if time remains. */
  readonly maxRequests: number;
  /** Processes whose CPU time is measured over the run, by label. */
  readonly cpuProcesses: Readonly<Record<string, number>>;
}

export interface LoadStats {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly responses: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly elapsedSeconds: number;
  /** CPU time of each measured process per response, µs; absent where /proc is unavailable. */
  readonly cpuUsPerRequest: Readonly<Record<string, number>>;
}

interface AutocannonInstance {
  on(event: "response", listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
  on(event: "reqError", listener: (error: Error) => void): void;
  on(event: "done", listener: (result: unknown) => void): void;
  stop(): void;
}
type Autocannon = (options: Record<string, unknown>) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a process, in µs, or undefined without /proc. */
function cpuUs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start after ") ".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function cpuSnapshot(processes: Readonly<Record<string, number>>): Map<string, number> {
  const snapshot = new Map<string, number>();
  for (const [label, pid] of Object.entries(processes)) {
    const us = cpuUs(pid);
    if (us !== undefined) snapshot.set(label, us);
  }
  return snapshot;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export async function runLoad(options: LoadOptions): Promise<LoadStats> {
  let times = new Float64Array(1 << 16);
  let responses = 0;
  let non2xx = 0;
  let errors = 0;
  const cpuBefore = cpuSnapshot(options.cpuProcesses);
  const started = performance.now();
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    duration: options.durationSeconds,
    maxOverallRequests: options.maxRequests,
    timeout: 10,
    requests: options.requests.map((r) => ({ ...r, headers: { ...r.headers } })),
  });
  instance.on("response", (_client, statusCode, _bytes, responseTime) => {
    if (responses === times.length) {
      const grown = new Float64Array(times.length * 2);
      grown.set(times);
      times = grown;
    }
    times[responses++] = responseTime;
    if (statusCode < 200 || statusCode > 299) non2xx++;
  });
  instance.on("reqError", () => {
    errors++;
  });
  // A watchdog in case autocannon never reports done.
  const watchdog = setTimeout(() => instance.stop(), (options.durationSeconds + 15) * 1000);
  await new Promise<void>((resolve) => instance.on("done", () => resolve()));
  clearTimeout(watchdog);
  const elapsedSeconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuSnapshot(options.cpuProcesses);
  const cpuUsPerRequest: Record<string, number> = {};
  for (const [label, after] of cpuAfter) {
    const before = cpuBefore.get(label);
    if (before !== undefined && responses > 0) cpuUsPerRequest[label] = (after - before) / responses;
  }

  const sorted = times.slice(0, responses).sort();
  let sum = 0;
  for (const t of sorted) sum += t;
  return {
    requestsPerSecond: responses / elapsedSeconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: responses === 0 ? Number.NaN : sum / responses,
    responses,
    non2xx,
    errors,
    elapsedSeconds,
    cpuUsPerRequest,
  };
}
