// `edge-ingress logs`: follows the deployed Worker's log lines live through
// `wrangler tail --format json`, keeping the router's errors (502, 503, 504,
// config problems, failed alerts) unless --all, one line each. The filter
// runs twice: `--search '"level":"error"'` lets Cloudflare drop the rest
// before it is sent (busy Workers put tails into sampling mode), and each
// line is parsed here again, so nothing unrelated gets through.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import type { Readable } from "node:stream";
import type { Io } from "./output";

export interface LogsOptions {
  /** Every request line, not only errors. */
  readonly all?: boolean;
  /** Print the log lines as JSON, one per line (for jq). */
  readonly json?: boolean;
  readonly env?: string;
  readonly config?: string;
}

/** The search string Cloudflare filters tails with: error lines carry it verbatim (src/log.ts). */
export const ERROR_SEARCH = '"level":"error"';

export function tailArgs(options: LogsOptions): string[] {
  return [
    "tail",
    "--format", "json",
    ...(options.all ? [] : ["--search", ERROR_SEARCH]),
    ...(options.env === undefined ? [] : ["--env", options.env]),
    ...(options.config === undefined ? [] : ["--config", options.config]),
  ];
}

/**
 * `wrangler tail --format json` prints each event as JSON indented by 4
 * spaces: an event ends at a line that is exactly "}" (nested closings are
 * indented, and strings never hold a raw newline).
 */
export class TailEventSplitter {
  private pending = "";
  private lines: string[] = [];

  /** Feeds a chunk; returns the events it completed. Text that is not JSON (a wrangler notice) is skipped. */
  push(chunk: string): unknown[] {
    this.pending += chunk;
    const parts = this.pending.split("\n");
    this.pending = parts.pop() ?? "";
    const events: unknown[] = [];
    for (const line of parts) {
      if (this.lines.length === 0 && line !== "{") continue;
      this.lines.push(line);
      if (line !== "}") continue;
      try {
        events.push(JSON.parse(this.lines.join("\n")));
      } catch {
        // Not an event after all; drop it.
      }
      this.lines = [];
    }
    return events;
  }
}

interface TailEvent {
  readonly eventTimestamp?: number;
  readonly logs?: readonly { readonly message?: readonly unknown[]; readonly timestamp?: number }[];
  readonly exceptions?: readonly { readonly name?: string; readonly message?: unknown; readonly timestamp?: number }[];
}

export type LogLine = { readonly event: string; readonly level?: string } & Record<string, unknown>;

/** The router's structured lines in one tail event (and uncaught exceptions, always), with their time. */
export function linesOf(event: unknown, all: boolean): { readonly atMs: number; readonly line: LogLine }[] {
  const e = event as TailEvent;
  const out: { atMs: number; line: LogLine }[] = [];
  for (const log of e.logs ?? []) {
    const first = log.message?.[0];
    if (typeof first !== "string" || !first.startsWith("{")) continue;
    let line: unknown;
    try {
      line = JSON.parse(first);
    } catch {
      continue;
    }
    if (typeof line !== "object" || line === null || typeof (line as LogLine).event !== "string") continue;
    if (!all && (line as LogLine).level !== "error") continue;
    out.push({ atMs: log.timestamp ?? e.eventTimestamp ?? 0, line: line as LogLine });
  }
  for (const x of e.exceptions ?? []) {
    out.push({ atMs: x.timestamp ?? e.eventTimestamp ?? 0, line: { event: "exception", level: "error", name: x.name ?? "Error", message: String(x.message) } });
  }
  return out;
}

/** One readable line, e.g. `2026-11-27T06:00:00Z error 502 origin-unreachable GET app.example.com/x pool=web origin=https://a 12ms retried id=...`. */
export function formatLine(atMs: number, line: LogLine): string {
  const time = new Date(atMs).toISOString().replace(/\.\d{3}Z$/, "Z");
  const level = line.level ?? "info";
  if (line.event === "request") {
    const parts = [time, level, String(line.status), line.error ?? "-", line.method, `${line.host}${line.path}`];
    if (line.pool !== null && line.pool !== undefined) parts.push(`pool=${line.pool}`);
    if (line.origin !== null && line.origin !== undefined) parts.push(`origin=${line.origin}`);
    parts.push(`${line.durationMs}ms`);
    if (line.retried) parts.push("retried");
    if (line.ejected) parts.push("ejected");
    parts.push(`id=${line.requestId}`);
    return parts.join(" ");
  }
  const { event, level: _level, ...rest } = line;
  const details = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  return [time, level, event, ...details].join(" ");
}

export interface TailProcess {
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exit: Promise<number>;
}

/** Runs wrangler with the Node that runs the CLI, its output piped here. */
export function runWranglerTail(args: readonly string[], io: Io): TailProcess {
  const bin = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: io.cwd,
    env: { ...io.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exit = new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
  return { stdout: child.stdout, stderr: child.stderr, exit };
}

export async function logsCommand(options: LogsOptions, io: Io, run: (args: readonly string[], io: Io) => TailProcess = runWranglerTail): Promise<number> {
  const tail = run(tailArgs(options), io);
  const splitter = new TailEventSplitter();
  tail.stdout.setEncoding("utf8");
  tail.stdout.on("data", (chunk: string) => {
    for (const event of splitter.push(chunk)) {
      for (const { atMs, line } of linesOf(event, options.all === true)) io.out(options.json ? JSON.stringify(line) : formatLine(atMs, line));
    }
  });
  // wrangler's own messages (login, connection) reach the user as they are.
  tail.stderr.setEncoding("utf8");
  tail.stderr.on("data", (chunk: string) => {
    for (const line of chunk.split("\n")) if (line.trim() !== "") io.err(line);
  });
  const code = await tail.exit;
  return code === 0 ? 0 : 2;
}
