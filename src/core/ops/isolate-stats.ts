// Traffic seen by this isolate: per-origin request, error and latency
// counters, passive ejections, and router errors by code. Cloudflare runs
// many isolates, each with its own copy, so these are samples of the whole
// traffic, labelled as such wherever they are shown; the Analytics Engine
// data points are the global view. Memory is bounded whatever the traffic.
import { LatencyHistogram } from "./latency";

/** Cap on origins tracked at once; past it the entry seen first is dropped. */
export const MAX_TRACKED_ORIGINS = 2048;
/** Ejections remembered for the status page, newest first. */
export const MAX_KEPT_EJECTIONS = 20;

export interface OriginCounters {
  /** Attempts sent to this origin (a retried request counts on both origins). */
  requests: number;
  /** Attempts that failed to connect or timed out, or answered 5xx. */
  errors: number;
  /** Responses by status class: index 1 for 1xx ... 5 for 5xx. */
  readonly byClass: number[];
  readonly latency: LatencyHistogram;
  /** Passive ejections of this origin in this isolate. */
  ejections: number;
  lastEjectedAtMs: number | undefined;
}

export interface Ejection {
  readonly key: string;
  readonly atMs: number;
  readonly untilMs: number;
}

/** One finished request, as the request path saw it. */
export interface RequestSample {
  /** The origin that gave the final answer or failure; undefined when none was tried. */
  readonly originKey: string | undefined;
  /** An origin that failed before a retry on another one. */
  readonly failedOriginKey: string | undefined;
  /** False when the final attempt failed to connect or timed out. */
  readonly originAnswered: boolean;
  readonly status: number;
  readonly durationMs: number;
  /** The router's own error code, when the router answered (404, 502, 503, 504, ...). */
  readonly errorCode: string | undefined;
}

export class IsolateStats {
  readonly startedAtMs: number;
  private readonly origins = new Map<string, OriginCounters>();
  private readonly ejections: Ejection[] = [];
  private readonly routerErrors = new Map<string, number>();
  private requestCount = 0;

  constructor(private readonly nowMs: () => number) {
    this.startedAtMs = nowMs();
  }

  recordRequest(sample: RequestSample): void {
    this.requestCount++;
    if (sample.errorCode !== undefined) this.routerErrors.set(sample.errorCode, (this.routerErrors.get(sample.errorCode) ?? 0) + 1);
    if (sample.failedOriginKey !== undefined) {
      const failed = this.counters(sample.failedOriginKey);
      failed.requests++;
      failed.errors++;
    }
    if (sample.originKey === undefined) return;
    const counters = this.counters(sample.originKey);
    counters.requests++;
    counters.latency.record(sample.durationMs);
    if (!sample.originAnswered) {
      counters.errors++;
      return;
    }
    const statusClass = Math.floor(sample.status / 100);
    if (statusClass >= 1 && statusClass <= 5) counters.byClass[statusClass]!++;
    if (statusClass === 5) counters.errors++;
  }

  recordEjection(key: string, untilMs: number): void {
    const atMs = this.nowMs();
    const counters = this.counters(key);
    counters.ejections++;
    counters.lastEjectedAtMs = atMs;
    this.ejections.unshift({ key, atMs, untilMs });
    if (this.ejections.length > MAX_KEPT_EJECTIONS) this.ejections.pop();
  }

  /** Counters of one origin; undefined when this isolate has seen nothing of it. */
  origin(key: string): Readonly<OriginCounters> | undefined {
    return this.origins.get(key);
  }

  /** The last ejections, newest first. */
  recentEjections(): readonly Ejection[] {
    return this.ejections;
  }

  get requests(): number {
    return this.requestCount;
  }

  /** Router answers by error code (no-route, origin-unreachable, ...). */
  errorsByCode(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.routerErrors);
  }

  get trackedOrigins(): number {
    return this.origins.size;
  }

  private counters(key: string): OriginCounters {
    let counters = this.origins.get(key);
    if (!counters) {
      if (this.origins.size >= MAX_TRACKED_ORIGINS) {
        const oldest = this.origins.keys().next();
        if (!oldest.done) this.origins.delete(oldest.value);
      }
      counters = { requests: 0, errors: 0, byClass: [0, 0, 0, 0, 0, 0], latency: new LatencyHistogram(), ejections: 0, lastEjectedAtMs: undefined };
      this.origins.set(key, counters);
    }
    return counters;
  }
}
