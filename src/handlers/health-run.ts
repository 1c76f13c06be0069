// The cron run: read config and health state (one bulk KV read), probe, and
// write the health state back only if it changed. A free-tier account has
// 1,000 KV writes a day; writing every minute would use 1,440 on its own.
import { chooseServedConfig } from "../core/config/served";
import { KV_KEYS, parseStoredConfig } from "../core/config/stored";
import { emptySnapshot, decodeHealthSnapshot, runHealthChecks, type HealthSnapshot, type SecretLookup } from "../core/health";
import { splitRunBudget } from "../core/ops/budget";
import type { Logger } from "../log";
import { postAlerts } from "./alerts";

export interface HealthRunDeps {
  readonly kv: KVNamespace;
  readonly fetch: typeof fetch;
  readonly nowMs: () => number;
  readonly log: Logger;
  /** Subrequest budget of one run, shared by probes and webhook posts. */
  readonly maxProbes: number;
  /** Where to post origin state changes (a secret); undefined: no alerts. */
  readonly alertWebhookUrl?: string;
  /** The run's scheduled time, which rotates the probed window when origins outnumber the budget. */
  readonly scheduledTimeMs: number;
  /** Reads the Worker secrets that `{secret: NAME}` probe headers name. */
  readonly secret: SecretLookup;
}

export async function runScheduledHealthChecks(deps: HealthRunDeps): Promise<void> {
  const values = await deps.kv.get([KV_KEYS.config, KV_KEYS.health], "text");
  const configText = values.get(KV_KEYS.config);
  if (!configText) {
    deps.log.info({ event: "health.skipped", reason: "no config in KV" });
    return;
  }
  // Probe what new isolates serve: with an invalid active value, the version
  // of the history they fall back to (the history is read only then).
  const active = parseStoredConfig(configText);
  const choice = active.ok ? chooseServedConfig(active, null) : chooseServedConfig(active, await deps.kv.get(KV_KEYS.history, "text"));
  if (choice.source === "none") {
    const problems = active.ok ? [] : active.problems.map((p) => `${p.path}: ${p.message}`);
    deps.log.error({ event: "health.skipped", reason: "config in KV is invalid and no version in the history is valid", problems });
    return;
  }
  const stored = choice.served;
  const fallback = choice.source === "history" ? { from: KV_KEYS.history, activeVersion: choice.active.version ?? null } : {};
  const previous = readSnapshot(values.get(KV_KEYS.health) ?? null, deps.log);
  const budget = splitRunBudget(deps.maxProbes, Boolean(deps.alertWebhookUrl));
  const run = await runHealthChecks(stored.config, previous, {
    fetch: deps.fetch,
    nowMs: deps.nowMs,
    maxProbes: budget.probes,
    runIndex: Math.floor(deps.scheduledTimeMs / 60_000),
    secret: deps.secret,
  });
  // The pool's probes all failed: say why, once per pool (names only, never a value).
  for (const problem of run.headerProblems) {
    deps.log.error({ event: "health.probe_headers", version: stored.version, pool: problem.pool, ...(problem.secret ? { secret: problem.secret } : {}), message: problem.reason });
  }
  if (run.changed) await deps.kv.put(KV_KEYS.health, JSON.stringify(run.next));
  const down = Object.entries(run.next.origins).filter(([, r]) => !r.up).map(([key]) => key);
  deps.log.info({
    event: "health.run",
    version: stored.version,
    ...fallback,
    probed: run.probed,
    skipped: run.skipped,
    failed: run.results.filter((r) => !r.result.ok).map((r) => `${r.key}: ${r.result.ok ? "" : r.result.reason}`),
    down,
    wrote: run.changed,
    changes: run.transitions.map((c) => `${c.key}: ${c.up ? "up" : "down"} (${c.reason})`),
  });
  if (deps.alertWebhookUrl && run.transitions.length > 0) {
    await postAlerts(run.transitions, { url: deps.alertWebhookUrl, fetch: deps.fetch, log: deps.log, budget: budget.alerts, configVersion: stored.version });
  }
}

function readSnapshot(text: string | null, log: Logger): HealthSnapshot {
  if (text === null) return emptySnapshot;
  const snapshot = decodeHealthSnapshot(text);
  if (snapshot) return snapshot;
  log.error({ event: "health.invalid", message: "health state in KV is malformed; starting from all up" });
  return emptySnapshot;
}
