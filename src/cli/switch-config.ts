// How apply and rollback change what is live. KV has no transactions and no
// compare-and-set, only writes that are atomic per key, so the switch is made
// of steps that each leave a safe state, with optimistic concurrency checks
// (as kubectl's resourceVersion, checked by hand):
//  1. write the history, the new entry first. Stopped here, the old config is
//     still active and the new one is only in the history, where rollback and
//     the next apply ignore it (history.ts, withActive);
//  2. re-read both keys: the active config must still be the one the diff was
//     made against, and the history the one just written. Else another apply
//     or rollback is running: stop (exit 3), putting the history back;
//  3. write the active config: the switch;
//  4. read both back: they must hold what was written;
//  5. write the health plan and the version key (publish.ts).
// The active value is written with its prepared form and digest
// (fast-stored.ts), so new isolates start without validating it again.
// What is left: a write by someone else between 2 and 3 (one wrangler run),
// and remotely, reads that KV's eventual consistency serves stale (README).
import { storedText } from "../core/config/fast-stored";
import { HISTORY_LENGTH, KV_KEYS, type StoredConfig } from "../core/config/stored";
import type { Config } from "../core/config/types";
import { parseHistoryText, parseStoredText, withActive } from "./history";
import type { ConfigState } from "./kv-state";
import { CliError, EXIT_CONFLICT, type Io } from "./output";
import { publishKeys } from "./publish";
import type { Kv } from "./wrangler";

export interface Switch {
  readonly command: "apply" | "rollback";
  /** What the diff was made against. */
  readonly seen: ConfigState;
  readonly config: StoredConfig;
  /** `config.config` as parsed: its prepared form and health plan are written too. */
  readonly parsed: Config;
  readonly history: readonly StoredConfig[];
}

const C = KV_KEYS.config;
const H = KV_KEYS.history;

export async function switchConfig(kv: Kv, change: Switch, io: Io): Promise<void> {
  const want = { config: (await storedText(change.config, change.parsed)).text, history: JSON.stringify(change.history) };
  const { seen, command } = change;
  const describe = describer(want, change);
  const version = change.config.version;

  await put(kv, H, want.history, io, describe);
  const [configNow, historyNow] = await getBoth(kv, `re-reading ${kv.where} before switching`, `${H} holds version ${version} first, but ${C} was not written: version ${version} is NOT active`);
  if (configNow !== seen.configText) {
    // Our history write may have replaced the other writer's: put it back.
    const putBack = historyNow === want.history ? await putBackHistory(kv, seen, configNow) : "";
    throw new CliError(
      `conflict: ${C} in ${kv.where} changed while this ${command} ran (${describeVersion(seen.configText)} when read, now ${describeVersion(configNow)}): ` +
        `another apply or rollback wrote it. Version ${version} was not made active${putBack}; ` +
        `run "edge-ingress ${command}" again to see the diff against what is there now`,
      EXIT_CONFLICT,
    );
  }
  if (historyNow !== want.history) {
    throw new CliError(
      `conflict: ${H} in ${kv.where} was rewritten by another apply or rollback while this one ran (now ${describe.history(historyNow)}). ` +
        `Version ${version} was not made active; run "edge-ingress ${command}" again once the other one has finished`,
      EXIT_CONFLICT,
    );
  }

  await put(kv, C, want.config, io, describe);
  const [configAfter, historyAfter] = await getBoth(kv, `reading ${kv.where} back`, `version ${version} was written; check with "edge-ingress status"`);
  if (configAfter !== want.config || historyAfter !== want.history) {
    const changed = [configAfter !== want.config ? `${C} now holds ${describe.config(configAfter)}` : "", historyAfter !== want.history ? `${H} now holds ${describe.history(historyAfter)}` : ""];
    throw new CliError(
      `conflict: version ${version} was made active, but another apply or rollback wrote ${kv.where} right after: ${changed.filter(Boolean).join("; ")}; check with "edge-ingress status"`,
      EXIT_CONFLICT,
    );
  }
  await publishKeys(kv, want.config, version, change.parsed, command);
}

/**
 * Undoes this command's history write after another writer switched: the
 * history as read, led by what is active now (what the other writer wrote,
 * when it read the same history).
 */
async function putBackHistory(kv: Kv, seen: ConfigState, configNow: string | undefined): Promise<string> {
  const active = parseStoredText(configNow).value;
  const history = active ? JSON.stringify(withActive(active, seen.history).slice(0, HISTORY_LENGTH)) : (seen.historyText ?? "[]");
  try {
    await kv.put(H, history);
    return ` and ${H} was put back, led by the active version`;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return `, and putting ${H} back failed (${error.message})`;
  }
}

type Describer = ReturnType<typeof describer>;

/** Words for what a key holds, relative to what this command read and wrote. */
function describer(want: { config: string; history: string }, change: Switch) {
  const { command, seen } = change;
  return {
    config(text: string | undefined): string {
      if (text === want.config) return `${describeVersion(text)} (written by this ${command})`;
      return `${describeVersion(text)}, ${text === seen.configText ? `as before this ${command}` : "written by someone else"}`;
    },
    /** Whether the new version is active, given what the active key holds. */
    outcome(text: string | undefined): string {
      if (text === want.config) return `version ${change.config.version} is active`;
      const holds = describeVersion(text);
      return text === seen.configText
        ? `version ${change.config.version} is NOT active, ${C} still holds ${holds}: run the command again`
        : `version ${change.config.version} is NOT active, ${C} holds ${holds}, written by someone else: check with "edge-ingress status"`;
    },
    history(text: string | undefined): string {
      if (text === undefined) return "nothing";
      const versions = parseHistoryText(text).value.map((entry) => entry.version);
      const list = versions.length === 0 ? "no versions" : `versions ${versions.join(", ")}`;
      if (text === want.history) return `${list} (written by this ${command})`;
      return `${list}, ${text === seen.historyText ? `as before this ${command}` : "written by someone else"}`;
    },
  };
}

function describeVersion(text: string | undefined): string {
  if (text === undefined) return "nothing";
  const stored = parseStoredText(text).value;
  return stored ? `version ${stored.version}` : "a value that is not a stored config";
}

/**
 * One write. When wrangler fails (or times out) the key is read back: a
 * write that went through anyway counts as done; otherwise what each key
 * holds is printed and the failure says whether the new version is active.
 */
async function put(kv: Kv, key: string, value: string, io: Io, describe: Describer): Promise<void> {
  try {
    await kv.put(key, value);
    return;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    let config: string | undefined;
    let history: string | undefined;
    try {
      [config, history] = await kv.getMany([C, H]);
    } catch (readError) {
      throw new CliError(`writing ${key} failed: ${error.message}; reading KV back failed too (${(readError as Error).message}): check with "edge-ingress status"`, error.exitCode);
    }
    if ((key === C ? config : history) === value) {
      io.err(`note: writing ${key} reported a failure (${error.message}), but KV holds the new value`);
      return;
    }
    io.err(`what ${kv.where} holds now:`);
    io.err(`  ${C}: ${describe.config(config)}`);
    io.err(`  ${H}: ${describe.history(history)}`);
    throw new CliError(`writing ${key} failed: ${error.message}; ${describe.outcome(config)}`, error.exitCode);
  }
}

async function getBoth(kv: Kv, doing: string, state: string): Promise<(string | undefined)[]> {
  try {
    return await kv.getMany([C, H]);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    throw new CliError(`${doing} failed: ${error.message}; ${state}`, error.exitCode);
  }
}
