// How many requests a traffic-split check needs. A share measured over n
// requests is off by sqrt(p(1-p)/n) on average (the binomial standard
// deviation), so a fixed sample can fail a correct router by chance: 500
// requests and a tolerance of 0.05 around a 50% share is only 2.2 standard
// deviations, a failure in about every 35 runs. With the tolerance at least
// 5 standard deviations, a correct router fails about once in 1.7 million
// checks, while a split that is off by more than the tolerance still fails.

const STANDARD_DEVIATIONS = 5;

/** The requests to send: at least `atLeast`, and enough for every expected share. */
export function samplesFor(shares: readonly number[], tolerance: number, atLeast: number): number {
  let needed = atLeast;
  for (const p of shares) {
    if (p <= 0 || p >= 1) continue;
    needed = Math.max(needed, Math.ceil((STANDARD_DEVIATIONS ** 2 * p * (1 - p)) / tolerance ** 2));
  }
  return needed;
}
