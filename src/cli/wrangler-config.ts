// Where `wrangler dev` keeps the local KV namespace the Worker reads, found
// the way wrangler finds it, so the CLI reads and writes that storage in its
// own process (local-kv.ts) and `wrangler dev` sees what it wrote:
// - the config file: --config, else the nearest wrangler.json, wrangler.jsonc,
//   then wrangler.toml from the current directory up (wrangler's order);
// - the binding's namespace: under [env.NAME] with --env (kv_namespaces are
//   not inherited), its `preview_id ?? id ?? binding`, as `wrangler dev` binds it;
// - the storage: `--persist-to DIR` (relative to the current directory), else
//   `.wrangler/state` beside the config file; wrangler keeps v3 state below it.
// TOML is read here (loading wrangler itself takes seconds); JSON and JSONC
// configs are read with wrangler's own reader.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse as parseToml } from "smol-toml";
import { CliError } from "./output";
import type { KvTarget } from "./wrangler";

const CONFIG_NAMES = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"] as const;

export interface LocalNamespace {
  /** The namespace id the local storage is keyed by. */
  readonly id: string;
  /** wrangler's `defaultPersistRoot`: DIR/v3. */
  readonly persistRoot: string;
}

interface KvNamespaceEntry {
  readonly binding?: unknown;
  readonly id?: unknown;
  readonly preview_id?: unknown;
}

interface RawConfig {
  readonly kv_namespaces?: unknown;
  readonly env?: Record<string, { readonly kv_namespaces?: unknown } | undefined>;
}

export async function localNamespace(target: KvTarget, binding: string, cwd: string): Promise<LocalNamespace> {
  const configPath = target.config === undefined ? findConfig(cwd) : resolve(cwd, target.config);
  if (configPath === undefined) {
    throw new CliError(`no wrangler config (${CONFIG_NAMES.join(", ")}) in ${cwd} or above; run "edge-ingress init", or pass --config PATH`);
  }
  const namespaces = configPath.endsWith(".toml") ? tomlNamespaces(configPath, target.env) : await wranglerNamespaces(configPath, target.env);
  const entry = namespaces.find((ns) => ns.binding === binding);
  const where = `${configPath}${target.env === undefined ? "" : ` [env.${target.env}]`}`;
  if (!entry) throw new CliError(`no KV namespace with binding "${binding}" in ${where}: add one under kv_namespaces (README: Deploying)`);
  const id = [entry.preview_id, entry.id].find((v): v is string => typeof v === "string") ?? binding;
  const persist = target.persistTo === undefined ? join(dirname(configPath), ".wrangler/state") : resolve(cwd, target.persistTo);
  return { id, persistRoot: join(persist, "v3") };
}

/** Each name is looked for from `cwd` up before the next, as wrangler does. */
function findConfig(cwd: string): string | undefined {
  for (const name of CONFIG_NAMES) {
    for (let dir = resolve(cwd); ; dir = dirname(dir)) {
      if (existsSync(join(dir, name))) return join(dir, name);
      if (dirname(dir) === dir) break;
    }
  }
  return undefined;
}

function tomlNamespaces(path: string, env: string | undefined): KvNamespaceEntry[] {
  let raw: RawConfig;
  try {
    raw = parseToml(readFileSync(path, "utf8")) as RawConfig;
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message.split("\n")[0]}`);
  }
  if (env === undefined) return entries(raw.kv_namespaces);
  const section = raw.env?.[env];
  // wrangler would only warn and use the top level: writing there instead would be worse than stopping.
  if (section === undefined) throw new CliError(`no environment "${env}" in ${path}: add [env.${env}], or leave out --env`);
  return entries(section.kv_namespaces);
}

async function wranglerNamespaces(path: string, env: string | undefined): Promise<KvNamespaceEntry[]> {
  const { unstable_readConfig } = await import("wrangler");
  try {
    return entries(unstable_readConfig({ config: path, ...(env === undefined ? {} : { env }) }, { hideWarnings: true }).kv_namespaces);
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message.split("\n")[0]}`);
  }
}

function entries(value: unknown): KvNamespaceEntry[] {
  return Array.isArray(value) ? value.filter((v): v is KvNamespaceEntry => typeof v === "object" && v !== null) : [];
}
