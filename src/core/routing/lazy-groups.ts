// Host groups built on their first lookup. Compiling every host of a large
// config up front is most of a new isolate's first request (BENCHMARKS.md:
// tens of milliseconds at 10,000 rules), while an isolate usually serves a
// few hosts: each group is built when a request first asks for its host, then
// kept. Matching is unchanged: a group is the same object either way. What
// a group is built from is looked up in `source` (a Map, or the record a
// prepared config was parsed into), so registering 100,000 hosts costs
// nothing per host.
import type { HostGroup } from "./host-group";

/** What the groups are built from, by key; `size` counts every key. */
export interface GroupSource<T> {
  get(key: string): T | undefined;
  /** Whether `key` has a value, without building it. */
  has(key: string): boolean;
  readonly size: number;
}

/** Also for other values built on first lookup (a prepared config's route affinities, runtime.ts). */
export class LazyHostGroups<T, V = HostGroup> extends Map<string, V> {
  private readonly source: GroupSource<T>;
  private readonly build: (key: string, from: T) => V;

  constructor(source: GroupSource<T>, build: (key: string, from: T) => V) {
    super();
    this.source = source;
    this.build = build;
  }

  override get(key: string): V | undefined {
    const built = super.get(key);
    if (built !== undefined) return built;
    const from = this.source.get(key);
    if (from === undefined) return undefined;
    const group = this.build(key, from);
    super.set(key, group);
    return group;
  }

  override has(key: string): boolean {
    return super.has(key) || this.source.has(key);
  }

  /** Every host, built or not. */
  override get size(): number {
    return this.source.size;
  }
}

/** A record (from JSON.parse) as a GroupSource: own keys only, so "__proto__" or "constructor" are hosts like any other. */
export function recordSource<T>(record: Readonly<Record<string, T>>): GroupSource<T> {
  let size: number | undefined;
  return {
    get: (key) => (Object.hasOwn(record, key) ? record[key] : undefined),
    has: (key) => Object.hasOwn(record, key),
    get size() {
      return (size ??= Object.keys(record).length);
    },
  };
}
