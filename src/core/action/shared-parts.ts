// The parts of route actions that many rules have in common, made once and
// shared: one frozen array per list of filters, one backend object per
// (pool, weight, filters), one array per list of backends. Every rule has
// its own action (it names its rule), and a request reads the action's
// filters and backends. On a large config with an allow list on every path,
// or the same backendRefs on many HTTPRoute rules, per-rule copies of these
// are mostly out of the CPU caches; shared ones are not (BENCHMARKS.md, "By
// kind of route"). Everything here is frozen and holds no state, so sharing
// it across rules and config versions changes nothing else.
import type { Filter } from "../filters/filter";
import { SharedByKey } from "../values-by-key";
import type { Backend } from "./action";

/**
 * Frozen arrays by the objects in them, in order: one node per object on the
 * way, held weakly, so a list lives no longer than the objects it holds.
 */
class SharedLists<T extends object> {
  private readonly root: ListNode<T> = { next: new WeakMap() };

  constructor(readonly empty: readonly T[]) {}

  of(items: readonly T[]): readonly T[] {
    if (items.length === 0) return this.empty;
    let node = this.root;
    for (const item of items) {
      let next = node.next.get(item);
      if (next === undefined) {
        next = { next: new WeakMap() };
        node.next.set(item, next);
      }
      node = next;
    }
    node.list ??= Object.freeze([...items]);
    return node.list;
  }
}

interface ListNode<T extends object> {
  list?: readonly T[];
  readonly next: WeakMap<T, ListNode<T>>;
}

/** The filters of every action and backend that has none. */
export const NO_FILTERS: readonly Filter[] = Object.freeze([]);

const filterLists = new SharedLists<Filter>(NO_FILTERS);
const backendLists = new SharedLists<Backend>(Object.freeze([]));

/**
 * A frozen array of `filters`, the same array for every list of the same
 * filter objects in the same order (compiled filters are themselves shared
 * when their settings are equal, e.g. filters/access-control.ts).
 */
export function sharedFilterList(filters: readonly Filter[]): readonly Filter[] {
  return filterLists.of(filters);
}

/** A frozen array of `backends`, the same array for every list of the same backend objects. */
export function sharedBackendList(backends: readonly Backend[]): readonly Backend[] {
  return backendLists.of(backends);
}

/** Backends by their filter list (held weakly), then by name, pool and weight. */
const BACKENDS = new WeakMap<readonly Filter[], SharedByKey<Backend>>();
const MAX_BACKENDS_PER_LIST = 65_536;

/**
 * The backend `name` -> `pool` (undefined: no such pool) at `weight`, with
 * `filters`: one frozen object for every rule that writes the same. Never a
 * canary's: sticky.ts tells the canary's backend from the main one by
 * identity, so a canary backend is always an object of its own.
 */
export function sharedBackend(name: string, pool: string | undefined, weight: number, filters: readonly Filter[]): Backend {
  const list = sharedFilterList(filters);
  let byKey = BACKENDS.get(list);
  if (byKey === undefined) {
    byKey = new SharedByKey(MAX_BACKENDS_PER_LIST);
    BACKENDS.set(list, byKey);
  }
  return byKey.of(JSON.stringify([name, pool ?? null, weight]), () => Object.freeze({ name, pool, weight, filters: list }));
}

/** The backends of an action that sends everything to `pool`, unfiltered. */
export function poolBackends(pool: string): readonly Backend[] {
  return sharedBackendList([sharedBackend(pool, pool, 1, NO_FILTERS)]);
}
