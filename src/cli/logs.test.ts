import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { formatLine, linesOf, logsCommand, tailArgs, TailEventSplitter, type TailProcess } from "./logs";
import type { Io } from "./output";

const at = Date.UTC(2026, 10, 27, 6, 0, 5);
const errorLine = {
  level: "error", event: "request", requestId: "r-1", method: "GET", host: "app.example.com", path: "/x",
  rule: "rules[0].http.paths[0]", pool: "web", origin: "https://web-1.example.net", status: 502, durationMs: 12, retried: true, ejected: true, error: "origin-unreachable",
};
const okLine = { ...errorLine, level: "info", requestId: "r-2", status: 200, error: null, retried: false, ejected: false };

/** A tail event as `wrangler tail --format json` prints it (JSON.stringify with 4 spaces, one console.log each). */
function printed(logs: unknown[], exceptions: unknown[] = []): string {
  const event = {
    outcome: "ok", scriptName: "edge-ingress", exceptions, eventTimestamp: at,
    logs: logs.map((l) => ({ message: [typeof l === "string" ? l : JSON.stringify(l)], level: "log", timestamp: at })),
    event: { request: { url: "https://app.example.com/x", method: "GET", headers: {} } },
  };
  return `${JSON.stringify(event, null, 4)}\n`;
}

describe("edge-ingress logs", () => {
  it("runs wrangler tail as JSON, filtered to error lines unless --all", () => {
    expect(tailArgs({})).toEqual(["tail", "--format", "json", "--search", '"level":"error"']);
    expect(tailArgs({ all: true, env: "production", config: "ops/wrangler.toml" })).toEqual(["tail", "--format", "json", "--env", "production", "--config", "ops/wrangler.toml"]);
  });

  it("splits wrangler's stream into events whatever the chunking, skipping notices", () => {
    const stream = `Successfully created tail\n${printed([errorLine])}${printed([okLine, "plain text"])}`;
    for (const size of [1, 7, 64, stream.length]) {
      const splitter = new TailEventSplitter();
      const events: unknown[] = [];
      for (let i = 0; i < stream.length; i += size) events.push(...splitter.push(stream.slice(i, i + size)));
      expect(events, `chunks of ${size}`).toHaveLength(2);
    }
  });

  it("keeps the router's error lines and uncaught exceptions, and everything with --all", () => {
    const event = JSON.parse(printed([errorLine, okLine, "not json", { no: "event" }], [{ name: "TypeError", message: "boom", timestamp: at }]));
    expect(linesOf(event, false).map((l) => l.line.event)).toEqual(["request", "exception"]);
    expect(linesOf(event, true).map((l) => l.line.requestId ?? l.line.event)).toEqual(["r-1", "r-2", "exception"]);
  });

  it("prints one readable line per log line", () => {
    expect(formatLine(at, errorLine)).toBe(
      "2026-11-27T06:00:05Z error 502 origin-unreachable GET app.example.com/x pool=web origin=https://web-1.example.net 12ms retried ejected id=r-1",
    );
    expect(formatLine(at, { level: "error", event: "alert.failed", pool: "web", status: 500 })).toBe("2026-11-27T06:00:05Z error alert.failed pool=web status=500");
  });

  it("follows the tail to its end and passes wrangler's own messages on", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), cwd: ".", env: {} };
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let args: readonly string[] = [];
    let finish!: (code: number) => void;
    const fake = (a: readonly string[]): TailProcess => {
      args = a;
      return { stdout, stderr, exit: new Promise((resolve) => (finish = resolve)) };
    };
    const running = logsCommand({ json: true }, io, fake);
    stderr.write("You are not authenticated. Please run `wrangler login`.\n");
    stdout.write(printed([errorLine, okLine]));
    await new Promise((r) => setImmediate(r));
    finish(1);
    expect(await running).toBe(2);
    expect(args).toContain("--search");
    expect(out.map((l) => JSON.parse(l).requestId)).toEqual(["r-1"]);
    expect(err).toEqual(["You are not authenticated. Please run `wrangler login`."]);
  });
});
