// What one proxied request leaves behind: one structured log line (Workers
// Logs, `wrangler tail`, `edge-ingress logs`) and one Analytics Engine data
// point. Both are built from small flat values only: no headers, no query
// string (it may carry tokens), nothing from the config that could be secret.

export interface RequestOutcome {
  readonly requestId: string;
  readonly method: string;
  readonly host: string;
  /** The path without its query. */
  readonly path: string;
  /** Which rule matched: its place in the merged config (`rules[0].http.paths[1]`) or `defaultBackend`. */
  readonly rule: string | undefined;
  readonly pool: string | undefined;
  /** URL of the origin that gave the final answer (or failure). */
  readonly origin: string | undefined;
  readonly status: number;
  readonly durationMs: number;
  /** A connection failure was retried on another origin. */
  readonly retried: boolean;
  /** This request's failure ejected an origin in this isolate. */
  readonly ejected: boolean;
  /** The router's own error code when it answered itself (x-edge-ingress-error). */
  readonly error: string | undefined;
}

export type LogLevel = "info" | "error";

/**
 * Router errors a person should look at are "error": the router could not
 * get an answer (502, 504), a pool had nothing up (503), no config, a bug.
 * An origin's own 5xx is the origin's answer, relayed: "info", with its status.
 */
export function levelOf(outcome: Pick<RequestOutcome, "status" | "error">): LogLevel {
  return outcome.error !== undefined && outcome.status >= 500 ? "error" : "info";
}

/**
 * Lines kept whatever REQUEST_LOG_SAMPLE_RATE says: every request that went
 * wrong or was unusual (the router's own answers, an origin's 5xx, a retry,
 * an ejection). Only plain successes are sampled.
 */
export function alwaysLogged(o: Pick<RequestOutcome, "status" | "error" | "retried" | "ejected">): boolean {
  return o.error !== undefined || o.status >= 500 || o.retried || o.ejected;
}

/**
 * REQUEST_LOG_SAMPLE_RATE: the share of successful requests whose line is
 * written, a number from 0 to 1. Unset or empty: 1. Anything else is refused
 * with a message, and every line is kept.
 */
export function parseSampleRate(text: string | undefined): { readonly ok: boolean; readonly rate: number; readonly message?: string } {
  if (text === undefined || text.trim() === "") return { ok: true, rate: 1 };
  const rate = Number(text);
  if (Number.isFinite(rate) && rate >= 0 && rate <= 1) return { ok: true, rate };
  return { ok: false, rate: 1, message: `must be a number from 0 to 1, got ${JSON.stringify(text)}; keeping every request line` };
}

/** The log line's fields (the logger adds `level`). */
export function logFields(o: RequestOutcome): { event: "request" } & Record<string, unknown> {
  return {
    event: "request",
    requestId: o.requestId,
    method: o.method,
    host: o.host,
    path: o.path,
    rule: o.rule ?? null,
    pool: o.pool ?? null,
    origin: o.origin ?? null,
    status: o.status,
    durationMs: o.durationMs,
    retried: o.retried,
    ejected: o.ejected,
    error: o.error ?? null,
  };
}

/**
 * Analytics Engine columns, in order. Documented in README ("Operating it")
 * with the SQL that reads them: keep the two in step.
 */
export const DATA_POINT_BLOBS = ["host", "rule", "pool", "origin", "statusClass", "error", "method"] as const;
export const DATA_POINT_DOUBLES = ["durationMs", "status", "retried", "ejected"] as const;

/** Analytics Engine limits: an index of at most 96 bytes; all blobs of a point together at most 5,120 bytes (older limit, the stricter). */
const MAX_INDEX_CHARS = 96;
const MAX_BLOB_CHARS = 512;

export interface DataPoint {
  readonly indexes: string[];
  readonly blobs: string[];
  readonly doubles: number[];
}

/** One data point per request; the pool is the index (the sampling key), so per-pool figures stay exact under sampling. */
export function dataPoint(o: RequestOutcome): DataPoint {
  return {
    indexes: [cut(o.pool ?? "", MAX_INDEX_CHARS)],
    blobs: [
      cut(o.host, MAX_BLOB_CHARS),
      cut(o.rule ?? "", MAX_BLOB_CHARS),
      cut(o.pool ?? "", MAX_BLOB_CHARS),
      cut(o.origin ?? "", MAX_BLOB_CHARS),
      `${Math.floor(o.status / 100)}xx`,
      o.error ?? "",
      cut(o.method, 16),
    ],
    doubles: [o.durationMs, o.status, o.retried ? 1 : 0, o.ejected ? 1 : 0],
  };
}

/** Pool names, hosts and URLs are ASCII once parsed, so characters are bytes here. */
function cut(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}
