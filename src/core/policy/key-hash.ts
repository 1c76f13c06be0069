// The hashes rendezvous hashing (consistent-hash.ts) is built on: FNV-1a over
// a key's UTF-16 code units, from two seeds so that a key gives 64 bits, and
// MurmurHash3's 32-bit finalizer for avalanche. What these compute decides
// which origin a balanced affinity cookie or a hashed header leads to, so it
// must not change between releases (consistent-hash.test.ts pins it).

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a's state before any text, for one seed. */
export function fnvStart(seed: number): number {
  return (FNV_OFFSET ^ seed) >>> 0;
}

/**
 * A key's two FNV-1a states after some text, written by the pair hashes
 * below to this one object rather than returned, so that hashing a key
 * allocates nothing (every request to a pool with affinity hashes one).
 * Read it before hashing anything else: every hash here writes it, the
 * candidates' own hashes (hashText) included.
 */
export const pairState = { first: 0, second: 0 };

/**
 * Both states after `text`, from the states before it, in one pass: the two
 * multiply chains do not depend on each other, so the CPU runs them side by
 * side. The result is in pairState.
 */
export function hashPair(first: number, second: number, text: string): void {
  let h = first;
  let h2 = second;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h = Math.imul(h ^ code, FNV_PRIME);
    h2 = Math.imul(h2 ^ code, FNV_PRIME);
  }
  pairState.first = h >>> 0;
  pairState.second = h2 >>> 0;
}

/**
 * hashPair(first, second, text.slice(from, to)) when that part of the text is
 * lowercase hex digits (a session key as affinity writes it), read where it
 * lies in the text (no slice, no regular expression); false, with pairState
 * undefined, at the first other character.
 */
export function hashHexPair(first: number, second: number, text: string, from: number, to: number): boolean {
  let h = first;
  let h2 = second;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (!((code >= DIGIT_0 && code <= DIGIT_9) || (code >= LOWER_A && code <= LOWER_F))) return false;
    h = Math.imul(h ^ code, FNV_PRIME);
    h2 = Math.imul(h2 ^ code, FNV_PRIME);
  }
  pairState.first = h >>> 0;
  pairState.second = h2 >>> 0;
  return true;
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const LOWER_A = 0x61;
const LOWER_F = 0x66;

/** hashPair(first, second, `counter` as four lowercase hex digits), from the digits' codes: no string is made. */
export function hashHex4Pair(first: number, second: number, counter: number): void {
  let h = first;
  let h2 = second;
  for (let shift = 12; shift >= 0; shift -= 4) {
    const code = HEX_CODES[(counter >>> shift) & 0xf]!;
    h = Math.imul(h ^ code, FNV_PRIME);
    h2 = Math.imul(h2 ^ code, FNV_PRIME);
  }
  pairState.first = h >>> 0;
  pairState.second = h2 >>> 0;
}

/** FNV-1a over UTF-16 code units, then the MurmurHash3 finalizer (once per origin: the pair's unused second state costs nothing worth a second loop). */
export function hashText(text: string, seed: number): number {
  hashPair(fnvStart(seed), 0, text);
  return fmix32(pairState.first);
}

/** MurmurHash3's 32-bit finalizer. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The UTF-16 codes of "0".."9" and "a".."f". */
export const HEX_CODES: readonly number[] = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
