// `edge-ingress rollback`: the version before the active one becomes active
// again (its entry moves to the head of the history and the active one is
// dropped), switched as apply switches (switch-config.ts).
import { parseStoredValue } from "../core/config/stored";
import { activeConfig } from "./apply";
import { diffConfigs } from "./diff";
import { planRollback, refuseNewerFormat } from "./history";
import { openKv, readConfigState, type KvDeps, type KvFlags } from "./kv-state";
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
  const plan = planRollback(seen.current, seen.history, new Date(deps.nowMs?.() ?? Date.now()).toISOString());
  if (!plan.ok) throw new CliError(`nothing to roll back to in ${kv.where}: ${plan.reason}`);

  // A stored version, judged as the Worker judges it (its format, and lenient on probe headers).
  const target = parseStoredValue(plan.to);
  if (!target.ok) {
    const first = target.problems[0];
    throw new CliError(`version ${plan.to.version} in the history cannot be restored (${first?.path}: ${first?.message}); apply a fixed config instead`, EXIT_INVALID);
  }
  io.out(`rolling back ${kv.where} from version ${plan.from?.version ?? "(none)"} to ${plan.to.version}`);
  for (const line of diffConfigs(activeConfig(plan.from, io), target.config)) io.out(`  ${line}`);
  await switchConfig(kv, { command: "rollback", seen, config: plan.to, parsed: target.config, history: plan.history }, io);
  io.out(`rolled back to version ${plan.to.version}`);
  return 0;
}
