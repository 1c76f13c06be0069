// Webhook messages for origin state changes: Slack-compatible JSON (`text`,
// which Slack, Mattermost, Rocket.Chat and Discord's /slack endpoint show)
// plus structured fields for anything else that reads them. One message per
// change; a run with more changes than its subrequest budget allows sends
// the rest together in one last message, so every change is still sent once.
import { splitOriginKey, type HealthChange } from "../health/transitions";

export interface AlertChange {
  readonly pool: string;
  readonly origin: string;
  readonly from: "up" | "down";
  readonly to: "up" | "down";
  readonly reason: string;
  /** ISO 8601 time the cron run saw the change. */
  readonly at: string;
}

export type AlertMessage =
  | ({ readonly text: string; readonly event: "origin.health_changed"; readonly configVersion: string | null } & AlertChange)
  | { readonly text: string; readonly event: "origins.health_changed"; readonly configVersion: string | null; readonly changes: readonly AlertChange[] };

export function alertChange(change: HealthChange): AlertChange {
  const { pool, url } = splitOriginKey(change.key);
  return { pool, origin: url, from: change.up ? "down" : "up", to: change.up ? "up" : "down", reason: change.reason, at: new Date(change.atMs).toISOString() };
}

/** At most `budget` messages (budget >= 1) covering every change exactly once. */
export function planAlerts(changes: readonly HealthChange[], budget: number, configVersion: string | null): AlertMessage[] {
  const all = changes.map(alertChange);
  const slots = Math.max(1, Math.floor(budget));
  if (all.length <= slots) return all.map((c) => single(c, configVersion));
  const singles = all.slice(0, slots - 1).map((c) => single(c, configVersion));
  const rest = all.slice(slots - 1);
  const lines = rest.map((c) => `• ${describe(c)}`);
  const text = `edge-ingress: ${rest.length} origins changed state:\n${lines.join("\n")}`;
  return [...singles, { text, event: "origins.health_changed", configVersion, changes: rest }];
}

function single(change: AlertChange, configVersion: string | null): AlertMessage {
  const icon = change.to === "down" ? ":red_circle:" : ":large_green_circle:";
  return { text: `${icon} edge-ingress: ${describe(change)}`, event: "origin.health_changed", configVersion, ...change };
}

function describe(c: AlertChange): string {
  const state = c.to === "down" ? "DOWN" : "UP again";
  return escapeSlack(`origin ${c.origin} of pool "${c.pool}" is ${state} (${c.reason}) at ${c.at}`);
}

/** Slack reads &, < and > in `text` as markup (links, mentions): escape them as its docs say. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
