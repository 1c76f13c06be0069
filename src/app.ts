// The Hono app: every path belongs to the user's origins except the status
// page's reserved prefix; one catch-all serves both, and one error handler
// renders every error the router makes. Each request that is not a status
// page view ends in exactly one log line and one metrics data point.
// hono/tiny: the PatternRouter, enough for one catch-all route (the default
// preset's RegExpRouter and TrieRouter add about 2.5 KiB to the gzipped bundle).
import { Hono } from "hono/tiny";
import { PassiveEjector } from "./core/health";
import { createVerifyCache, type VerifyCache } from "./core/policy/verify-cache";
import { acceptRequestId } from "./core/http/request-id";
import { IsolateStats } from "./core/ops/isolate-stats";
import { ConfigStore } from "./edge/config-store";
import { intVar, type Env } from "./env";
import { RouterError, renderError } from "./errors";
import { RequestObserver } from "./handlers/observe";
import { proxyRequest } from "./handlers/proxy";
import { StatusPages } from "./handlers/status/app";
import { RequestTrace } from "./handlers/trace";
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
  const stats = new IsolateStats(deps.nowMs);
  const ejector = new PassiveEjector(deps.nowMs, (key, untilMs) => stats.recordEjection(key, untilMs));
  const observer = new RequestObserver({ stats, log: deps.log, nowMs: deps.nowMs });
  const status = new StatusPages({ stats, ejector, nowMs: deps.nowMs, log: deps.log });
  // Basic auth pays a password hash once per isolate and user (verify-cache.ts).
  // Made on first use: workerd refuses random numbers (its HMAC key) at global scope.
  let verifyCache: VerifyCache | undefined;
  const app = new Hono<{ Bindings: Env; Variables: { requestId: string; trace: RequestTrace } }>();

  app.all("*", async (c) => {
    const startedMs = deps.nowMs();
    const requestId = acceptRequestId(c.req.header("x-request-id"), () => crypto.randomUUID());
    c.set("requestId", requestId);
    const ttlMs = intVar(c.env.CONFIG_CACHE_TTL_SECONDS, DEFAULT_CONFIG_CACHE_TTL_SECONDS) * 1000;
    const view = await store.current(c.env.INGRESS_KV, ttlMs, (p) => c.executionCtx.waitUntil(p));
    const page = await status.handle(c.req.raw, c.env, view, requestId);
    if (page) return page;
    const trace = new RequestTrace(requestId, startedMs);
    c.set("trace", trace);
    if (!view.runtime) {
      throw new RouterError(503, "no-config", "edge-ingress: no valid config in KV yet; apply one with `npx edge-ingress apply <config.yaml>` (see README)");
    }
    const response = await proxyRequest(c.req.raw, {
      runtime: view.runtime,
      health: view.health,
      ejector,
      requestId,
      log: deps.log,
      trace,
      random: deps.random,
      waitUntil: (p) => c.executionCtx.waitUntil(p),
      services: {
        // Secrets (`wrangler secret put`) are strings on env beside the declared bindings.
        secret: (name) => {
          const value = (c.env as unknown as Record<string, unknown>)[name];
          return typeof value === "string" ? value : undefined;
        },
        verifyPassword: (htpasswd, credentials) => (verifyCache ??= createVerifyCache({ now: deps.nowMs })).check(htpasswd, credentials),
      },
    });
    observer.finish(trace, c.req.raw, response.status, undefined, c.env);
    return response;
  });

  app.onError((error, c) => {
    const requestId = c.get("requestId");
    const trace = c.get("trace");
    if (error instanceof RouterError) {
      // Errors about a pool or an origin are logged with what the client is
      // not told (which pool, which origin, why); the code ties the two together.
      if (error.detail) {
        const line = { ...error.detail, event: "request.error", requestId, status: error.status, code: error.code };
        if (error.status >= 500) deps.log.error(line);
        else deps.log.info(line);
      }
      if (trace) observer.finish(trace, c.req.raw, error.status, error.code, c.env);
      return renderError(error, requestId);
    }
    deps.log.error({ event: "request.failed", requestId, message: error.message });
    if (trace) observer.finish(trace, c.req.raw, 500, "internal", c.env);
    return renderError(new RouterError(500, "internal", "edge-ingress: internal error"), requestId);
  });

  return app;
}
