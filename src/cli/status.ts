// `edge-ingress status`: what the edge serves and the health of its origins.
// Which version a new isolate serves is decided by chooseServedConfig, the
// function the Worker decides with, so status says what the edge really does:
// the active version, or, when that does not validate, the version of the
// history new isolates fall back to (or their 503), and how to repair.
// `--json` gives the same facts for scripts. Exit code 1 when the active
// config does not validate, so monitoring can alert on it.
import { readVersionKey } from "../core/config/published";
import { chooseServedConfig, skippedVersions } from "../core/config/served";
import { KV_KEYS, parseStoredConfig, parseStoredValue } from "../core/config/stored";
import type { Config } from "../core/config/types";
import { decodeHealthSnapshot, splitOriginKey, type HealthSnapshot } from "../core/health";
import { describeOriginHealth, originHealth, type OriginHealth } from "../core/ops/origin-health";
import { activeKnownOf, parseHistoryText, parseStoredText, planRollback } from "./history";
import { openKv, type KvDeps, type KvFlags } from "./kv-state";
import { align, EXIT_INVALID, type Io } from "./output";

export interface StatusOptions extends KvFlags {
  readonly json?: boolean;
}

/** The same facts as the status page's origins (one function computes both). */
export interface OriginStatus extends OriginHealth {
  readonly url: string;
  readonly weight: number;
}

export interface PoolStatus {
  readonly name: string;
  readonly policy: string;
  readonly origins: readonly OriginStatus[];
}

export interface RepairStep {
  readonly command: string;
  readonly does: string;
}

export interface Status {
  readonly where: string;
  /** The active value in KV: missing, valid, or invalid (then `problems` says why). */
  readonly active: "missing" | "valid" | "invalid";
  readonly version: string | null;
  readonly appliedAt: string | null;
  readonly problems?: readonly string[];
  /** What a new isolate serves; null when it answers 503 (no-config). */
  readonly serving: { readonly version: string; readonly appliedAt: string; readonly from: "active" | "history" } | null;
  /** Set when new isolates fall back to the history: its versions not known to have been made active (ahead of the one the version key names), which they skip. */
  readonly neverActive?: readonly string[];
  /** The pools of the served version. */
  readonly pools: readonly PoolStatus[];
  readonly history: readonly { readonly version: string; readonly appliedAt: string }[];
  /** Set when the active value does not validate. */
  readonly repair?: readonly RepairStep[];
  /** The last changes between up and down the cron runs recorded, newest first (as on the status page). */
  readonly changes: readonly { readonly at: string; readonly pool: string; readonly origin: string; readonly to: "up" | "down"; readonly reason: string }[];
}

export async function statusCommand(options: StatusOptions, io: Io, deps: KvDeps = {}): Promise<number> {
  const kv = (deps.open ?? openKv)(options, io);
  const [configText, historyText, healthText, versionText] = await kv.getMany([KV_KEYS.config, KV_KEYS.history, KV_KEYS.health, KV_KEYS.version]);
  const status = buildStatus(kv.where, configText, historyText, healthText, versionText);
  if (options.json) io.out(JSON.stringify(status, null, 2));
  else for (const line of renderStatus(status)) io.out(line);
  return status.active === "invalid" ? EXIT_INVALID : 0;
}

export function buildStatus(where: string, configText?: string, historyText?: string, healthText?: string, versionText?: string): Status {
  const history = parseHistoryText(historyText).value;
  const envelope = parseStoredText(configText).value;
  const active = configText === undefined ? undefined : parseStoredConfig(configText);
  const lastActivated = readVersionKey(versionText)?.version;
  const choice = chooseServedConfig(active, historyText, lastActivated);
  const served = choice.source === "none" ? undefined : choice.served;
  const problems = active && !active.ok ? active.problems.map((p) => `${p.path}: ${p.message}`) : undefined;
  const health = readHealth(healthText);
  const changes = (health?.changes ?? []).map((c) => {
    const { pool, url } = splitOriginKey(c.key);
    return { at: new Date(c.atMs).toISOString(), pool, origin: url, to: c.up ? ("up" as const) : ("down" as const), reason: c.reason };
  });
  return {
    where,
    active: active === undefined ? "missing" : active.ok ? "valid" : "invalid",
    version: envelope?.version ?? null,
    appliedAt: envelope?.appliedAt ?? null,
    ...(problems ? { problems } : {}),
    serving: served ? { version: served.version, appliedAt: served.appliedAt, from: choice.source === "active" ? "active" : "history" } : null,
    ...skippedVersions(choice),
    pools: served ? poolStatuses(served.config, health) : [],
    history: history.map((h) => ({ version: h.version, appliedAt: h.appliedAt })),
    ...(problems ? { repair: repairSteps(configText, historyText, lastActivated) } : {}),
    changes,
  };
}

/** apply always repairs; rollback only when the version it would restore validates (else it refuses). */
function repairSteps(configText: string | undefined, historyText: string | undefined, lastActivated: string | undefined): RepairStep[] {
  const steps = [{ command: "edge-ingress apply FILE...", does: "makes a fixed config active" }];
  const current = parseStoredText(configText).value;
  const plan = planRollback(current, parseHistoryText(historyText).value, "", activeKnownOf(configText, current, lastActivated));
  if (plan.ok && parseStoredValue(plan.to).ok) {
    steps.push({ command: "edge-ingress rollback", does: `makes version ${plan.to.version} active again` });
  }
  return steps;
}

function readHealth(text: string | undefined): HealthSnapshot | undefined {
  return text === undefined ? undefined : decodeHealthSnapshot(text);
}

function poolStatuses(config: Config, health: HealthSnapshot | undefined): PoolStatus[] {
  return [...config.pools.values()].map((pool) => ({
    name: pool.name,
    policy: pool.policy,
    origins: pool.origins.map((o): OriginStatus => ({ url: o.url, weight: o.weight, ...originHealth(pool, o, health) })),
  }));
}

export function renderStatus(status: Status): string[] {
  if (status.active === "missing") return [`no config in ${status.where}; write one with "edge-ingress apply FILE..."`];
  const lines = [`${status.version === null ? "an active config without a version" : `version ${status.version}`}${status.appliedAt ? `, applied ${status.appliedAt}` : ""} (${status.where})`];
  if (status.problems) {
    const running = "isolates already running keep the config they were serving";
    lines.push("the active config does not validate:", ...status.problems.map((p) => `  ${p}`));
    lines.push(
      status.serving
        ? `new isolates serve version ${status.serving.version} (applied ${status.serving.appliedAt}) from ${KV_KEYS.history} instead; ${running}`
        : `no version in ${KV_KEYS.history} validates either: new isolates answer 503 (no-config); ${running}`,
    );
    if (status.neverActive) {
      const skipped = status.neverActive.length === 1 ? `version ${status.neverActive[0]}` : `versions ${status.neverActive.join(", ")}`;
      lines.push(`new isolates skip ${skipped}, first in ${KV_KEYS.history} but not known to have been made active: ${KV_KEYS.version} names an older one (an apply or rollback stopped before switching, or before writing that key)`);
    }
    lines.push(`repair: ${(status.repair ?? []).map((s) => `"${s.command}" (${s.does})`).join(", or ")}`);
  }
  const rows = [["POOL", "POLICY", "ORIGIN", "WEIGHT", "HEALTH"]];
  for (const pool of status.pools) {
    pool.origins.forEach((o, i) => {
      rows.push([i === 0 ? pool.name : "", i === 0 ? pool.policy : "", o.url, String(o.weight), describeOrigin(o)]);
    });
  }
  if (status.pools.length > 0) lines.push("", ...align(rows));
  if (status.changes.length > 0) {
    lines.push("", "recent health changes (newest first):");
    lines.push(...align(status.changes.map((c) => [`  ${c.at.replace(/\.000Z$/, "Z")}`, c.pool, c.origin, c.to, c.reason])));
  }
  const earlier = status.history.filter((h) => h.version !== status.version);
  if (!status.problems && earlier.length > 0) {
    lines.push("", `rollback goes back to ${earlier[0]?.version} (applied ${earlier[0]?.appliedAt}); history holds ${status.history.length} versions`);
  }
  return lines;
}

function describeOrigin(o: OriginStatus): string {
  return describeOriginHealth(o);
}
