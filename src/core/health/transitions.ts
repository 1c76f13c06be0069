// Changes between up and down from one cron run to the next: what the
// webhook announces (once per change, never per run) and what the status
// page and `edge-ingress status` list as the last health changes. The last
// few are kept in the snapshot itself, which the run writes anyway whenever
// an origin changes state, so the history costs no extra KV write.
import type { HealthSnapshot } from "./snapshot";

export interface HealthChange {
  /** Origin key, `${pool} ${url}`. */
  readonly key: string;
  /** The new state (the old one is its opposite). */
  readonly up: boolean;
  /** When the run saw the change (the record's sinceMs). */
  readonly atMs: number;
  /** Why: the failed probe's reason going down, the good probes coming back up. */
  readonly reason: string;
}

/** How many changes the snapshot keeps, newest first. */
export const MAX_KEPT_CHANGES = 20;

/**
 * Origins whose up/down state differs between the snapshots, in `next`'s
 * order. An origin absent from `previous` was up (new origins start up);
 * one absent from `next` was removed from the config, which is no change.
 */
export function healthTransitions(previous: HealthSnapshot, next: HealthSnapshot, healthyThresholdOf: (key: string) => number): HealthChange[] {
  const changes: HealthChange[] = [];
  for (const [key, record] of Object.entries(next.origins)) {
    const before = Object.hasOwn(previous.origins, key) ? previous.origins[key] : undefined;
    const wasUp = before?.up ?? true;
    if (wasUp === record.up) continue;
    const reason = record.up ? `${plural(healthyThresholdOf(key), "good probe")} in a row` : (record.reason ?? "probe failed");
    changes.push({ key, up: record.up, atMs: record.sinceMs, reason });
  }
  return changes;
}

/** The kept history after a run: this run's changes first, at most MAX_KEPT_CHANGES. */
export function keepChanges(latest: readonly HealthChange[], earlier: readonly HealthChange[] = []): HealthChange[] {
  return [...latest, ...earlier].slice(0, MAX_KEPT_CHANGES);
}

/** `web https://a.example` -> pool "web", url "https://a.example" (pool names have no spaces). */
export function splitOriginKey(key: string): { readonly pool: string; readonly url: string } {
  const space = key.indexOf(" ");
  return space === -1 ? { pool: "", url: key } : { pool: key.slice(0, space), url: key.slice(space + 1) };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
