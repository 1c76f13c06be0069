// The one place that runs wrangler. The remote namespace is read and written
// through `wrangler kv ...` with the binding from wrangler.toml (`--remote`,
// passed explicitly: wrangler 4 defaults to local storage), so it uses the
// user's own login, token and account; each read of several keys is one
// `wrangler kv bulk get`. Local storage is read in process (local-kv.ts).
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CliError, type Io } from "./output";
import { explainWranglerFailure } from "./wrangler-errors";

export const KV_BINDING = "INGRESS_KV";
const TIMEOUT_MS = 120_000;

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
  /** Several keys in one read (remotely, one `wrangler kv bulk get`). */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** Writes one key; KV writes are atomic per key. */
  put(key: string, value: string): Promise<void>;
  /** "local storage in .wrangler/state" or "the remote namespace", for messages. */
  readonly where: string;
}

/** The remote namespace through wrangler. */
export function wranglerKv(target: KvTarget, io: Io): Kv {
  const common = [
    "--binding", KV_BINDING,
    "--remote",
    ...(target.env === undefined ? [] : ["--env", target.env]),
    ...(target.config === undefined ? [] : ["--config", target.config]),
  ];
  const getMany = async (keys: readonly string[]) => {
    const run = await withFile(JSON.stringify(keys), (file) => runWrangler(["kv", "bulk", "get", file, ...common], io));
    return parseBulkGet(run.stdout.toString("utf8"), keys);
  };
  return {
    where: `the remote namespace${target.env === undefined ? "" : ` (env ${target.env})`}`,
    getMany,
    get: async (key) => (await getMany([key]))[0],
    async put(key, value) {
      // Through a file: a value may be far longer than a command line may be.
      await withFile(value, (file) => runWrangler(["kv", "key", "put", key, "--path", file, ...common], io));
    },
  };
}

/**
 * `wrangler kv bulk get` prints a JSON object of key -> value (null when the
 * key is absent; `{value}` for local storage), then a line "Success!".
 */
export function parseBulkGet(stdout: string, keys: readonly string[]): (string | undefined)[] {
  const start = stdout.indexOf("{");
  const end = stdout.lastIndexOf("}");
  let values: unknown;
  try {
    values = JSON.parse(stdout.slice(start, end + 1));
  } catch {
    values = undefined;
  }
  if (start < 0 || typeof values !== "object" || values === null) {
    throw new CliError(`wrangler kv bulk get printed something else than the values: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  return keys.map((key) => {
    const entry = (values as Record<string, unknown>)[key];
    const value = typeof entry === "object" && entry !== null && "value" in entry ? entry.value : entry;
    if (value === null || value === undefined) return undefined;
    if (typeof value === "string") return value;
    throw new CliError(`wrangler kv bulk get gave ${key} as ${typeof value}, not text`);
  });
}

async function withFile<T>(content: string, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "edge-ingress-"));
  try {
    const file = join(dir, "value.json");
    await writeFile(file, content, { mode: 0o600 });
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
  return checked(args, await runWranglerOnce(args, io));
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
