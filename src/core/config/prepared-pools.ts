// A prepared config's pools, each parsed on its first lookup. A config of
// thousands of pools is read by a new isolate that sends its first requests
// to a few of them; parsing every pool up front was the largest part of the
// prepared form's parse after the host groups (BENCHMARKS.md). Config.pools
// stays a ReadonlyMap in declaration order, as parseConfig makes it. A pool
// is stored without what its name gives: the name itself, and each origin's
// key (`${name} ${url}`, as normalize.ts makes it), about a third of a pool.
import type { GraphReader } from "./prepared-graph";
import { isOffsets, isPackedRecord, packRecord, packText, PackedValues, type LazyItems, type LazyWriter, type PackedRecord, type PackedText } from "./prepared-packed";
import type { Origin, Pool } from "./types";

export interface PackedPools {
  /** Each pool as an item of the lazy area (a graph value, [id], when it is not plain JSON), by name. */
  readonly byName: PackedRecord;
  /** The names in declaration order. */
  readonly names: PackedText;
}

/** `encoded` is each pool, or its graph value ([id]) when it is not plain JSON, in declaration order. */
export function packPools(names: readonly string[], encoded: readonly (Pool | readonly unknown[])[], lazy: LazyWriter): PackedPools {
  return { byName: packRecord(names, encoded.map((pool) => (Array.isArray(pool) ? pool : withoutName(pool as Pool))), lazy), names: packText(names) };
}

/** A pool as stored: no name, and an origin's key only when the name does not give it. */
type StoredPool = Omit<Pool, "name" | "origins"> & { readonly origins: readonly (Omit<Origin, "key"> & { readonly key?: string })[] };

/** Without the name and the origins' keys the name gives. */
function withoutName({ name, ...pool }: Pool): StoredPool {
  const derived = (origin: Origin) => origin.key === `${name} ${origin.url}`;
  return { ...pool, origins: pool.origins.map((origin) => (derived(origin) ? omitKey(origin) : origin)) };
}

function omitKey({ key: _key, ...origin }: Origin): Omit<Origin, "key"> {
  return origin;
}

/** The pool back, in the property order normalize.ts gives it (one hidden class per shape). */
function withName(name: string, pool: StoredPool): Pool {
  const origins = pool.origins.map(({ url, weight, key, ...more }): Origin => ({ url, weight, key: key ?? `${name} ${url}`, ...more }));
  return { name, ...pool, origins };
}

export function isPackedPools(value: unknown): value is PackedPools {
  if (typeof value !== "object" || value === null) return false;
  const { byName, names } = value as Partial<PackedPools>;
  return isPackedRecord(byName) && typeof names === "object" && names !== null && typeof names.text === "string" && isOffsets(names.at, names.text) && names.at.length === byName.ko.length;
}

/** Read-only: set, delete and clear throw, as the config is shared by every request of its version. */
export class PreparedPools extends Map<string, Pool> {
  private readonly pools: PackedValues<Pool>;

  constructor(
    private readonly packed: PackedPools,
    lazy: LazyItems,
    graph: GraphReader,
  ) {
    super();
    this.pools = new PackedValues(packed.byName, lazy, (value, name) => {
      if (typeof value !== "object" || value === null) return undefined;
      return Array.isArray(value) ? (graph.value(value) as Pool) : withName(name, value as StoredPool);
    });
  }

  override get(name: string): Pool | undefined {
    return this.pools.get(name);
  }

  override has(name: string): boolean {
    return this.pools.has(name);
  }

  override get size(): number {
    return this.packed.names.at.length - 1;
  }

  override *keys(): MapIterator<string> {
    const { text, at } = this.packed.names;
    for (let i = 0; i + 1 < at.length; i++) yield text.slice(at[i], at[i + 1]);
  }

  override *values(): MapIterator<Pool> {
    for (const name of this.keys()) yield this.get(name)!;
  }

  override *entries(): MapIterator<[string, Pool]> {
    for (const name of this.keys()) yield [name, this.get(name)!];
  }

  override [Symbol.iterator](): MapIterator<[string, Pool]> {
    return this.entries();
  }

  override forEach(callback: (value: Pool, key: string, map: Map<string, Pool>) => void, thisArg?: unknown): void {
    for (const [name, pool] of this.entries()) callback.call(thisArg, pool, name, this);
  }

  override set(_name: string, _pool: Pool): this {
    throw new TypeError("a config's pools are read-only");
  }

  override delete(_name: string): boolean {
    throw new TypeError("a config's pools are read-only");
  }

  override clear(): void {
    throw new TypeError("a config's pools are read-only");
  }
}
