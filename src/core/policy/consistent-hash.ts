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
import { fnvStart, hashCodesPair, hashHex4Pair, hashHexPair, hashPair, pairState } from "./key-hash";
import { pickByState, scoringOf, winsByState, type Scoring, type Weighted } from "./rendezvous-scoring";

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
 * Keys made of a prefix and a four-digit hex counter, scored against one list
 * of candidates: `PrefixPicker.ofCodes(candidates, codes, count).pickHex4(n)`
 * is `rendezvousPick(candidates, prefix + n as four lowercase hex digits)`,
 * the prefix being the first `count` codes (FNV-1a reads the text left to
 * right). A new affinity session tries several counters after one random
 * prefix; the prefix and the candidates' own hashes are computed once for all
 * of them, and the digits are hashed from their codes, with no string per try.
 */
export class PrefixPicker<T extends Weighted> {
  private constructor(
    private readonly candidates: readonly T[],
    private readonly scoring: Scoring,
    private readonly state: number,
    private readonly state2: number,
  ) {}

  /** The prefix given as the codes of its first `count` characters. */
  static ofCodes<T extends Weighted>(candidates: readonly T[], codes: readonly number[], count: number, scoring: Scoring = scoringOf(candidates)): PrefixPicker<T> {
    hashCodesPair(KEY_START, KEY_START_2, codes, count);
    return new PrefixPicker(candidates, scoring, pairState.first, pairState.second);
  }

  /** The candidate the key prefix + `counter` in four lowercase hex digits maps to. */
  pickHex4(counter: number): T | undefined {
    hashHex4Pair(this.state, this.state2, counter);
    return pickByState(this.candidates, this.scoring, pairState.first, pairState.second);
  }

  /** pickHex4(counter) === candidates[index], usually without scoring every candidate. */
  leadsTo(counter: number, index: number): boolean {
    hashHex4Pair(this.state, this.state2, counter);
    return winsByState(this.candidates, this.scoring, pairState.first, pairState.second, index);
  }
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

  /** PrefixPicker.ofCodes(candidates, codes, count), for use before this hasher is handed another list. */
  withPrefixCodes<T extends Weighted>(candidates: readonly T[], codes: readonly number[], count: number): PrefixPicker<T> {
    return PrefixPicker.ofCodes(candidates, codes, count, this.scoredFor(candidates));
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
