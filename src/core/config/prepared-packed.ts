// The prepared form's large tables packed into long strings and arrays of
// offsets into them, which JSON.parse builds natively without an object per
// host or a string per interned path or pool name. A new isolate runs its
// JavaScript in the interpreter, so nothing here loops over every host or
// string at load: a host is found by binary search over the sorted keys, its
// group's rows are parsed on its first lookup, and a string is sliced out
// when a route that holds it is built. Measured in a fresh workerd at 10,000
// rules, records of host groups and the array of interned strings were most
// of the prepared form's parse (BENCHMARKS.md).
import type { GroupSource } from "../routing/lazy-groups";

/** Six numbers per route (prepared-routes.ts). */
export type Rows = number[];

/**
 * Texts by key, sorted by key: key i is k[ko[i], ko[i + 1]), its text
 * r[ro[i], ro[i + 1]). Host groups: a host (or a wildcard's suffix) and its
 * rows, numbers separated by ","; pools: a name and the pool as JSON.
 */
export interface PackedRecord {
  readonly k: string;
  readonly ko: readonly number[];
  readonly r: string;
  readonly ro: readonly number[];
}

/** Strings: string i is `text[at[i], at[i + 1])`. */
export interface PackedText {
  readonly text: string;
  readonly at: readonly number[];
}

/** Concatenated, with where each begins (and one past the end). */
export function packText(strings: readonly string[]): PackedText {
  const at: number[] = [0];
  for (const text of strings) at.push(at[at.length - 1]! + text.length);
  return { text: strings.join(""), at };
}

/** `texts` by `keys` (no key twice), sorted as `<` compares strings (UTF-16 code units), which the search below uses. */
export function packRecord(keys: readonly string[], texts: readonly string[]): PackedRecord {
  const order = keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  const k = packText(order.map((i) => keys[i]!));
  const r = packText(order.map((i) => texts[i]!));
  return { k: k.text, ko: k.at, r: r.text, ro: r.at };
}

export function packGroups(groups: Readonly<Record<string, Rows>>): PackedRecord {
  const keys = Object.keys(groups);
  return packRecord(keys, keys.map((key) => groups[key]!.join(",")));
}

/** Is `value` a PackedRecord, as far as its outline shows? */
export function isPackedRecord(value: unknown): value is PackedRecord {
  if (typeof value !== "object" || value === null) return false;
  const { k, ko, r, ro } = value as Partial<PackedRecord>;
  return typeof k === "string" && typeof r === "string" && isOffsets(ko, k) && isOffsets(ro, r) && ko.length === ro.length;
}

/** Offsets into `text`: at least [0, text.length]; each one is only read when used, so only the ends are checked. */
export function isOffsets(value: unknown, text: string): value is readonly number[] {
  return Array.isArray(value) && value.length >= 1 && value[0] === 0 && value[value.length - 1] === text.length;
}

/** A packed record's values by key: a key is found by binary search, its value parsed on first lookup and kept. */
export class PackedValues<T> implements GroupSource<T> {
  private readonly parsed = new Map<string, T>();

  constructor(
    private readonly packed: PackedRecord,
    private readonly parse: (text: string, key: string) => T,
  ) {}

  get(key: string): T | undefined {
    const done = this.parsed.get(key);
    if (done !== undefined) return done;
    const i = this.find(key);
    if (i < 0) return undefined;
    const { r, ro } = this.packed;
    const value = this.parse(r.slice(ro[i], ro[i + 1]), key);
    this.parsed.set(key, value);
    return value;
  }

  get size(): number {
    return this.packed.ko.length - 1;
  }

  /** Every key, in order. */
  *keys(): IterableIterator<string> {
    for (let i = 0; i < this.size; i++) yield this.key(i);
  }

  private key(i: number): string {
    const { k, ko } = this.packed;
    return k.slice(ko[i], ko[i + 1]);
  }

  /** The index of `key`, or -1. */
  private find(key: string): number {
    let low = 0;
    let high = this.size - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const at = this.key(mid);
      if (at === key) return mid;
      if (at < key) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }
}

/** Host groups: a group's rows are parsed on its first lookup. */
export class PackedGroupSource extends PackedValues<Rows> {
  constructor(packed: PackedRecord) {
    super(packed, parseRows);
  }
}

/** Numbers separated by ","; a bad cell is NaN, which matches no route (never written by apply). */
function parseRows(text: string): Rows {
  return text.split(",").map(Number);
}

/** The interned strings of a packed text, each sliced out on first use and then kept. */
export class PackedStrings {
  private readonly cut: (string | undefined)[];

  constructor(private readonly packed: PackedText) {
    this.cut = new Array<string | undefined>(Math.max(0, packed.at.length - 1));
  }

  /** The i-th string; "" outside the table (a row written by a bug, never by apply). */
  at(i: number): string {
    const done = this.cut[i];
    if (done !== undefined) return done;
    const { text, at } = this.packed;
    if (!(i >= 0 && i < at.length - 1)) return "";
    return (this.cut[i] = text.slice(at[i], at[i + 1]));
  }
}
