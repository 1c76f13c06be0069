// Every process the benchmark starts is registered here and killed when the
// run ends, however it ends: normally (stopAll in a finally), on an uncaught
// error, or on Ctrl-C (exit hooks). Only processes started here are killed,
// each by its own pid.
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import type { Readable } from "node:stream";

const running = new Set<ChildProcess>();
/** The last few KB each child wrote, for error messages; reading also keeps its pipes from filling up. */
const output = new WeakMap<ChildProcess, { text: string }>();
const OUTPUT_TAIL_CHARS = 8000;
let hooksInstalled = false;

function killNow(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // "exit" handlers must be synchronous: SIGKILL is sent at once.
  process.on("exit", () => {
    for (const child of running) killNow(child);
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      for (const child of running) killNow(child);
      process.exit(130);
    });
  }
}

/** Spawns a child that is killed with the benchmark, whatever happens. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  installHooks();
  const child = spawn(command, args, { ...options, detached: false });
  running.add(child);
  child.once("exit", () => running.delete(child));
  const tail = { text: "" };
  output.set(child, tail);
  const keep = (chunk: Buffer) => {
    tail.text = (tail.text + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return child;
}

/** What the child last wrote to stdout and stderr. */
export function outputTail(child: ChildProcess): string {
  return output.get(child)?.text ?? "";
}

/** Stops one child: SIGTERM, then SIGKILL if it has not exited within graceMs. */
export async function stop(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => killNow(child), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Children started here that have not exited yet. */
export function runningCount(): number {
  return running.size;
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => stop(child)));
}

/**
 * Resolves with the first line of `stream` (one of the child's pipes) for
 * which `parse` returns a value; rejects if the child exits first or on timeout.
 */
export function waitForLine<T>(
  child: ChildProcess,
  stream: Readable | null,
  parse: (line: string) => T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let buffered = "";
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf("\n")) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const value = parse(line);
        if (value !== undefined) {
          cleanup();
          resolve(value);
          return;
        }
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`${what} exited (code ${code}) before it was ready: ${outputTail(child)}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what} was not ready within ${timeoutMs} ms: ${outputTail(child)}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      stream?.off("data", onData);
      child.off("exit", onExit);
    };
    stream?.on("data", onData);
    child.once("exit", onExit);
  });
}
