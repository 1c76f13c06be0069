// Stateless compiled values shared by every rule and config version that asks
// with the same key (an allow list, a cookie layout, a backend): one object a
// thousand paths read stays in the CPU caches where a thousand copies would
// not. Bounded: a config rarely has more than a few distinct values, and past
// the bound the table starts over (values already handed out stay valid).
export class SharedByKey<V> {
  private readonly values = new Map<string, V>();

  constructor(private readonly max: number) {}

  /** The value made for `key`, made now by `make` if there is none. */
  of(key: string, make: () => V): V {
    let value = this.values.get(key);
    if (value === undefined) {
      if (this.values.size >= this.max) this.values.clear();
      value = make();
      this.values.set(key, value);
    }
    return value;
  }
}
