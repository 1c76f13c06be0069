// The cron run: read the health plan, the version key and the health state
// (one bulk KV read), probe, and write the health state back only if it
// changed. A free-tier account has 1,000 KV writes a day; writing every
// minute would use 1,440 on its own. The plan holds only the health-checked
// pools, so the run's CPU does not grow with the routing rules (10 ms on the
// free plan); when it was not written for the active value the version key
// names (a value written by hand, an apply that stopped half way), the run
// reads and validates the active value instead, as before the plan existed.
// The state a run counts from is the newer, by the stamp each run writes, of
// KV's and the one this isolate's last run ended with (core/health/stamp.ts).
import { readHealthPlan, readVersionKey } from "../core/config/published";
import { chooseServedConfig } from "../core/config/served";
import { KV_KEYS, parseStoredConfig } from "../core/config/stored";
import type { Config } from "../core/config/types";
import { emptySnapshot, decodeHealthSnapshot, runHealthChecks, runStart, snapshotsEqual, stamped, stillNewest, type HealthSnapshot, type SecretLookup } from "../core/health";
import { splitRunBudget } from "../core/ops/budget";
import type { Logger } from "../log";
import { postAlerts } from "./alerts";

/**
 * Every probe of a run ends within this of the run's start, and the state is
 * written right after: well before the next minute's run reads it, so runs a
 * minute apart do not overlap on the health state (the webhook posts that
 * follow take up to 15 s more). It must exceed the longest probe timeout a
 * config may set (30 s), or such probes would never start.
 */
export const PROBE_PHASE_MS = 40_000;

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
  /** Default PROBE_PHASE_MS. */
  readonly probePhaseMs?: number;
  /** The state this isolate's last run ended with; the run reads and replaces it. */
  readonly kept: KeptHealth;
}

/** One per isolate: isolates that run the cron are often reused from one minute to the next. */
export interface KeptHealth {
  snapshot: HealthSnapshot | undefined;
}

export async function runScheduledHealthChecks(deps: HealthRunDeps): Promise<void> {
  const deadlineMs = deps.nowMs() + (deps.probePhaseMs ?? PROBE_PHASE_MS);
  const values = await deps.kv.get([KV_KEYS.version, KV_KEYS.healthPlan, KV_KEYS.health], "text");
  const runAtMs = deps.scheduledTimeMs;
  const stored = readSnapshot(values.get(KV_KEYS.health) ?? null, deps.log);
  const start = runStart(stored, deps.kept.snapshot, runAtMs);
  if (start.kind === "superseded") return logSuperseded(deps.log, runAtMs, start.byRunAtMs, start.from);
  if (start.ignoredStampMs !== undefined) {
    deps.log.error({ event: "health.invalid", message: `health state in KV is stamped ${new Date(start.ignoredStampMs).toISOString()}, too far ahead of this run to be a run's; ignoring the stamp and writing this run's state over it` });
  }
  const versionKey = readVersionKey(values.get(KV_KEYS.version));
  const read = readHealthPlan(values.get(KV_KEYS.healthPlan), versionKey);
  if (read === "malformed") {
    deps.log.error({ event: "health.plan_invalid", message: "the health plan in KV is not in the form this Worker reads (edited by hand, or written by another version of edge-ingress); probing the pools of the config instead. `edge-ingress apply` writes it again" });
  }
  const plan = read === "malformed" ? undefined : read;
  const served = plan ? { version: plan.version, config: { pools: new Map(plan.pools.map((p) => [p.name, p])) }, fallback: {} } : await servedConfig(deps, versionKey?.version);
  if (!served) return;
  const { fallback } = served;
  const budget = splitRunBudget(deps.maxProbes, Boolean(deps.alertWebhookUrl));
  const run = await runHealthChecks(served.config, start.base, {
    fetch: deps.fetch,
    nowMs: deps.nowMs,
    maxProbes: budget.probes,
    runIndex: Math.floor(deps.scheduledTimeMs / 60_000),
    secret: deps.secret,
    deadlineMs,
  });
  // The pool's probes all failed: say why, once per pool (names only, never a value).
  for (const problem of run.headerProblems) {
    deps.log.error({ event: "health.probe_headers", version: served.version, pool: problem.pool, ...(problem.secret ? { secret: problem.secret } : {}), message: problem.reason });
  }
  // A later run in this isolate ended while this one probed: its state is newer.
  if (!stillNewest(deps.kept.snapshot, runAtMs)) return logSuperseded(deps.log, runAtMs, deps.kept.snapshot!.runAtMs!, "isolate");
  const next = stamped(run.next, runAtMs);
  // Kept before the write is awaited, and kept if it fails (the account's
  // daily KV write limit, say): this isolate's next run counts on from it,
  // neither recounting a probe nor announcing a change again, and writes it.
  deps.kept.snapshot = next;
  // Compared with what KV returned, not with the base: when KV returned an
  // older state than the isolate's, writing repairs it (once per change).
  const write = start.ignoredStampMs !== undefined || !snapshotsEqual(next, stored);
  const wrote = write ? await writeHealth(deps, JSON.stringify(next), served.version) : false;
  const down = Object.entries(run.next.origins).filter(([, r]) => !r.up).map(([key]) => key);
  deps.log.info({
    event: "health.run",
    version: served.version,
    ...fallback,
    probed: run.probed,
    skipped: run.skipped,
    deferred: run.deferred,
    base: start.from,
    failed: run.results.filter((r) => !r.result.ok).map((r) => `${r.key}: ${r.result.ok ? "" : r.result.reason}`),
    down,
    wrote,
    changes: run.transitions.map((c) => `${c.key}: ${c.up ? "up" : "down"} (${c.reason})`),
  });
  if (deps.alertWebhookUrl && run.transitions.length > 0) {
    await postAlerts(run.transitions, { url: deps.alertWebhookUrl, fetch: deps.fetch, log: deps.log, budget: budget.alerts, configVersion: served.version });
  }
}

function logSuperseded(log: Logger, runAtMs: number, byRunAtMs: number, from: "kv" | "isolate"): void {
  log.info({
    event: "health.superseded",
    runAt: new Date(runAtMs).toISOString(),
    by: new Date(byRunAtMs).toISOString(),
    from,
    message: "the run of this minute or a later one has already counted; this run writes and announces nothing",
  });
}

async function writeHealth(deps: HealthRunDeps, text: string, version: string): Promise<boolean> {
  try {
    await deps.kv.put(KV_KEYS.health, text);
    return true;
  } catch (error) {
    deps.log.error({ event: "health.write_failed", version, message: `the health state could not be written to KV (${error instanceof Error ? error.message : String(error)}); isolates keep the last state written until a run writes again` });
    return false;
  }
}

interface Served {
  readonly version: string;
  readonly config: Pick<Config, "pools">;
  readonly fallback: Record<string, unknown>;
}

/**
 * What new isolates serve, read from the active value (and the history when
 * it is invalid; `lastActivated` is the version key's version, see
 * chooseServedConfig); undefined: nothing to probe (logged).
 */
async function servedConfig(deps: HealthRunDeps, lastActivated: string | undefined): Promise<Served | undefined> {
  const configText = await deps.kv.get(KV_KEYS.config, "text");
  if (!configText) {
    deps.log.info({ event: "health.skipped", reason: "no config in KV" });
    return undefined;
  }
  // Probe what new isolates serve: with an invalid active value, the version
  // of the history they fall back to (the history is read only then).
  const active = parseStoredConfig(configText);
  const choice = active.ok ? chooseServedConfig(active, null) : chooseServedConfig(active, await deps.kv.get(KV_KEYS.history, "text"), lastActivated);
  if (choice.source === "none") {
    const problems = active.ok ? [] : active.problems.map((p) => `${p.path}: ${p.message}`);
    deps.log.error({ event: "health.skipped", reason: "config in KV is invalid and no version in the history is valid", problems });
    return undefined;
  }
  const fallback = choice.source === "history" ? { from: KV_KEYS.history, activeVersion: choice.active.version ?? null } : {};
  return { version: choice.served.version, config: choice.served.config, fallback };
}

function readSnapshot(text: string | null, log: Logger): HealthSnapshot {
  if (text === null) return emptySnapshot;
  const snapshot = decodeHealthSnapshot(text);
  if (snapshot) return snapshot;
  log.error({ event: "health.invalid", message: "health state in KV is malformed; starting from all up" });
  return emptySnapshot;
}
