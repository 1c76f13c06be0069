// How the prepared form keeps a new isolate from parsing what its first
// requests do not use. The stored value holds a small head, parsed at load,
// and after it the lazy area: a JSON array of items (a host's routes, a
// pool), each found by its byte offsets and decoded and parsed on first use.
// The head holds, per table, the sorted keys packed into one string with
// their offsets, and each key's item offsets: JSON.parse builds them natively
// without an object per key, and a key is found by binary search (a new
// isolate runs its JavaScript in the interpreter, so nothing here loops over
// every key at load). Measured in a fresh workerd at 10,000 rules
// (BENCHMARKS.md): decoding the whole value to text, and building records of
// host groups and arrays of strings, were most of a first request's config
// cost.
import type { GroupSource } from "../routing/lazy-groups";

/** Items of the lazy area by byte offsets within it: [from, to). */
export interface LazyItems {
  parse(from: number, to: number): unknown;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** The lazy area of a value read as bytes, starting at byte `at`. Throws on a range that is not JSON (never written by apply). */
export function lazyItemsOf(bytes: Uint8Array, at: number): LazyItems {
  return { parse: (from, to) => JSON.parse(utf8Decoder.decode(bytes.subarray(at + from, at + to))) };
}

/** Builds the lazy area. */
export class LazyWriter {
  private readonly items: string[] = [];
  /** Where the next item starts: after "[", then after each item and its comma. */
  private end = 1;

  /** Adds a JSON text; returns where it starts. */
  add(json: string): number {
    const at = this.end;
    this.items.push(json);
    this.end += utf8.encode(json).length + 1;
    return at;
  }

  /** One past the comma after the last item added: where item i ends is the start of item i + 1 (or this), minus one. */
  get next(): number {
    return this.end;
  }

  text(): string {
    return `[${this.items.join(",")}]`;
  }
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

/**
 * Items by key, sorted by key: key i is k[ko[i], ko[i + 1]), its item the
 * lazy area's bytes [at[i], at[i + 1] - 1).
 */
export interface PackedRecord {
  readonly k: string;
  readonly ko: readonly number[];
  readonly at: readonly number[];
}

/** `values` (JSON values) by `keys` (no key twice), sorted as `<` compares strings (UTF-16 code units), which the search below uses. */
export function packRecord(keys: readonly string[], values: readonly unknown[], lazy: LazyWriter): PackedRecord {
  const order = keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  const k = packText(order.map((i) => keys[i]!));
  const at = order.map((i) => lazy.add(JSON.stringify(values[i])));
  at.push(lazy.next);
  return { k: k.text, ko: k.at, at };
}

/** Is `value` a PackedRecord, as far as its outline shows? */
export function isPackedRecord(value: unknown): value is PackedRecord {
  if (typeof value !== "object" || value === null) return false;
  const { k, ko, at } = value as Partial<PackedRecord>;
  return typeof k === "string" && isOffsets(ko, k) && Array.isArray(at) && at.length === ko.length;
}

/** Offsets into `text`: at least [0, text.length]; each one is only read when used, so only the ends are checked. */
export function isOffsets(value: unknown, text: string): value is readonly number[] {
  return Array.isArray(value) && value.length >= 1 && value[0] === 0 && value[value.length - 1] === text.length;
}

/** A packed record's values by key: a key is found by binary search, its item parsed on first lookup and kept. */
export class PackedValues<T> implements GroupSource<T> {
  private readonly parsed = new Map<string, T>();

  constructor(
    private readonly packed: PackedRecord,
    private readonly lazy: LazyItems,
    /** The value of a key from its item; undefined when the item is not what the writer writes (a bug, never an edit: the digest covers it). */
    private readonly build: (item: unknown, key: string) => T | undefined,
  ) {}

  get(key: string): T | undefined {
    const done = this.parsed.get(key);
    if (done !== undefined) return done;
    const i = this.find(key);
    if (i < 0) return undefined;
    const { at } = this.packed;
    let item: unknown;
    try {
      item = this.lazy.parse(at[i]!, at[i + 1]! - 1);
    } catch {
      return undefined;
    }
    const value = this.build(item, key);
    if (value !== undefined) this.parsed.set(key, value);
    return value;
  }

  /** Whether there is a value for `key`, without parsing it. */
  has(key: string): boolean {
    return this.parsed.has(key) || this.find(key) >= 0;
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
