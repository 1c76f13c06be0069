// The one interface every selection policy implements. Availability (health
// checks, passive ejection) is decided before a policy runs, as Caddy's
// selection policies only ask `Available()`: a policy never re-implements
// health, it only chooses among the candidates it is handed.
import type { Origin, PolicyName } from "../config/types";

export interface Policy {
  readonly name: PolicyName;
  /**
   * Chooses one origin. `candidates` is non-empty, a subset of the pool's
   * origins in pool order; the result is one of those objects (identity, not a
   * copy). Never throws, never blocks, allocates nothing once warm.
   */
  pick(candidates: readonly Origin[]): Origin;
}

export interface PolicyDeps {
  /** Uniform in [0, 1), as Math.random; injected so tests can seed it. */
  readonly random: () => number;
}

/**
 * Builds a policy for one pool. `previous` is the same pool's policy from the
 * config version being replaced; a factory carries its state over only when it
 * is the same kind of policy, keyed by `Origin.key`.
 */
export type PolicyFactory = (deps: PolicyDeps, previous?: Policy) => Policy;
