// The status page, served by the Worker itself under the reserved prefix
// (statusPath), as Hono routes: the page (HTML, or JSON with
// `Accept: application/json`) and /login, which asks a browser for the
// password. Without STATUS_TOKEN, or without the right credentials, every
// URL under the prefix answers the router's plain 404, as if nothing were
// there; only /login admits a page exists, by asking for a password.
// hono/tiny (the PatternRouter) as in src/app.ts: four routes need no more.
import { Hono } from "hono/tiny";
import { DEFAULT_STATUS_PATH, isStatusRequest } from "../../core/config/status-path";
import type { PassiveEjector } from "../../core/health";
import { splitRunBudget } from "../../core/ops/budget";
import type { IsolateStats } from "../../core/ops/isolate-stats";
import { buildStatusModel } from "../../core/ops/status-model";
import type { View } from "../../edge/config-store";
import { intVar, type Env } from "../../env";
import { RouterError, renderError } from "../../errors";
import type { Logger } from "../../log";
import { checkAccess, MIN_TOKEN_CHARS } from "./auth";
import { statusPage } from "./page";

export interface StatusDeps {
  readonly stats: IsolateStats;
  readonly ejector: PassiveEjector;
  readonly nowMs: () => number;
  readonly log: Logger;
}

interface StatusEnv {
  readonly env: Env;
  readonly view: View;
  readonly requestId: string;
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-robots-tag": "noindex",
  vary: "Accept, Authorization",
};

const DEFAULT_MAX_PROBES_PER_RUN = 50;

export class StatusPages {
  /** One Hono app per prefix (a config change may move it); in practice one. */
  private readonly apps = new Map<string, Hono<{ Bindings: StatusEnv }>>();
  private servingVersion: string | undefined;
  private servingSinceMs: number | undefined;
  private weakTokenLogged = false;

  constructor(private readonly deps: StatusDeps) {}

  /** Called on every request with the view it is served from: notes version changes, and answers status requests. */
  async handle(request: Request, env: Env, view: View, requestId: string): Promise<Response | undefined> {
    const version = view.runtime?.version;
    if (version !== this.servingVersion) {
      this.servingVersion = version;
      this.servingSinceMs = this.deps.nowMs();
    }
    const statusPath = view.runtime?.config.statusPath ?? DEFAULT_STATUS_PATH;
    if (!isStatusRequest(rawPath(request.url), statusPath)) return undefined;
    return this.app(statusPath).fetch(request, { env, view, requestId });
  }

  private app(statusPath: string): Hono<{ Bindings: StatusEnv }> {
    let app = this.apps.get(statusPath);
    if (!app) {
      if (this.apps.size >= 4) this.apps.clear();
      app = this.build(statusPath);
      this.apps.set(statusPath, app);
    }
    return app;
  }

  private build(statusPath: string): Hono<{ Bindings: StatusEnv }> {
    const app = new Hono<{ Bindings: StatusEnv }>({ strict: false }).basePath(statusPath.slice(0, -1));
    // The router's plain 404, without the page's headers: nothing tells it from any other.
    const notFound = (requestId: string) => renderError(new RouterError(404, "no-route", "edge-ingress: not found"), requestId);

    app.use("*", async (c, next) => {
      const access = await checkAccess(c.req.raw, c.env.env.STATUS_TOKEN);
      if (access === "weak-token" && !this.weakTokenLogged) {
        this.weakTokenLogged = true;
        this.deps.log.error({ event: "status.token_too_short", message: `STATUS_TOKEN has fewer than ${MIN_TOKEN_CHARS} characters; the status page stays off` });
      }
      if (access === "granted") return next();
      if (access === "denied" && c.req.path === `${statusPath}login`) {
        return withHeaders(new Response("edge-ingress: sign in with any user name and the STATUS_TOKEN secret as the password\n", {
          status: 401,
          headers: { "www-authenticate": 'Basic realm="edge-ingress status", charset="UTF-8"', "content-type": "text/plain; charset=utf-8" },
        }));
      }
      return notFound(c.env.requestId);
    });

    app.get("/", (c) => {
      const { env, view } = c.env;
      const model = buildStatusModel({
        runtime: view.runtime,
        health: view.health,
        stats: this.deps.stats,
        ejector: this.deps.ejector,
        statusPath,
        nowMs: this.deps.nowMs(),
        servingSinceMs: view.runtime ? this.servingSinceMs : undefined,
        probesPerRun: splitRunBudget(intVar(env.HEALTH_MAX_PROBES_PER_RUN, DEFAULT_MAX_PROBES_PER_RUN), Boolean(env.ALERT_WEBHOOK_URL)).probes,
      });
      if ((c.req.header("accept") ?? "").includes("application/json")) return withHeaders(c.json(model));
      return withHeaders(c.html(`<!DOCTYPE html>${statusPage(model)}`));
    });
    app.get("/login", (c) => withHeaders(c.redirect(statusPath, 303)));
    app.all("*", (c) => notFound(c.env.requestId));
    return app;
  }
}

function withHeaders(response: Response): Response {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
  return response;
}

/** The path of a request URL as it arrived (no decoding), without building a URL object. */
export function rawPath(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  const query = url.indexOf("?", start);
  const hash = url.indexOf("#", start);
  const end = query === -1 ? (hash === -1 ? url.length : hash) : hash === -1 ? query : Math.min(query, hash);
  return url.slice(start, end);
}
