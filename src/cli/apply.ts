// `edge-ingress apply FILE...`: validate, diff against the config in KV, then
// switch to the new one (switch-config.ts: the history first, then the active
// key, with a re-check between and a read-back after). An invalid config never
// reaches wrangler, so KV stays exactly as it was.
import { storedText } from "../core/config/fast-stored";
import { parseConfig } from "../core/config/parse";
import { KV_KEYS, STORED_FORMAT, type StoredConfig } from "../core/config/stored";
import type { Config } from "../core/config/types";
import { redactStoredConfig } from "./credentials";
import { diffConfigs } from "./diff";
import { pushHistory, refuseNewerFormat } from "./history";
import { EMPTY_STATE, openKv, readConfigState, type ConfigState, type KvDeps, type KvFlags } from "./kv-state";
import { loadConfigFiles, type LoadOptions } from "./load";
import { CliError, EXIT_INVALID, type Io } from "./output";
import { keysPublished, publishKeys, reportRepaired } from "./publish";
import { switchConfig } from "./switch-config";
import { reportLoaded, summarize } from "./validate";
import { configVersion } from "./version";
import type { Kv } from "./wrangler";

export interface ApplyOptions extends LoadOptions, KvFlags {
  readonly dryRun?: boolean;
  /** Overwrite an active value written in a newer format than this CLI writes. */
  readonly force?: boolean;
}

export async function applyCommand(files: readonly string[], options: ApplyOptions, io: Io, deps: KvDeps = {}): Promise<number> {
  const loaded = await loadConfigFiles(files, io, options);
  const config = reportLoaded(loaded, io, "KV was not changed");
  if (!config) return EXIT_INVALID;

  const version = configVersion(loaded.document);
  const kv = (deps.open ?? openKv)(options, io);
  // With --dry-run, stdout carries only the JSON of the writes.
  const say = options.dryRun ? io.err : io.out;
  const seen = await readState(kv, io, options.dryRun === true);
  const { current } = seen;
  refuseNewerFormat(current, kv.where, options.force);
  if (seen !== EMPTY_STATE) say(current ? `active in ${kv.where}: version ${current.version} (applied ${current.appliedAt})` : `${kv.where} holds no config yet`);
  const rewrite = current?.version === version ? await storedOtherwise(current, seen.configText) : undefined;
  if (current?.version === version && !rewrite) {
    if (!options.dryRun && !(await keysPublished(kv, seen.configText, version))) {
      await publishKeys(kv, seen.configText!, version, config);
      reportRepaired(io, version);
      return 0;
    }
    say(`version ${version} is already active; nothing ${options.dryRun ? "would be" : "was"} written`);
    if (options.dryRun) io.out("[]");
    return 0;
  }
  if (rewrite) {
    say(`version ${version} is already active, stored otherwise than this edge-ingress stores it (by another version, or by hand): ${options.dryRun ? "would write" : "writing"} it again, unchanged, with this version's prepared form`);
  } else {
    say(`new version ${version}: ${summarize(config)}`);
    for (const line of diffConfigs(activeConfig(current, io), config)) say(`  ${line}`);
  }

  const entry: StoredConfig = rewrite?.stored ?? { format: STORED_FORMAT, version, appliedAt: new Date(deps.nowMs?.() ?? Date.now()).toISOString(), config: loaded.document };
  const history = rewrite ? seen.history : pushHistory(entry, current, seen.history, seen.versionKey?.version);
  if (options.dryRun) {
    // Printed in the order apply writes them, not written: plain-text
    // credentials are redacted (secret references are names only).
    const [shownEntry, entryRedacted] = redactStoredConfig(entry);
    const shownHistory = history.map((h) => redactStoredConfig(h));
    const redacted = entryRedacted || shownHistory.some(([, r]) => r);
    const shown = [
      { key: KV_KEYS.history, value: shownHistory.map(([h]) => h) },
      { key: KV_KEYS.config, value: shownEntry },
    ];
    io.out(JSON.stringify(shown, null, 2));
    if (redacted) io.err("dry run: values of credential headers are shown as <redacted, N chars>; the real values would be written");
    io.err(`dry run: apply writes ${KV_KEYS.config} with a digest and a prepared form of the config beside it, then ${KV_KEYS.healthPlan} and ${KV_KEYS.version} (both derived from it)`);
    io.err("dry run: nothing was written");
    return 0;
  }
  await switchConfig(kv, { command: "apply", seen, config: entry, parsed: rewrite?.parsed ?? config, history }, io);
  io.out(rewrite ? `wrote version ${version} again to ${kv.where}` : `applied version ${version} to ${kv.where}`);
  return 0;
}

/**
 * The active version as this CLI would store it, when KV holds it otherwise
 * (written by an earlier edge-ingress, whose prepared form a new Worker does
 * not read, or by hand): `apply` writes it again, so that new isolates skip
 * validating it. Its own document is kept (the file's content, maybe in
 * another key order), with its own parse.
 */
async function storedOtherwise(current: StoredConfig, text: string | undefined): Promise<{ readonly stored: StoredConfig; readonly parsed: Config } | undefined> {
  const parsed = parseConfig(current.config);
  if (!parsed.ok) return undefined;
  const stored = { ...current, format: STORED_FORMAT };
  return (await storedText(stored, parsed.config)).text === text ? undefined : { stored, parsed: parsed.config };
}

/**
 * What KV holds. With --dry-run a KV that cannot be read (not logged in, no
 * network) is taken as empty, as `kubectl apply --dry-run=client` needs no
 * server: the writes are still printed, with a warning.
 */
async function readState(kv: Kv, io: Io, dryRun: boolean): Promise<ConfigState> {
  try {
    return await readConfigState(kv, io);
  } catch (error) {
    if (!dryRun || !(error instanceof CliError)) throw error;
    io.err(`warning: cannot read ${kv.where}: ${error.message}`);
    io.err("the diff below is against nothing, and the history shown holds only the new version (what KV holds already would follow it)");
    return EMPTY_STATE;
  }
}

/** The config in KV as the Worker reads it; undefined (diff against nothing) if absent or invalid. */
export function activeConfig(current: StoredConfig | undefined, io: Io): Config | undefined {
  if (!current) return undefined;
  // Read as the Worker reads it (lenient on probe headers), so the diff is against what serves.
  const parsed = parseConfig(current.config, { strictProbeHeaders: false });
  if (parsed.ok) return parsed.config;
  io.err(`warning: the active version ${current.version} does not validate (${parsed.problems[0]?.path}: ${parsed.problems[0]?.message}); the diff is against nothing`);
  return undefined;
}
