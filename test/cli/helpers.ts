// Plumbing for the CLI tests: run the CLI in-process or through its bin,
// run `wrangler dev` on free ports against a temporary local KV, read KV with
// wrangler directly (independently of the CLI's own code), and send requests
// with a Host header (Node's fetch cannot set one).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../../src/cli/main";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const WRANGLER_TOML = join(ROOT, "wrangler.toml");
const WRANGLER = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
const ENV = { ...process.env, WRANGLER_SEND_METRICS: "false" };

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in this process (no tsx start-up), as `edge-ingress ...argv` would from `cwd`. */
export async function cli(argv: readonly string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    cwd: options.cwd ?? ROOT,
    env: options.env ?? ENV,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

/** Runs `node bin/edge-ingress.mjs ...argv`: the command as users run it (the bundle in dist/cli). */
export function bin(argv: readonly string[], cwd = ROOT, script = join(ROOT, "bin/edge-ingress.mjs")): Promise<CliRun> {
  return capture(spawn(process.execPath, [script, ...argv], { cwd, env: ENV, stdio: ["ignore", "pipe", "pipe"] }));
}

/** `wrangler kv key get KEY` against local storage, raw bytes as UTF-8; undefined when absent. */
export async function kvGet(key: string, persistTo: string): Promise<string | undefined> {
  const run = await capture(
    spawn(process.execPath, [WRANGLER, "kv", "key", "get", key, "--binding", "INGRESS_KV", "--local", "--persist-to", persistTo, "--config", WRANGLER_TOML], {
      cwd: ROOT,
      env: ENV,
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  if (run.code !== 0) throw new Error(`wrangler kv key get failed: ${run.stderr}`);
  return run.stdout === "Value not found\n" ? undefined : run.stdout;
}

/** `wrangler kv key put KEY --path FILE` against local storage, independently of the CLI's own code. */
export async function kvPut(key: string, value: string, persistTo: string): Promise<void> {
  const file = join(await tempDir("edge-ingress-value-"), "value");
  await writeFile(file, value);
  const run = await capture(
    spawn(process.execPath, [WRANGLER, "kv", "key", "put", key, "--path", file, "--binding", "INGRESS_KV", "--local", "--persist-to", persistTo, "--config", WRANGLER_TOML], {
      cwd: ROOT,
      env: ENV,
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  if (run.code !== 0) throw new Error(`wrangler kv key put failed: ${run.stderr}`);
}

function capture(child: ChildProcess): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const created: string[] = [];

export async function tempDir(prefix = "edge-ingress-cli-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every directory tempDir made in this test file. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Writes files (name -> text) into dir; returns their paths by name. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<Record<string, string>> {
  const paths: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    paths[name] = join(dir, name);
    await writeFile(paths[name]!, text);
  }
  return paths;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** GET with a Host header, as a client of the Worker sends it. */
export function get(port: number, host: string, path: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    // A connection per request, never a kept-alive one (test/support/worker.ts says why).
    const req = request({ host: "127.0.0.1", port, path, method: "GET", headers: { host }, timeout: 10_000, agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`GET http://${host}${path} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/** The `origin` name an origin from test/support/origins.ts answered with, or the status when no origin did. */
export async function whoAnswers(port: number, host: string, path: string): Promise<string> {
  const answer = await get(port, host, path);
  if (answer.status !== 200) return String(answer.status);
  return (JSON.parse(answer.body) as { origin: string }).origin;
}

export interface WranglerDev {
  readonly port: number;
  /** What wrangler dev printed, for failure messages. */
  readonly output: () => string;
  stop(): Promise<void>;
}

/** `wrangler dev` on free ports of 127.0.0.1, reading KV from `persistTo` on every request, with more `vars` (secrets too). Bounded wait. */
export async function startWranglerDev(persistTo: string, readyWithinMs = 45_000, vars: Readonly<Record<string, string>> = {}): Promise<WranglerDev> {
  const port = await freePort();
  const inspectorPort = await freePort();
  // Its own process group, so stop() ends wrangler and the workerd it runs.
  const child = spawn(
    process.execPath,
    [WRANGLER, "dev", "--config", WRANGLER_TOML, "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort),
      "--persist-to", persistTo, "--var", "CONFIG_CACHE_TTL_SECONDS:0", ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`])],
    { cwd: ROOT, env: ENV, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const dev: WranglerDev = {
    port,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      process.kill(-child.pid, "SIGTERM");
      const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(-child.pid, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + readyWithinMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output}`);
    // Any answer (503 before a config is applied) means the Worker is serving.
    const answered = await get(port, "ready.test", "/").then(() => true, () => false);
    if (answered) return dev;
    await new Promise((r) => setTimeout(r, 250));
  }
  await dev.stop();
  throw new Error(`wrangler dev did not serve within ${readyWithinMs} ms:\n${output}`);
}
