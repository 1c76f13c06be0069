// Runs the micro-benchmark of one size in a fresh Node process (cold JIT,
// clean heap, --expose-gc for the memory figures), bounded in time, and
// parses its one result line.
import { fileURLToPath } from "node:url";
import { outputTail, spawnTracked, stop, waitForLine } from "../processes";
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
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const result = await waitForLine(
      child,
      child.stdout,
      (line) => (line.startsWith(RESULT_PREFIX) ? (JSON.parse(line.slice(RESULT_PREFIX.length)) as T) : undefined),
      options.timeoutMs,
      what,
    );
    // Let it exit by itself: --cpu-prof writes the profile only on a normal exit.
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
    return result;
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${outputTail(child)}`);
  } finally {
    await stop(child);
  }
}

export function microInChild(ruleCount: number, options: ChildOptions): Promise<MicroResult> {
  return runCli<MicroResult>(
    ["--expose-gc"],
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

/** Runs the profile loop under --cpu-prof; the profile is written into `profileDir`. */
export async function profileInChild(ruleCount: number, mode: "request" | "load", profileMs: number, profileDir: string, options: ChildOptions): Promise<void> {
  await runCli<unknown>(
    ["--cpu-prof", "--cpu-prof-dir", profileDir],
    ["--rules", String(ruleCount), "--profile", mode, "--profile-ms", String(profileMs), "--samples", String(options.sampleCount)],
    options,
    `profile (${mode}, ${ruleCount} rules)`,
  );
}
