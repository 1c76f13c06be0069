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

export interface KvTarget {
  /** Local storage (as `wrangler dev`), else the remote namespace on Cloudflare. */
  readonly local: boolean;
  readonly persistTo?: string;
  readonly env?: string;
  /** Path to wrangler.toml, when not ./wrangler.toml. */
  readonly config?: string;
}

export interface KvEntry {
  readonly key: string;
  readonly value: string;
}

export interface Kv {
  /** The value as stored (bytes decoded as UTF-8), or undefined when the key is absent. */
  get(key: string): Promise<string | undefined>;
  /**
   * Several keys: side by side for the remote namespace, one after the other
   * locally (two local wrangler runs at once fail to start their runtime).
   */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** Writes every entry in ONE `wrangler kv bulk put`. */
  putAll(entries: readonly KvEntry[]): Promise<void>;
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
    const run = await runWrangler(["kv", "key", "get", key, ...common], io);
    const text = run.stdout.toString("utf8");
    return target.local && text === LOCAL_NOT_FOUND ? undefined : text;
  };
  return {
    where,
    get,
    async getMany(keys) {
      if (!target.local) return Promise.all(keys.map(get));
      const values: (string | undefined)[] = [];
      for (const key of keys) values.push(await get(key));
      return values;
    },
    async putAll(entries) {
      const dir = await mkdtemp(join(tmpdir(), "edge-ingress-"));
      try {
        const file = join(dir, "bulk.json");
        await writeFile(file, JSON.stringify(entries), { mode: 0o600 });
        await runWrangler(["kv", "bulk", "put", file, ...common], io);
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
async function runWrangler(args: readonly string[], io: Io): Promise<WranglerRun> {
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
  const stdout = Buffer.concat(out);
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
