// Is a difference between two variants measurable? Each pair runs both
// variants back to back (the order alternating from pair to pair), so the
// machine's drift, which on a shared VM moves throughput by tens of percent
// over seconds, falls on both halves of a pair alike. The change is the mean
// of the pairs' log ratios with its 95% confidence interval (Student's t):
// an interval that contains no change says no difference was measurable, and
// its width says how small a difference this run could have seen.

export interface PairedEstimate {
  /** Pairs with a finite ratio. */
  readonly pairs: number;
  /** Geometric mean of with / without. */
  readonly ratio: number;
  /** 95% confidence interval of the ratio. */
  readonly low: number;
  readonly high: number;
}

/** Two-sided 95% quantiles of Student's t by degrees of freedom (1 to 30); past 30, the normal's 1.96 is close enough. */
const T_95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function tQuantile95(degreesOfFreedom: number): number {
  return degreesOfFreedom >= 1 && degreesOfFreedom <= T_95.length ? T_95[degreesOfFreedom - 1]! : 1.96;
}

/** The ratio with / without over pairs of measurements (positive numbers); NaN bounds with fewer than two pairs. */
export function pairedRatio(pairs: readonly { readonly with: number; readonly without: number }[]): PairedEstimate {
  const logs = pairs.map((p) => Math.log(p.with / p.without)).filter(Number.isFinite);
  const n = logs.length;
  const mean = logs.reduce((sum, x) => sum + x, 0) / n;
  if (n < 2) return { pairs: n, ratio: Math.exp(mean), low: Number.NaN, high: Number.NaN };
  const variance = logs.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (n - 1);
  const half = tQuantile95(n - 1) * Math.sqrt(variance / n);
  return { pairs: n, ratio: Math.exp(mean), low: Math.exp(mean - half), high: Math.exp(mean + half) };
}
