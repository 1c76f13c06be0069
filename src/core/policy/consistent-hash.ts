// Weighted consistent hashing by rendezvous (highest random weight) hashing:
// every candidate gets a score from hash(key, candidate) and the highest
// wins. Removing a candidate moves only the keys it held (each to the
// runner-up), adding one takes only the keys it now wins, and nothing is
// stored: no ring to rebuild when the set of available origins changes.
// Weights use the logarithmic method (score = -weight / ln(u), u uniform in
// (0, 1)), under which a candidate wins with probability weight / total
// weight (Schindelhauer and Schomaker, "Weighted distributed hash tables",
// 2005; "rendezvous hashing", Thaler and Ravishankar, 1998). The scores are
// in rendezvous-scoring.ts, the key hashes in key-hash.ts.
// Used for session affinity's balanced mode and for hashing requests by a
// key (ingress-nginx upstream-hash-by: a header, the client address).
import { fnvStart, hashHex4Pair, hashHexPair, hashPair, pairState } from "./key-hash";
import { pickByState, pickIndexByState, scoringOf, type Scoring, type Weighted } from "./rendezvous-scoring";

export type { Scoring, Weighted } from "./rendezvous-scoring";

const KEY_START = fnvStart(0x2545f491);
const KEY_START_2 = fnvStart(0x9e3779b9);

/** The candidate that `key` maps to; undefined only for an empty list. Never throws. */
export function rendezvousPick<T extends Weighted>(candidates: readonly T[], key: string): T | undefined {
  return pickKey(candidates, key, scoringOf(candidates));
}

function pickKey<T extends Weighted>(candidates: readonly T[], key: string, scoring: Scoring): T | undefined {
  hashPair(KEY_START, KEY_START_2, typeof key === "string" ? key : String(key));
  return pickByState(candidates, scoring, pairState.first, pairState.second);
}

/**
 * A key prefix's two hash states, in pairState: with them,
 * RendezvousHasher.pickIndexHex4 scores prefix + a four-digit counter without
 * hashing the prefix again. Read pairState before hashing anything else.
 */
export function hashKeyPrefix(prefix: string): void {
  hashPair(KEY_START, KEY_START_2, prefix);
}

/**
 * Rendezvous picks for one pool, scored against the last candidate list it
 * was given: it holds that list's scoring in its own fields. A pool hands the
 * same array while its origins' availability does not change, so a pick then
 * reads this object (often the pool's affinity itself, which extends it)
 * instead of probing a table shared by every pool, which on a large config is
 * mostly not in the CPU caches.
 */
export class RendezvousHasher implements Scoring {
  private list: readonly Weighted[] | undefined = undefined;
  nodeHashes: Uint32Array = NO_HASHES;
  uniform = false;

  /** rendezvousPick(candidates, key). */
  pickByKey<T extends Weighted>(candidates: readonly T[], key: string): T | undefined {
    return pickKey(candidates, key, this.scoredFor(candidates));
  }

  /**
   * rendezvousPick(candidates, text.slice(from, to)) when that part of the
   * text is lowercase hex digits, else undefined: a session key hashed where
   * it lies in the Cookie header, checked in the same pass.
   */
  pickHex<T extends Weighted>(candidates: readonly T[], text: string, from: number, to: number): T | undefined {
    // Scored first: scoring a list not seen before hashes its candidates through pairState too.
    const scoring = this.scoredFor(candidates);
    if (!hashHexPair(KEY_START, KEY_START_2, text, from, to)) return undefined;
    return pickByState(candidates, scoring, pairState.first, pairState.second);
  }

  /**
   * The index of rendezvousPick(candidates, prefix + `counter` as four
   * lowercase hex digits), from the prefix's states (hashKeyPrefix); -1 only
   * for an empty list. A new session tries several counters after one
   * prefix, and no string is made for a try.
   */
  pickIndexHex4(candidates: readonly Weighted[], prefixFirst: number, prefixSecond: number, counter: number): number {
    const scoring = this.scoredFor(candidates);
    hashHex4Pair(prefixFirst, prefixSecond, counter);
    return pickIndexByState(candidates, scoring, pairState.first, pairState.second);
  }

  private scoredFor(candidates: readonly Weighted[]): Scoring {
    if (candidates !== this.list) {
      const scoring = scoringOf(candidates);
      this.nodeHashes = scoring.nodeHashes;
      this.uniform = scoring.uniform;
      this.list = candidates;
    }
    return this;
  }
}

const NO_HASHES = new Uint32Array(0);
