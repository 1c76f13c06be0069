// The end of every proxied request (or router answer): one structured log
// line, one Analytics Engine data point when the binding exists, and this
// isolate's counters for the status page. Nothing here may fail a request:
// a metrics write that throws is logged once and otherwise ignored.
import type { IsolateStats } from "../core/ops/isolate-stats";
import { alwaysLogged, dataPoint, levelOf, logFields, parseSampleRate, type RequestOutcome } from "../core/ops/request-record";
import type { Env } from "../env";
import type { Logger } from "../log";
import type { RequestTrace } from "./trace";

export interface ObserverDeps {
  readonly stats: IsolateStats;
  readonly log: Logger;
  readonly nowMs: () => number;
  /** Uniform in [0, 1): which successful requests keep their line under REQUEST_LOG_SAMPLE_RATE. */
  readonly random: () => number;
}

export class RequestObserver {
  private metricsFailureLogged = false;
  /** REQUEST_LOG_SAMPLE_RATE as last read, and what it means: parsed once per distinct value. */
  private sampleRateText: string | undefined;
  private sampleRate = 1;

  constructor(private readonly deps: ObserverDeps) {}

  finish(trace: RequestTrace, request: Request, status: number, errorCode: string | undefined, env: Env): void {
    const durationMs = this.deps.nowMs() - trace.startedMs;
    // Set by routing; a request refused before it (no config, a method fetch cannot send) has neither yet.
    let { host, path } = trace;
    if (host === undefined || path === undefined) {
      const url = new URL(request.url);
      host = url.host;
      path = url.pathname;
    }
    const outcome: RequestOutcome = {
      requestId: trace.requestId,
      method: request.method,
      host,
      path,
      rule: trace.rule,
      pool: trace.pool,
      origin: trace.originUrl,
      status,
      durationMs,
      retried: trace.retried,
      ejected: trace.ejected,
      error: errorCode,
    };
    const rate = this.rateOf(env.REQUEST_LOG_SAMPLE_RATE);
    if (rate >= 1 || alwaysLogged(outcome) || this.deps.random() < rate) this.deps.log[levelOf(outcome)](logFields(outcome));
    this.deps.stats.recordRequest({
      originKey: trace.originKey,
      failedOriginKey: trace.failedOriginKey,
      originAnswered: trace.originAnswered,
      status,
      durationMs,
      errorCode,
    });
    const metrics = env.METRICS;
    if (metrics === undefined) return;
    try {
      metrics.writeDataPoint(dataPoint(outcome));
    } catch (error) {
      if (this.metricsFailureLogged) return;
      this.metricsFailureLogged = true;
      this.deps.log.error({ event: "metrics.write_failed", message: (error as Error).message });
    }
  }

  private rateOf(text: string | undefined): number {
    if (text === this.sampleRateText) return this.sampleRate;
    this.sampleRateText = text;
    const parsed = parseSampleRate(text);
    if (!parsed.ok) this.deps.log.error({ event: "vars.invalid", name: "REQUEST_LOG_SAMPLE_RATE", message: parsed.message });
    this.sampleRate = parsed.rate;
    return this.sampleRate;
  }
}
