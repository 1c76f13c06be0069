// The two small keys written after the active value (see
// src/core/config/published.ts): the health plan, then the version key. They
// are written after the switch, so a Worker never trusts them before the
// active value they describe is in place; one left behind by an apply that
// stopped half way only makes warm isolates and the cron run slower to see the
// new version, and the next apply (even of the same version) writes them again.
import { claimedDigest } from "../core/config/fast-stored";
import { healthPlanText, readHealthPlan, readVersionKey, versionKeyText } from "../core/config/published";
import { KV_KEYS } from "../core/config/stored";
import type { Config } from "../core/config/types";
import { CliError, type Io } from "./output";
import type { Kv } from "./wrangler";

/**
 * Writes the health plan and the version key for the active value `text`
 * (version `version`, parsed as `config`). `command` says what to run when
 * they could not be written: `apply` of the same version writes them again,
 * where `rollback` again would go back one more version.
 */
export async function publishKeys(kv: Kv, text: string, version: string, config: Config, command: "apply" | "rollback" = "apply"): Promise<void> {
  // A value without a prepared form has no digest: "" still names it apart from every digest a Worker serves.
  const digest = claimedDigest(text) ?? "";
  try {
    await kv.put(KV_KEYS.healthPlan, healthPlanText(version, digest, config.pools.values()));
    await kv.put(KV_KEYS.version, versionKeyText(version, digest));
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    // Which key is left behind decides what the cron run probes: with both still the previous version's, they agree with each other, and it probes that version's pools.
    const remedy = command === "apply"
      ? "run the same command again to write them"
      : `do not run rollback again for this (it would go back one more version): "edge-ingress apply" of version ${version}'s files writes them, and so does the next apply or rollback`;
    throw new CliError(
      `version ${version} is active, but writing ${KV_KEYS.healthPlan} and ${KV_KEYS.version} failed (${error.message}): ` +
        `new isolates serve it, warm ones within a few minutes, but until they are written the cron run may go on probing the pools of the version before; ${remedy}`,
      error.exitCode,
    );
  }
}

/**
 * Whether the version key describes the active value `text`, and the health
 * plan is one the cron run reads for it; when not, `apply` of the same
 * version writes both keys again (as the cron run's `health.plan_invalid`
 * line tells the user to).
 */
export async function keysPublished(kv: Kv, text: string | undefined, version: string): Promise<boolean> {
  if (text === undefined) return true;
  const [versionText, planText] = await kv.getMany([KV_KEYS.version, KV_KEYS.healthPlan]);
  const key = readVersionKey(versionText);
  if (key === undefined || key.version !== version || key.digest !== (claimedDigest(text) ?? "")) return false;
  return typeof readHealthPlan(planText, key) === "object";
}

/** Says so when apply repaired the keys. */
export function reportRepaired(io: Io, version: string): void {
  io.out(`wrote ${KV_KEYS.healthPlan} and ${KV_KEYS.version} for version ${version} (they did not describe it: an earlier apply or rollback stopped before writing them, or they were changed since)`);
}
