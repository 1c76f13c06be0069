// Which origins of a pool may take this request, decided once before any
// policy runs (as Caddy's selection policies all ask `Available()` instead of
// re-implementing health). Runs on every proxied request, so the common case,
// nothing down and nothing ejected, reads one cached flag and one clock value
// and returns `pool.origins` itself without building an array.
import type { Origin, Pool } from "../config/types";
import type { PassiveEjector } from "./ejection";
import { isDown, type HealthSnapshot } from "./snapshot";

export interface Availability {
  /** Origins to pick from; empty only when allDown. */
  readonly origins: readonly Origin[];
  /** Every origin is down by health: the caller applies the pool's whenAllDown. */
  readonly allDown: boolean;
}

const ALL_DOWN: Availability = Object.freeze({ origins: Object.freeze([]), allDown: true });

/** Whether a snapshot has any down record, computed once per snapshot (snapshots are immutable). */
const anyDownCache = new WeakMap<HealthSnapshot, boolean>();

function anyDown(health: HealthSnapshot): boolean {
  let down = anyDownCache.get(health);
  if (down === undefined) {
    down = Object.values(health.origins).some((r) => !r.up);
    anyDownCache.set(health, down);
  }
  return down;
}

export function availableOrigins(pool: Pool, health: HealthSnapshot, ejector: PassiveEjector): Availability {
  const up = anyDown(health) ? upOrigins(pool.origins, health) : pool.origins;
  if (up.length === 0) return ALL_DOWN;
  if (!ejector.anyEjected()) return { origins: up, allDown: false };
  let kept: Origin[] | undefined;
  for (let i = 0; i < up.length; i++) {
    const origin = up[i]!;
    if (ejector.isEjected(origin.key)) {
      kept ??= up.slice(0, i);
    } else if (kept) {
      kept.push(origin);
    }
  }
  // Ejection never empties a pool: with every up origin ejected, ignore
  // ejection for this pick rather than fail what health says could work.
  if (!kept || kept.length === 0) return { origins: up, allDown: false };
  return { origins: kept, allDown: false };
}

/** The origins not down by health; the input array itself when none is down. */
function upOrigins(origins: readonly Origin[], health: HealthSnapshot): readonly Origin[] {
  let kept: Origin[] | undefined;
  for (let i = 0; i < origins.length; i++) {
    const origin = origins[i]!;
    if (isDown(health, origin.key)) {
      kept ??= origins.slice(0, i);
    } else if (kept) {
      kept.push(origin);
    }
  }
  return kept ?? origins;
}
