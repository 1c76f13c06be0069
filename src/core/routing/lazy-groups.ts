// Host groups built on their first lookup. Compiling every host of a large
// config up front is most of a new isolate's first request (BENCHMARKS.md:
// tens of milliseconds at 10,000 rules), while an isolate usually serves a
// few hosts: each group is built when a request first asks for its host, then
// kept. Matching is unchanged: a group is the same object either way. What a
// group is built from is kept as data (`T`), not as a closure per host, so
// registering 100,000 hosts allocates little.
import type { HostGroup } from "./host-group";

export class LazyHostGroups<T = () => HostGroup> extends Map<string, HostGroup> {
  private readonly pending = new Map<string, T>();
  private readonly build: (key: string, from: T) => HostGroup;

  /** Without `build`, what is deferred is a function that builds the group. */
  constructor(build?: (key: string, from: T) => HostGroup) {
    super();
    this.build = build ?? ((_key, from) => (from as () => HostGroup)());
  }

  /** Registers what the group of `key` is built from; nothing is built yet. */
  defer(key: string, from: T): void {
    this.pending.set(key, from);
  }

  override get(key: string): HostGroup | undefined {
    const built = super.get(key);
    if (built !== undefined) return built;
    const from = this.pending.get(key);
    if (from === undefined) return undefined;
    const group = this.build(key, from);
    this.pending.delete(key);
    super.set(key, group);
    return group;
  }

  override has(key: string): boolean {
    return super.has(key) || this.pending.has(key);
  }

  /** Every host, built or not. */
  override get size(): number {
    return super.size + this.pending.size;
  }
}
