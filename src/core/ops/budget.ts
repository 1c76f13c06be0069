// One cron run's subrequests: HEALTH_MAX_PROBES_PER_RUN is the whole budget
// of the invocation (50 on the free plan, where a 51st fetch throws), shared
// between probes and webhook posts. With a webhook set, a few are kept for
// alerts; the probes rotate through the rest (see probeWindow).

/** Subrequests kept for webhook posts: a tenth of the budget, between 1 and 5. */
export function alertReserve(budget: number): number {
  return Math.min(5, Math.max(1, Math.floor(budget / 10)));
}

export interface RunBudget {
  readonly probes: number;
  readonly alerts: number;
}

export function splitRunBudget(budget: number, webhook: boolean): RunBudget {
  const total = Math.max(0, Math.floor(budget));
  if (!webhook || total === 0) return { probes: total, alerts: 0 };
  if (total === 1) return { probes: 1, alerts: 0 };
  const alerts = alertReserve(total);
  return { probes: total - alerts, alerts };
}

/** Minutes between two probes of the same origin: ceil(origins / probes per run), runs being a minute apart. */
export function probeIntervalMinutes(checkedOrigins: number, probesPerRun: number): number {
  return Math.max(1, Math.ceil(checkedOrigins / Math.max(1, probesPerRun)));
}
