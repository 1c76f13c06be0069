// Runs the micro-benchmark of one size in a fresh Node process (cold JIT,
// clean heap, --expose-gc for the memory figures), bounded in time, and
// parses its one result line.
import { fileURLToPath } from "node:url";
import { outputTail, spawnTracked, stop, waitForLine } from "../processes";
import type { ProfileSummary } from "../profile";
import type { DecisionResult } from "./decision";
import type { MicroResult } from "./measure";

const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));
const RESULT_PREFIX = "BENCH_RESULT ";

export interface ChildOptions {
  readonly repoRoot: string;
  readonly requestTimeMs: number;
  readonly loadIterations: number;
  readonly sampleCount: number;
  /** Kill the child past this. */
  readonly timeoutMs: number;
}

async function runCli<T>(nodeFlags: readonly string[], args: readonly string[], options: ChildOptions, what: string): Promise<T> {
  const child = spawnTracked(process.execPath, [...nodeFlags, "--import", "tsx", CLI, ...args], {
    cwd: options.repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    return await waitForLine(
      child,
      child.stdout,
      (line) => (line.startsWith(RESULT_PREFIX) ? (JSON.parse(line.slice(RESULT_PREFIX.length)) as T) : undefined),
      options.timeoutMs,
      what,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${outputTail(child)}`);
  } finally {
    await stop(child);
  }
}

export function microInChild(ruleCount: number, options: ChildOptions): Promise<MicroResult> {
  return runCli<MicroResult>(
    ["--expose-gc", "--allow-natives-syntax"],
    [
      "--rules", String(ruleCount),
      "--request-time-ms", String(options.requestTimeMs),
      "--load-iterations", String(options.loadIterations),
      "--samples", String(options.sampleCount),
    ],
    options,
    `micro-benchmark (${ruleCount} rules)`,
  );
}

/** Per-request cost by kind of route at one size, in a fresh process. */
export function decisionInChild(ruleCount: number, options: ChildOptions): Promise<DecisionResult> {
  return runCli<DecisionResult>(
    [],
    ["--rules", String(ruleCount), "--decision", "--request-time-ms", String(options.requestTimeMs), "--samples", String(options.sampleCount)],
    options,
    `per-request cost by kind of route (${ruleCount} rules)`,
  );
}

export type ProfileMode = "route" | "request";

/** Runs one code path in a loop under the V8 profiler, in a fresh process; returns the summary. */
export async function profileInChild(ruleCount: number, mode: ProfileMode, profileMs: number, options: ChildOptions): Promise<ProfileSummary> {
  const result = await runCli<{ summary: ProfileSummary }>(
    [],
    ["--rules", String(ruleCount), "--profile", mode, "--profile-ms", String(profileMs), "--samples", String(options.sampleCount)],
    options,
    `profile (${mode}, ${ruleCount} rules)`,
  );
  return result.summary;
}
