// Values kept per pool (its policy, its action, its affinity), each built on
// the pool's first lookup: a new isolate of a config with thousands of pools
// builds those its first requests use, not all of them (BENCHMARKS.md,
// first request of a fresh isolate).
import type { Pool } from "./config/types";

/** What the request path asks of a per-pool table. */
export interface PoolLookup<V> {
  get(pool: string): V | undefined;
}

export class PerPool<V> implements PoolLookup<V> {
  private readonly values = new Map<string, V | undefined>();

  /** `make` answers undefined for a pool that has no such value (an affinity it does not set). */
  constructor(
    private readonly pools: ReadonlyMap<string, Pool>,
    private readonly make: (pool: Pool) => V | undefined,
  ) {}

  get(name: string): V | undefined {
    if (this.values.has(name)) return this.values.get(name);
    const pool = this.pools.get(name);
    if (pool === undefined) return undefined;
    const value = this.make(pool);
    this.values.set(name, value);
    return value;
  }

  /** The values built so far (what a next config's policies carry their state over from). */
  built(): ReadonlyMap<string, V | undefined> {
    return this.values;
  }
}
