// Per-origin policy state (a round-robin current weight, a least-recent pass)
// that outlives a config reload for origins whose key (pool and URL) is
// unchanged.
//
// A policy is never told its pool's full membership, only the candidates of
// each pick, so stale keys are dropped by generation: a reload keeps the state
// of the keys the outgoing version met as candidates. If the outgoing version
// never picked at all (two reloads in a row), it passes on what it inherited
// instead, so a burst of reloads does not reset every pool. The table thus
// holds at most two generations of keys and cannot grow across many reloads.
// An origin that stayed unavailable for a whole config version forgets its
// state and starts over as a newcomer: round-robin restarts its current weight
// at 0, least-recent picks it next, just as it would a returning origin.

export class OriginStates<T> {
  /** Keys met as candidates in this config version. */
  private readonly seen = new Map<string, T>();
  /** Copied from the previous version, not yet met here. */
  private readonly carried = new Map<string, T>();
  /** The last list forList() was given, and its states. */
  private list: readonly { readonly key: string }[] | undefined = undefined;
  private listStates: readonly T[] = [];

  /**
   * @param fresh state of a key met for the first time
   * @param clone copies a carried state, so the outgoing policy (which may
   *   still serve a retry) and this one never share mutable objects
   */
  constructor(
    private readonly fresh: () => T,
    clone: (state: T) => T,
    previous?: OriginStates<T>,
  ) {
    if (previous === undefined) return;
    const source = previous.seen.size > 0 ? previous.seen : previous.carried;
    for (const [key, state] of source) this.carried.set(key, clone(state));
  }

  /** The mutable state of a candidate; marks its key as still in use. */
  of(key: string): T {
    let state = this.seen.get(key);
    if (state === undefined) {
      state = this.carried.get(key);
      if (state === undefined) state = this.fresh();
      else this.carried.delete(key);
      this.seen.set(key, state);
    }
    return state;
  }

  /**
   * The states of `candidates`, in their order (each marked as in use, as
   * of() marks it). A pool hands the same array for as long as its origins'
   * availability does not change, so the answer is kept for that array: a
   * pick then looks up no key.
   */
  forList(candidates: readonly { readonly key: string }[]): readonly T[] {
    if (candidates !== this.list) {
      const states: T[] = [];
      for (const candidate of candidates) states.push(this.of(candidate.key));
      this.listStates = states;
      this.list = candidates;
    }
    return this.listStates;
  }

  /** Visits every stored state (for a rebase of virtual clocks). */
  forEach(visit: (state: T) => void): void {
    for (const state of this.seen.values()) visit(state);
    for (const state of this.carried.values()) visit(state);
  }

  /** Number of keys held; for tests of the no-leak bound. */
  get size(): number {
    return this.seen.size + this.carried.size;
  }
}
