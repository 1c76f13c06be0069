// A latency histogram of fixed size: one counter per bucket, so recording
// costs a few comparisons and memory never grows with traffic. Quantiles are
// read as the upper bound of the bucket they fall in ("p95 <= 250 ms"), the
// way Prometheus histograms are read; exact enough to tell 5 ms from 500 ms.

/**
 * Upper bounds of the buckets, in ms. The last one is past anything a request
 * can take (a pool's timeoutMs is at most 600,000 and only connection
 * failures, which are quick, are retried); anything longer counts in it.
 */
export const LATENCY_BOUNDS_MS: readonly number[] = Object.freeze([1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 1_200_000]);

export class LatencyHistogram {
  private readonly counts = new Uint32Array(LATENCY_BOUNDS_MS.length);
  private total = 0;
  private sumMs = 0;

  record(ms: number): void {
    let i = 0;
    while (i < LATENCY_BOUNDS_MS.length - 1 && ms > LATENCY_BOUNDS_MS[i]!) i++;
    this.counts[i]!++;
    this.total++;
    this.sumMs += ms;
  }

  get count(): number {
    return this.total;
  }

  get meanMs(): number | undefined {
    return this.total === 0 ? undefined : this.sumMs / this.total;
  }

  /** Upper bound (ms) of the bucket holding the q-quantile, q in (0, 1]; undefined with no samples. */
  quantileMs(q: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return LATENCY_BOUNDS_MS[i]!;
    }
    return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]!;
  }
}
