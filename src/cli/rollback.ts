// `edge-ingress rollback`: the version before the active one becomes active
// again (its entry moves to the head of the history and the active one is
// dropped), switched as apply switches (switch-config.ts). From an active
// value that cannot be read, the last version made active becomes active
// again, and no version made active leaves the history.
import { claimedDigest } from "../core/config/fast-stored";
import { KV_KEYS, parseStoredValue } from "../core/config/stored";
import { activeConfig } from "./apply";
import { diffConfigs } from "./diff";
import { planRollback, refuseNewerFormat, type RollbackPlan } from "./history";
import { activeKnown, openKv, readConfigState, type ConfigState, type KvDeps, type KvFlags } from "./kv-state";
import { CliError, EXIT_INVALID, type Io } from "./output";
import { switchConfig } from "./switch-config";

export interface RollbackOptions extends KvFlags {
  /** Replace an active value written in a newer format than this CLI writes. */
  readonly force?: boolean;
}

export async function rollbackCommand(options: RollbackOptions, io: Io, deps: KvDeps = {}): Promise<number> {
  const kv = (deps.open ?? openKv)(options, io);
  const seen = await readConfigState(kv, io);
  refuseNewerFormat(seen.current, kv.where, options.force);
  const plan = planRollback(seen.current, seen.history, new Date(deps.nowMs?.() ?? Date.now()).toISOString(), activeKnown(seen));
  if (!plan.ok) throw new CliError(`nothing to roll back to in ${kv.where}: ${plan.reason}`);

  // A stored version, judged as the Worker judges it (its format, and lenient on probe headers).
  const target = parseStoredValue(plan.to);
  if (!target.ok) {
    const first = target.problems[0];
    throw new CliError(`version ${plan.to.version} in the history cannot be restored (${first?.path}: ${first?.message}); apply a fixed config instead`, EXIT_INVALID);
  }
  io.out(`rolling back ${kv.where} from ${describeFrom(plan, seen)} to ${plan.to.version}`);
  for (const line of diffConfigs(activeConfig(plan.from, io), target.config)) io.out(`  ${line}`);
  await switchConfig(kv, { command: "rollback", seen, config: plan.to, parsed: target.config, history: plan.history }, io);
  io.out(`rolled back to version ${plan.to.version}`);
  return 0;
}

/** What is rolled back from: a version, or what is known of an active value that cannot be read (why it cannot is warned about above). */
function describeFrom(plan: Extract<RollbackPlan, { ok: true }>, seen: ConfigState): string {
  if (plan.from) return `version ${plan.from.version}`;
  if (!activeKnown(seen).unreadable) return "(none)";
  const key = seen.versionKey;
  if (!key) return `a value that cannot be read (no ${KV_KEYS.version} says which version apply or rollback made active last)`;
  const last = `version ${key.version}, the last one apply or rollback made active`;
  // A digest names the exact value apply wrote ("" when it wrote none).
  if (key.digest === "") return `a value that cannot be read (after ${last})`;
  return claimedDigest(seen.configText!) === key.digest
    ? `a value that cannot be read (it still begins with the digest of ${last})`
    : `a value that cannot be read (not the one written for ${last})`;
}
