// Host groups built on their first lookup. Compiling every host of a large
// config up front is most of a new isolate's first request (BENCHMARKS.md:
// tens of milliseconds at 10,000 rules), while an isolate usually serves a
// few hosts: each group is built when a request first asks for its host, then
// kept. Matching is unchanged: a group is the same object either way.
import type { HostGroup } from "./host-group";

export class LazyHostGroups extends Map<string, HostGroup> {
  private readonly builders = new Map<string, () => HostGroup>();

  /** Registers how to build the group of `key`; nothing is built yet. */
  defer(key: string, build: () => HostGroup): void {
    this.builders.set(key, build);
  }

  override get(key: string): HostGroup | undefined {
    const built = super.get(key);
    if (built !== undefined) return built;
    const build = this.builders.get(key);
    if (build === undefined) return undefined;
    const group = build();
    super.set(key, group);
    return group;
  }

  override has(key: string): boolean {
    return this.builders.has(key);
  }

  /** Every host, built or not. */
  override get size(): number {
    return this.builders.size;
  }
}
