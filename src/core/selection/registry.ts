// Policies by name, as grpc-go registers balancers: the config names a policy,
// the runtime builds one per pool per config version through createPolicy.
import type { PolicyName } from "../config/types";
import { leastRecent } from "./least-recent";
import type { Policy, PolicyDeps, PolicyFactory } from "./policy";
import { weightedRandom } from "./random";
import { roundRobin } from "./round-robin";

export const policies: Readonly<Record<PolicyName, PolicyFactory>> = Object.freeze({
  random: weightedRandom,
  "round-robin": roundRobin,
  "least-recent": leastRecent,
});

/**
 * Builds the policy `name` for a pool. State (round-robin position,
 * least-recent history) carries over from `previous` only if it is the same
 * policy; a pool that switches policy starts fresh.
 */
export function createPolicy(name: PolicyName, deps: PolicyDeps, previous?: Policy): Policy {
  return policies[name](deps, previous?.name === name ? previous : undefined);
}
