// The one place that runs wrangler. Every KV read and write of the CLI goes
// through `wrangler kv ...` with the binding from wrangler.toml, so it uses the
// user's own login, account and config, locally (`--local`, `--persist-to`,
// as `wrangler dev` reads them) or against Cloudflare (`--remote`, passed
// explicitly: wrangler 4 defaults to local storage).
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CliError, type Io } from "./output";
import { explainWranglerFailure } from "./wrangler-errors";

export const KV_BINDING = "INGRESS_KV";
/** wrangler kv prints this (to stdout, exit 0) for a missing key in local storage. */
const LOCAL_NOT_FOUND = "Value not found\n";
const TIMEOUT_MS = 120_000;
/**
 * Two local wrangler runs on the same storage at once: one may fail to start
 * its runtime because the SQLite file is locked, or get a 500 from the local
 * KV. Running it again is safe: a read changes nothing, and a write puts the
 * same value (apply re-reads what it wrote anyway).
 */
const LOCAL_STORAGE_BUSY = /SQLITE_BUSY|database is locked|KV (?:GET|PUT) failed: 5\d\d/;
const BUSY_RETRIES = 8;

export interface KvTarget {
  /** Local storage (as `wrangler dev`), else the remote namespace on Cloudflare. */
  readonly local: boolean;
  readonly persistTo?: string;
  readonly env?: string;
  /** Path to wrangler.toml, when not ./wrangler.toml. */
  readonly config?: string;
}

export interface Kv {
  /** The value as stored (bytes decoded as UTF-8), or undefined when the key is absent. */
  get(key: string): Promise<string | undefined>;
  /** Several keys, side by side (locally, runs that find the storage locked are retried). */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** Writes one key (`wrangler kv key put --path`); KV writes are atomic per key. */
  put(key: string, value: string): Promise<void>;
  /** "local storage in .wrangler/state" or "the remote namespace", for messages. */
  readonly where: string;
}

export function wranglerKv(target: KvTarget, io: Io): Kv {
  const common = [
    "--binding", KV_BINDING,
    target.local ? "--local" : "--remote",
    ...(target.persistTo === undefined ? [] : ["--persist-to", target.persistTo]),
    ...(target.env === undefined ? [] : ["--env", target.env]),
    ...(target.config === undefined ? [] : ["--config", target.config]),
  ];
  const where = target.local
    ? `local storage${target.persistTo === undefined ? "" : ` in ${target.persistTo}`}`
    : `the remote namespace${target.env === undefined ? "" : ` (env ${target.env})`}`;
  const get = async (key: string) => {
    const run = await runWrangler(["kv", "key", "get", key, ...common], io, target.local);
    const text = run.stdout.toString("utf8");
    return target.local && text === LOCAL_NOT_FOUND ? undefined : text;
  };
  return {
    where,
    get,
    async getMany(keys) {
      // Every run is awaited, even after one fails: a wrangler left running
      // after the CLI exits writes into closed pipes.
      const results = await Promise.allSettled(keys.map(get));
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
      return results.map((r) => (r as PromiseFulfilledResult<string | undefined>).value);
    },
    async put(key, value) {
      // Through a file: a value may be far longer than a command line may be.
      const dir = await mkdtemp(join(tmpdir(), "edge-ingress-"));
      try {
        const file = join(dir, "value.json");
        await writeFile(file, value, { mode: 0o600 });
        await runWrangler(["kv", "key", "put", key, "--path", file, ...common], io, target.local);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

interface WranglerRun {
  readonly stdout: Buffer;
  readonly stderr: string;
}

/**
 * Runs wrangler with the Node that runs the CLI. A failure becomes one
 * CliError line saying what to do (see wrangler-errors.ts).
 */
async function runWrangler(args: readonly string[], io: Io, local: boolean): Promise<WranglerRun> {
  for (let attempt = 1; ; attempt++) {
    const run = await runWranglerOnce(args, io);
    const busy = local && run.code !== 0 && LOCAL_STORAGE_BUSY.test(stripAnsi(run.stderr + run.stdout.toString("utf8")));
    if (!busy || attempt > BUSY_RETRIES) return checked(args, run);
    // Random back-off, so two waiting runs do not collide again.
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.random() * 400));
  }
}

interface RawRun extends WranglerRun {
  /** null when it was killed at the timeout. */
  readonly code: number | null;
}

async function runWranglerOnce(args: readonly string[], io: Io): Promise<RawRun> {
  const bin = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: io.cwd,
    env: { ...io.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const timer = setTimeout(() => child.kill("SIGTERM"), TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (exitCode) => resolve(exitCode));
  }).finally(() => clearTimeout(timer));
  return { code, stdout: Buffer.concat(out), stderr };
}

/** A failed run becomes one CliError line; a successful one is returned. */
function checked(args: readonly string[], { code, stdout, stderr }: RawRun): WranglerRun {
  const command = `wrangler ${args.slice(0, 3).join(" ")}`;
  if (code === null) throw new CliError(`${command} did not finish within ${TIMEOUT_MS / 1000} s; check your network, or use --local`);
  // wrangler only warns about an unknown --env and then uses the top-level
  // namespace: writing there instead would be worse than stopping.
  const failure = explainWranglerFailure(stripAnsi(`${stderr}\n${code === 0 ? "" : stdout.toString("utf8")}`), code === 0);
  if (failure) throw new CliError(failure);
  if (code !== 0) throw new CliError(`${command} failed (exit code ${code}) without saying why`);
  return { stdout, stderr };
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}
