// The parts of Ingress path actions that many paths have in common, made
// once and shared: one frozen array per list of filters and one backend list
// per pool. Every Ingress path has its own action (it names its rule), and
// a request reads the action's filters and backends. On a large config with
// an allow list on every path, per-path copies of these arrays are mostly
// out of the CPU caches; shared ones are not (BENCHMARKS.md, "allow list +
// cookie affinity"). Everything here is frozen and holds no state, so
// sharing it across paths and config versions changes nothing else.
import type { Filter } from "../filters/filter";
import type { Backend } from "./action";

/** The filters of every action and backend that has none. */
export const NO_FILTERS: readonly Filter[] = Object.freeze([]);

/**
 * Lists of filters by the filter objects in them, in order: one node per
 * filter on the way, held weakly, so a list lives no longer than its filters
 * (compiled filters are themselves shared when their settings are equal,
 * filters/access-control.ts).
 */
interface FilterListNode {
  list?: readonly Filter[];
  readonly next: WeakMap<Filter, FilterListNode>;
}

const FILTER_LISTS: FilterListNode = { next: new WeakMap() };

/** A frozen array of `filters`, the same array for every list of the same filter objects in the same order. */
export function sharedFilterList(filters: readonly Filter[]): readonly Filter[] {
  if (filters.length === 0) return NO_FILTERS;
  let node = FILTER_LISTS;
  for (const filter of filters) {
    let next = node.next.get(filter);
    if (next === undefined) {
      next = { next: new WeakMap() };
      node.next.set(filter, next);
    }
    node = next;
  }
  node.list ??= Object.freeze([...filters]);
  return node.list;
}

/** Pool name -> the backend list of an action sending everything to that pool (bounded: cleared when full). */
const POOL_BACKENDS = new Map<string, readonly Backend[]>();
const MAX_POOL_BACKENDS = 65_536;

/**
 * The backends of an action that sends everything to `pool`, unfiltered.
 * Never a canary's: sticky.ts tells the canary's backend from the main one by
 * identity, so a canary backend is always an object of its own.
 */
export function poolBackends(pool: string): readonly Backend[] {
  let backends = POOL_BACKENDS.get(pool);
  if (backends === undefined) {
    if (POOL_BACKENDS.size >= MAX_POOL_BACKENDS) POOL_BACKENDS.clear();
    backends = Object.freeze([Object.freeze({ name: pool, pool, weight: 1, filters: NO_FILTERS })]);
    POOL_BACKENDS.set(pool, backends);
  }
  return backends;
}
