// `edge-ingress status`: the version in KV, when it was applied, and each
// pool's origins with weight, policy and health (up/down, since when, last
// reason) as the cron run recorded it. `--json` gives the same for scripts.
import { KV_KEYS, parseStoredConfig } from "../core/config/stored";
import type { Config } from "../core/config/types";
import { decodeHealthSnapshot, splitOriginKey, type HealthSnapshot } from "../core/health";
import { describeOriginHealth, originHealth, type OriginHealth } from "../core/ops/origin-health";
import { parseHistoryText } from "./history";
import { openKv, type KvDeps, type KvFlags } from "./kv-state";
import { align, type Io } from "./output";

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

export interface Status {
  readonly where: string;
  readonly version: string | null;
  readonly appliedAt: string | null;
  /** Set when the stored config does not validate (the Worker keeps serving its last good one). */
  readonly problems?: readonly string[];
  readonly pools: readonly PoolStatus[];
  readonly history: readonly { readonly version: string; readonly appliedAt: string }[];
  /** The last changes between up and down the cron runs recorded, newest first (as on the status page). */
  readonly changes: readonly { readonly at: string; readonly pool: string; readonly origin: string; readonly to: "up" | "down"; readonly reason: string }[];
}

export async function statusCommand(options: StatusOptions, io: Io, deps: KvDeps = {}): Promise<number> {
  const kv = (deps.open ?? openKv)(options, io);
  const [configText, historyText, healthText] = await kv.getMany([KV_KEYS.config, KV_KEYS.history, KV_KEYS.health]);
  const status = buildStatus(kv.where, configText, historyText, healthText);
  if (options.json) io.out(JSON.stringify(status, null, 2));
  else for (const line of renderStatus(status)) io.out(line);
  return 0;
}

export function buildStatus(where: string, configText?: string, historyText?: string, healthText?: string): Status {
  const history = parseHistoryText(historyText).value.map((h) => ({ version: h.version, appliedAt: h.appliedAt }));
  const health = readHealth(healthText);
  const changes = (health?.changes ?? []).map((c) => {
    const { pool, url } = splitOriginKey(c.key);
    return { at: new Date(c.atMs).toISOString(), pool, origin: url, to: c.up ? ("up" as const) : ("down" as const), reason: c.reason };
  });
  if (configText === undefined) return { where, version: null, appliedAt: null, pools: [], history, changes };
  const stored = parseStoredConfig(configText);
  if (!stored.ok) {
    return { where, version: stored.version ?? null, appliedAt: null, problems: stored.problems.map((p) => `${p.path}: ${p.message}`), pools: [], history, changes };
  }
  return { where, version: stored.version, appliedAt: stored.appliedAt, pools: poolStatuses(stored.config, health), history, changes };
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
  if (status.version === null) return [`no config in ${status.where}; write one with "edge-ingress apply FILE..."`];
  const lines = [`version ${status.version}${status.appliedAt ? `, applied ${status.appliedAt}` : ""} (${status.where})`];
  if (status.problems) {
    lines.push("the stored config does not validate; the Worker keeps serving the last good config it read:");
    lines.push(...status.problems.map((p) => `  ${p}`));
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
  if (earlier.length > 0) lines.push("", `rollback goes back to ${earlier[0]?.version} (applied ${earlier[0]?.appliedAt}); history holds ${status.history.length} versions`);
  return lines;
}

function describeOrigin(o: OriginStatus): string {
  return describeOriginHealth(o);
}
