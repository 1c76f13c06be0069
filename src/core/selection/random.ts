// Weighted random: each candidate with probability weight / sum of the
// candidates' weights. kube-proxy's iptables mode draws the same distribution
// with a chain of `-m statistic --mode random --probability p` rules, where
// rule i matches with 1/(n-i) of what reaches it (uniform weights); one draw
// over the cumulative weights is the weighted, single-call form of that chain.
// Stateless, so nothing carries over a reload.
import type { Origin } from "../config/types";
import type { Policy, PolicyDeps, PolicyFactory } from "./policy";

class WeightedRandom implements Policy {
  readonly name = "random";

  constructor(private readonly random: () => number) {}

  /** Calls `random` once per pick, or not at all for a single candidate. */
  pick(candidates: readonly Origin[]): Origin {
    const last = candidates.length - 1;
    if (last <= 0) return candidates[0] as Origin;
    let total = 0;
    for (const origin of candidates) total += origin.weight;
    let remaining = this.random() * total;
    for (let i = 0; i < last; i++) {
      const origin = candidates[i] as Origin;
      remaining -= origin.weight;
      if (remaining < 0) return origin;
    }
    // The last candidate takes the rest, including a draw that rounding (or a
    // misbehaving `random`) pushed to or past the total: never throw.
    return candidates[last] as Origin;
  }
}

export const weightedRandom: PolicyFactory = (deps: PolicyDeps) => new WeightedRandom(deps.random);
