// Values kept per pool (its policy, its action, its affinity), each built on
// the pool's first lookup: a new isolate of a config with thousands of pools
// builds those its first requests use, not all of them (BENCHMARKS.md,
// first request of a fresh isolate).
import type { Pool } from "./config/types";

/** What the request path asks of a per-pool table. */
export interface PoolLookup<V> {
  get(pool: string): V | undefined;
}

/** Stands for "this pool has no such value" in the table, so that finding it out is one lookup too. */
const ABSENT: unique symbol = Symbol("absent");

export class PerPool<V> implements PoolLookup<V> {
  private readonly values = new Map<string, V | typeof ABSENT>();

  /** `make` answers undefined for a pool that has no such value (an affinity it does not set). */
  constructor(
    private readonly pools: ReadonlyMap<string, Pool>,
    private readonly make: (pool: Pool) => V | undefined,
  ) {}

  /** One Map lookup once the pool's value is built (every request asks for a few). */
  get(name: string): V | undefined {
    const value = this.values.get(name);
    if (value === ABSENT) return undefined;
    if (value !== undefined) return value;
    const pool = this.pools.get(name);
    if (pool === undefined) return undefined;
    const made = this.make(pool);
    this.values.set(name, made === undefined ? ABSENT : made);
    return made;
  }

  /** Every pool, built or not. */
  get size(): number {
    return this.pools.size;
  }

  /** The values built so far (what a next config's policies carry their state over from). */
  built(): ReadonlyMap<string, V> {
    const built = new Map<string, V>();
    for (const [name, value] of this.values) if (value !== ABSENT) built.set(name, value);
    return built;
  }
}
