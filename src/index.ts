// Worker entry: the fetch handler (app.ts; the status page is a Hono app)
// and the cron handler beside it.
import { createApp } from "./app";
import { intVar, type Env } from "./env";
import { runScheduledHealthChecks, type KeptHealth } from "./handlers/health-run";
import { consoleLogger } from "./log";

/** Free plan: 50 external subrequests per invocation, and each probe is one. */
const DEFAULT_MAX_PROBES_PER_RUN = 50;

const app = createApp();

// The health state this isolate's last cron run ended with: the next run
// counts from it when KV returns an older one (its reads may be a minute old).
const keptHealth: KeptHealth = { snapshot: undefined };

export default {
  fetch: app.fetch,
  // Awaited rather than handed to waitUntil, so the run's outcome (and any
  // failure) is the invocation's outcome in the Cron Events log.
  async scheduled(controller, env) {
    await runScheduledHealthChecks({
        kv: env.INGRESS_KV,
        fetch: (input, init) => fetch(input, init),
        nowMs: Date.now,
        log: consoleLogger,
        maxProbes: intVar(env.HEALTH_MAX_PROBES_PER_RUN, DEFAULT_MAX_PROBES_PER_RUN),
        alertWebhookUrl: env.ALERT_WEBHOOK_URL?.trim() || undefined,
        scheduledTimeMs: controller.scheduledTime,
        // Secrets (`wrangler secret put`) are strings on env beside the declared bindings.
        secret: (name) => (env as unknown as Record<string, unknown>)[name],
        kept: keptHealth,
    });
  },
} satisfies ExportedHandler<Env>;
