// The Hono app: every path belongs to the user's origins, so there are no
// fixed routes; one catch-all proxies, and one error handler renders every
// error the router makes.
import { Hono } from "hono";
import { PassiveEjector } from "./core/health";
import { acceptRequestId } from "./core/http/request-id";
import { ConfigStore } from "./edge/config-store";
import { intVar, type Env } from "./env";
import { RouterError, renderError } from "./errors";
import { proxyRequest } from "./handlers/proxy";
import { consoleLogger, type Logger } from "./log";

export interface AppDeps {
  readonly random: () => number;
  readonly nowMs: () => number;
  readonly log: Logger;
}

const DEFAULT_CONFIG_CACHE_TTL_SECONDS = 30;

export function createApp(deps: AppDeps = { random: Math.random, nowMs: Date.now, log: consoleLogger }) {
  // Isolate-scoped state: survives between requests of this isolate only.
  const store = new ConfigStore(deps);
  const ejector = new PassiveEjector(deps.nowMs);
  const app = new Hono<{ Bindings: Env; Variables: { requestId: string } }>();

  app.all("*", async (c) => {
    const requestId = acceptRequestId(c.req.header("x-request-id"), () => crypto.randomUUID());
    c.set("requestId", requestId);
    const ttlMs = intVar(c.env.CONFIG_CACHE_TTL_SECONDS, DEFAULT_CONFIG_CACHE_TTL_SECONDS) * 1000;
    const view = await store.current(c.env.INGRESS_KV, ttlMs, (p) => c.executionCtx.waitUntil(p));
    if (!view.runtime) {
      throw new RouterError(503, "no-config", "edge-ingress: no valid config in KV yet; apply one with `npx edge-ingress apply <config.yaml>` (see README)");
    }
    return proxyRequest(c.req.raw, {
      runtime: view.runtime,
      health: view.health,
      ejector,
      requestId,
      log: deps.log,
      random: deps.random,
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    });
  });

  app.onError((error, c) => {
    const requestId = c.get("requestId");
    if (error instanceof RouterError) {
      // Errors about a pool or an origin are logged with what the client is
      // not told (which pool, which origin, why); the code ties the two together.
      if (error.detail) {
        const line = { ...error.detail, event: "request.error", requestId, status: error.status, code: error.code };
        if (error.status >= 500) deps.log.error(line);
        else deps.log.info(line);
      }
      return renderError(error, requestId);
    }
    deps.log.error({ event: "request.failed", requestId, message: error.message });
    return renderError(new RouterError(500, "internal", "edge-ingress: internal error"), requestId);
  });

  return app;
}
