// The Worker's fetch handler: every path belongs to the user's origins except
// the status page's reserved prefix, which its own Hono app serves
// (handlers/status). One error handler renders every error the router makes.
// Each request that is not a status page view ends in exactly one log line
// and one metrics data point. The proxy path does not go through a Hono
// router: it has one route, and Hono's context and dispatch cost about a
// tenth of the router's CPU per request in workerd (BENCHMARKS.md).
import type { RequestServices } from "./core/filters/filter";
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

export interface App {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response>;
}

const DEFAULT_CONFIG_CACHE_TTL_SECONDS = 30;

export function createApp(deps: AppDeps = { random: Math.random, nowMs: Date.now, log: consoleLogger }): App {
  // Isolate-scoped state: survives between requests of this isolate only.
  const store = new ConfigStore(deps);
  const stats = new IsolateStats(deps.nowMs);
  const ejector = new PassiveEjector(deps.nowMs, (key, untilMs) => stats.recordEjection(key, untilMs));
  const observer = new RequestObserver({ stats, log: deps.log, nowMs: deps.nowMs, random: deps.random });
  const status = new StatusPages({ stats, ejector, nowMs: deps.nowMs, log: deps.log });
  const newRequestId = () => crypto.randomUUID();
  const secrets = new WorkerSecrets(deps.nowMs);
  // The var is a string that never changes within an isolate: parsed once per distinct value.
  let ttlText: string | undefined;
  let ttlMs = DEFAULT_CONFIG_CACHE_TTL_SECONDS * 1000;

  /** The one error handler: what the client sees, what the log says. */
  function fail(error: unknown, request: Request, env: Env, requestId: string, trace: RequestTrace | undefined): Response {
    if (error instanceof RouterError) {
      // Errors about a pool or an origin are logged with what the client is
      // not told (which pool, which origin, why); the code ties the two together.
      if (error.detail) {
        const line = { ...error.detail, event: "request.error", requestId, status: error.status, code: error.code };
        if (error.status >= 500) deps.log.error(line);
        else deps.log.info(line);
      }
      if (trace) observer.finish(trace, request, error.status, error.code, env);
      return renderError(error, requestId);
    }
    deps.log.error({ event: "request.failed", requestId, message: (error as Error)?.message ?? String(error) });
    if (trace) observer.finish(trace, request, 500, "internal", env);
    return renderError(new RouterError(500, "internal", "edge-ingress: internal error"), requestId);
  }

  async function fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const startedMs = deps.nowMs();
    const requestId = acceptRequestId(request.headers.get("x-request-id"), newRequestId);
    let trace: RequestTrace | undefined;
    try {
      if (env.CONFIG_CACHE_TTL_SECONDS !== ttlText) {
        ttlText = env.CONFIG_CACHE_TTL_SECONDS;
        ttlMs = intVar(ttlText, DEFAULT_CONFIG_CACHE_TTL_SECONDS) * 1000;
      }
      const view = await store.current(env.INGRESS_KV, ttlMs, (p) => ctx.waitUntil(p));
      const page = await status.handle(request, env, view, requestId);
      if (page) return page;
      trace = new RequestTrace(requestId, startedMs);
      if (!view.runtime) {
        throw new RouterError(503, "no-config", "edge-ingress: no valid config in KV yet; apply one with `npx edge-ingress apply <config.yaml>` (see README)");
      }
      const response = await proxyRequest(request, {
        runtime: view.runtime,
        health: view.health,
        ejector,
        requestId,
        log: deps.log,
        trace,
        random: deps.random,
        background: ctx,
        services: secrets.of(env),
      });
      observer.finish(trace, request, response.status, undefined, env);
      return response;
    } catch (error) {
      return fail(error, request, env, requestId, trace);
    }
  }

  return { fetch };
}

/**
 * What authentication reads from the Worker: its secrets (`wrangler secret
 * put`, strings on env beside the declared bindings) and the isolate's
 * password verification cache, which makes basic auth pay a password hash
 * once per isolate and user (verify-cache.ts). One object per env, not per
 * request.
 */
class WorkerSecrets {
  // Made on first use: workerd refuses random numbers (its HMAC key) at global scope.
  private cache: VerifyCache | undefined;
  private env: Env | undefined;
  private services: Pick<RequestServices, "secret" | "verifyPassword"> | undefined;

  constructor(private readonly nowMs: () => number) {}

  of(env: Env): Pick<RequestServices, "secret" | "verifyPassword"> {
    if (this.services === undefined || env !== this.env) {
      this.env = env;
      const values = env as unknown as Record<string, unknown>;
      this.services = {
        secret: (name) => {
          const value = values[name];
          return typeof value === "string" ? value : undefined;
        },
        verifyPassword: (htpasswd, credentials) => (this.cache ??= createVerifyCache({ now: this.nowMs })).check(htpasswd, credentials),
      };
    }
    return this.services;
  }
}
