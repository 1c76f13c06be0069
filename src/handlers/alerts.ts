// Posts the webhook messages of one cron run: after the health state is
// written, or its write has failed (the isolate keeps the state, so its next
// run does not see the same change again), at most two at a time, each with
// its own deadline. A failure is logged without the URL (a secret: Slack's
// carries its token in the path) and changes nothing about health checking.
import { mapBounded } from "../core/health/bounded";
import type { HealthChange } from "../core/health";
import { planAlerts } from "../core/ops/alerts";
import type { Logger } from "../log";

export const ALERT_TIMEOUT_MS = 5_000;
const ALERT_CONCURRENCY = 2;

export interface AlertDeps {
  readonly url: string;
  readonly fetch: typeof fetch;
  readonly log: Logger;
  /** Subrequests this run may spend on alerts. */
  readonly budget: number;
  readonly configVersion: string | null;
}

export async function postAlerts(changes: readonly HealthChange[], deps: AlertDeps): Promise<void> {
  if (changes.length === 0) return;
  if (deps.budget < 1) {
    deps.log.error({ event: "alert.skipped", reason: "no subrequest left for the webhook: raise HEALTH_MAX_PROBES_PER_RUN", changes: changes.length });
    return;
  }
  const messages = planAlerts(changes, deps.budget, deps.configVersion);
  await mapBounded(messages, ALERT_CONCURRENCY, async (message) => {
    const about = "origin" in message ? { pool: message.pool, origin: message.origin, to: message.to } : { changes: message.changes.length };
    try {
      const response = await deps.fetch(deps.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(message),
        redirect: "manual",
        signal: AbortSignal.timeout(ALERT_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (response.ok) deps.log.info({ event: "alert.sent", ...about });
      else deps.log.error({ event: "alert.failed", ...about, status: response.status });
    } catch (error) {
      const timedOut = (error as Error).name === "TimeoutError" || (error as Error).name === "AbortError";
      deps.log.error({ event: "alert.failed", ...about, message: timedOut ? `no answer within ${ALERT_TIMEOUT_MS} ms` : redact(errorText(error), deps.url) });
    }
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Removes the URL, and its path, should a runtime quote them in an error. */
function redact(text: string, url: string): string {
  let out = text.split(url).join("[ALERT_WEBHOOK_URL]");
  try {
    const { pathname } = new URL(url);
    if (pathname.length > 1) out = out.split(pathname).join("[path]");
  } catch {
    // Not a URL at all: fetch said so; nothing more to hide.
  }
  return out;
}
