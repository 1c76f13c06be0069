// Which origins of a pool may take a request: health and passive ejection
// decide availability once, then whenAllDown (fail-open, 503, or a fallback
// pool; chains were checked for loops at parse time). "None available" is a
// value the edge turns into a response.
import type { Origin, Pool } from "../config/types";
import { availableOrigins, type HealthSnapshot, type PassiveEjector } from "../health";
import type { PerPool } from "../per-pool";
import type { PoolLane } from "../runtime";

export type PoolChoice =
  | { readonly kind: "origins"; readonly lane: PoolLane; readonly candidates: readonly Origin[] }
  | { readonly kind: "all-down"; readonly pool: Pool }
  | { readonly kind: "no-pool"; readonly name: string };

export function choosePool(lanes: PerPool<PoolLane>, name: string, health: HealthSnapshot, ejector: PassiveEjector): PoolChoice {
  let lane = lanes.get(name);
  for (let hops = 0; lane && hops <= lanes.size; hops++) {
    const pool = lane.pool;
    const available = availableOrigins(pool, health, ejector);
    if (!available.allDown) return { kind: "origins", lane, candidates: available.origins };
    const rule = pool.whenAllDown;
    if (rule.kind === "fail-open") return { kind: "origins", lane, candidates: pool.origins };
    if (rule.kind === "503") return { kind: "all-down", pool };
    lane = lanes.get(rule.pool);
  }
  return { kind: "no-pool", name };
}
