// What the request path tells observability about one request, filled in as
// it goes: proxy.ts calls matched() once and tried() after each attempt, and
// nothing else of it knows logs or metrics exist.
import type { Origin, Pool } from "../core/config/types";
import type { PassiveEjector } from "../core/health";
import type { RouteMatch } from "../core/routing";
import type { ForwardResult } from "../edge/forward";

export interface ProxyTrace {
  /** After routing; `match` undefined when no rule matched. */
  matched(host: string, path: string, match: RouteMatch | undefined): void;
  /** After each attempt on an origin, once its outcome was fed to passive ejection. */
  tried(pool: Pool, origin: Origin, result: ForwardResult, ejector: PassiveEjector): void;
}

export class RequestTrace implements ProxyTrace {
  host: string | undefined = undefined;
  path: string | undefined = undefined;
  rule: string | undefined = undefined;
  pool: string | undefined = undefined;
  originKey: string | undefined = undefined;
  originUrl: string | undefined = undefined;
  /** The origin a retried request failed on first. */
  failedOriginKey: string | undefined = undefined;
  originAnswered = false;
  retried = false;
  ejected = false;

  constructor(
    readonly requestId: string,
    readonly startedMs: number,
  ) {}

  matched(host: string, path: string, match: RouteMatch | undefined): void {
    this.host = host;
    this.path = path;
    if (!match) return;
    this.rule = match.route?.source ?? "defaultBackend";
    this.pool = match.pool;
  }

  tried(pool: Pool, origin: Origin, result: ForwardResult, ejector: PassiveEjector): void {
    if (this.originKey !== undefined) {
      this.retried = true;
      this.failedOriginKey = this.originKey;
    }
    this.pool = pool.name;
    this.originKey = origin.key;
    this.originUrl = origin.url;
    this.originAnswered = result.kind === "response";
    // Only a failure can eject; asked then, the answer is about this request's doing.
    const failed = result.kind !== "response" || (pool.passiveEjection.on5xx && result.response.status >= 500);
    if (failed && ejector.isEjected(origin.key)) this.ejected = true;
  }
}
