// Bindings and vars the Worker reads (declared in wrangler.toml).
export interface Env {
  /** Workers KV namespace holding the config, its history and the health state. */
  readonly INGRESS_KV: KVNamespace;
  /** Seconds an isolate serves its cached config before refreshing it in the background; "0" reads KV on every request. Default 30. */
  readonly CONFIG_CACHE_TTL_SECONDS?: string;
  /** Subrequest budget of one cron run (each probe is one): 50 on the free plan. Default 50. */
  readonly HEALTH_MAX_PROBES_PER_RUN?: string;
  /** Share of successful requests whose log line is written, 0 to 1; lines of errors, retries and ejections are always written. Default 1. */
  readonly REQUEST_LOG_SAMPLE_RATE?: string;
  /** Secret (`wrangler secret put STATUS_TOKEN`): bearer token or basic-auth password of the status page; unset, the page answers 404. */
  readonly STATUS_TOKEN?: string;
  /** Secret: Slack-compatible webhook URL the cron run posts origin state changes to; unset, no alerts. */
  readonly ALERT_WEBHOOK_URL?: string;
  /** Workers Analytics Engine dataset, one data point per request; optional (see wrangler.toml). */
  readonly METRICS?: AnalyticsEngineDataset;
}

/** Reads a non-negative integer var, falling back to the default on anything else. */
export function intVar(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}
