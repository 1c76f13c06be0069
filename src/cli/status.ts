// `edge-ingress status`: the version in KV, when it was applied, and each
// pool's origins with weight, policy and health (up/down, since when, last
// reason) as the cron run recorded it. `--json` gives the same for scripts.
import { KV_KEYS, parseStoredConfig } from "../core/config/stored";
import type { Config } from "../core/config/types";
import { describeRecord, decodeHealthSnapshot, type HealthRecord, type HealthSnapshot } from "../core/health";
import { parseHistoryText } from "./history";
import { openKv, type KvDeps, type KvFlags } from "./kv-state";
import { align, type Io } from "./output";

export interface StatusOptions extends KvFlags {
  readonly json?: boolean;
}

export interface OriginStatus {
  readonly url: string;
  readonly weight: number;
  /** "unchecked": the pool has no health check; "unknown": not probed yet (taken as up). */
  readonly state: "up" | "down" | "unknown" | "unchecked";
  readonly since?: string;
  readonly reason?: string;
  /** Consecutive probes against the current state (toward a change). */
  readonly streak?: number;
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
  if (configText === undefined) return { where, version: null, appliedAt: null, pools: [], history };
  const stored = parseStoredConfig(configText);
  if (!stored.ok) {
    return { where, version: stored.version ?? null, appliedAt: null, problems: stored.problems.map((p) => `${p.path}: ${p.message}`), pools: [], history };
  }
  return { where, version: stored.version, appliedAt: stored.appliedAt, pools: poolStatuses(stored.config, readHealth(healthText)), history };
}

function readHealth(text: string | undefined): HealthSnapshot | undefined {
  return text === undefined ? undefined : decodeHealthSnapshot(text);
}

function poolStatuses(config: Config, health: HealthSnapshot | undefined): PoolStatus[] {
  return [...config.pools.values()].map((pool) => ({
    name: pool.name,
    policy: pool.policy,
    origins: pool.origins.map((o): OriginStatus => {
      if (!pool.healthCheck) return { url: o.url, weight: o.weight, state: "unchecked" };
      const record: HealthRecord | undefined = health && Object.hasOwn(health.origins, o.key) ? health.origins[o.key] : undefined;
      if (!record) return { url: o.url, weight: o.weight, state: "unknown" };
      return {
        url: o.url,
        weight: o.weight,
        state: record.up ? "up" : "down",
        since: new Date(record.sinceMs).toISOString(),
        ...(record.reason === undefined ? {} : { reason: record.reason }),
        streak: record.streak,
      };
    }),
  }));
}

export function renderStatus(status: Status): string[] {
  if (status.version === null && !status.problems) return [`no config in ${status.where}; write one with "edge-ingress apply FILE..."`];
  const lines = [`${status.version === null ? "no readable version" : `version ${status.version}`}${status.appliedAt ? `, applied ${status.appliedAt}` : ""} (${status.where})`];
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
  const earlier = status.history.filter((h) => h.version !== status.version);
  if (earlier.length > 0) lines.push("", `rollback goes back to ${earlier[0]?.version} (applied ${earlier[0]?.appliedAt}); history holds ${status.history.length} versions`);
  return lines;
}

function describeOrigin(o: OriginStatus): string {
  if (o.state === "unchecked") return "no health check";
  if (o.state === "unknown") return describeRecord(undefined);
  return describeRecord({ up: o.state === "up", streak: o.streak ?? 0, sinceMs: Date.parse(o.since ?? ""), ...(o.reason === undefined ? {} : { reason: o.reason }) });
}
