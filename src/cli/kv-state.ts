// Reading what the CLI keeps in KV (the active config, its history, the health
// state), and turning the command-line flags into a target: local storage in
// this process (local-kv.ts), the remote namespace through wrangler.
import { AsyncLocalStorage } from "node:async_hooks";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { readVersionKey, type VersionKey } from "../core/config/published";
import { KV_KEYS, type StoredConfig } from "../core/config/stored";
import { activeKnownOf, parseHistoryText, parseStoredText, type ActiveKnown } from "./history";
import { CliError, type Io } from "./output";
import { localKv, type ClosableKv } from "./local-kv";
import { KV_BINDING, wranglerKv, type Kv, type KvTarget } from "./wrangler";

/** The flags every KV command takes. */
export interface KvFlags {
  readonly local?: boolean;
  readonly persistTo?: string;
  readonly env?: string;
  readonly config?: string;
}

/** What KV commands take besides their flags; tests pass an in-memory Kv and a fixed clock. */
export interface KvDeps {
  readonly open?: (flags: KvFlags, io: Io) => Kv;
  readonly nowMs?: () => number;
}

/** `--persist-to` only means something for local storage, so it implies `--local`. */
export function openKv(flags: KvFlags, io: Io): Kv {
  if (flags.config !== undefined && !existsSync(resolve(io.cwd, flags.config))) {
    throw new CliError(`no wrangler config at ${flags.config}; pass --config PATH to your wrangler.toml`);
  }
  const target: KvTarget = {
    local: flags.local === true || flags.persistTo !== undefined,
    ...(flags.persistTo === undefined ? {} : { persistTo: flags.persistTo }),
    ...(flags.env === undefined ? {} : { env: flags.env }),
    ...(flags.config === undefined ? {} : { config: flags.config }),
  };
  if (!target.local) return wranglerKv(target, io);
  const kv = localKv(target, KV_BINDING, io.cwd);
  (commandScope.getStore() ?? unscoped).add(kv);
  return kv;
}

/**
 * The local stores a command opened (each runs a Miniflare), closed when it is
 * done: runCli runs each command in a scope of its own, so commands running
 * side by side in one process (tests) close only their own.
 */
const commandScope = new AsyncLocalStorage<Set<ClosableKv>>();
/** Stores opened outside runCli (tests calling a command directly). */
const unscoped = new Set<ClosableKv>();

export async function withKvScope<T>(run: () => Promise<T>): Promise<T> {
  const opened = new Set<ClosableKv>();
  try {
    return await commandScope.run(opened, run);
  } finally {
    await Promise.all([...opened].map((kv) => kv.close()));
  }
}

/** Closes the stores opened outside runCli. */
export async function closeUnscopedKvs(): Promise<void> {
  const all = [...unscoped];
  unscoped.clear();
  await Promise.all(all.map((kv) => kv.close()));
}

export interface ConfigState {
  readonly current?: StoredConfig;
  readonly history: readonly StoredConfig[];
  /** The version key (published.ts): the last version apply or rollback made active, and the digest of its value. */
  readonly versionKey?: VersionKey;
  /** The two values exactly as read (undefined when absent): what apply and rollback re-check before switching. */
  readonly configText: string | undefined;
  readonly historyText: string | undefined;
}

/** The state of a KV that holds nothing yet. */
export const EMPTY_STATE: ConfigState = { history: [], configText: undefined, historyText: undefined };

/** Reads the active config, the history and the version key; warns about malformed values. */
export async function readConfigState(kv: Kv, io: Io): Promise<ConfigState> {
  const [configText, historyText, versionText] = await kv.getMany([KV_KEYS.config, KV_KEYS.history, KV_KEYS.version]);
  const current = parseStoredText(configText);
  const history = parseHistoryText(historyText);
  const versionKey = readVersionKey(versionText);
  if (current.problem) io.err(`warning: ${KV_KEYS.config} in ${kv.where} ${current.problem}`);
  if (history.problem) io.err(`warning: ${KV_KEYS.history} in ${kv.where} ${history.problem}`);
  return { ...(current.value ? { current: current.value } : {}), history: history.value, ...(versionKey ? { versionKey } : {}), configText, historyText };
}

/** What apply and rollback know of the active key besides its config (history.ts). */
export function activeKnown(seen: ConfigState): ActiveKnown {
  return activeKnownOf(seen.configText, seen.current, seen.versionKey?.version);
}
