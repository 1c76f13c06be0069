// Weighted consistent hashing by rendezvous (highest random weight) hashing:
// every candidate gets a score from hash(key, candidate) and the highest
// wins. Removing a candidate moves only the keys it held (each to the
// runner-up), adding one takes only the keys it now wins, and nothing is
// stored: no ring to rebuild when the set of available origins changes.
// Weights use the logarithmic method (score = -weight / ln(u), u uniform in
// (0, 1)), under which a candidate wins with probability weight / total
// weight (Schindelhauer and Schomaker, "Weighted distributed hash tables",
// 2005; "rendezvous hashing", Thaler and Ravishankar, 1998).
// Used for session affinity's balanced mode and for hashing requests by a
// key (ingress-nginx upstream-hash-by: a header, the client address).
import { fmix32, fnvStart, hashHex4Pair, hashPair, hashText, pairState } from "./key-hash";

export interface Weighted {
  /** Stable identity, e.g. Origin.key. */
  readonly key: string;
  /** Positive relative share; non-positive or non-finite weights never win. */
  readonly weight: number;
}

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
 * of candidates: `new PrefixPicker(candidates, prefix).pickHex4(n)` is
 * `rendezvousPick(candidates, prefix + hex4(n))` (FNV-1a reads the text left
 * to right). A new affinity session tries several counters after one random
 * prefix; the prefix and the candidates' own hashes are computed once for all
 * of them, and the digits are hashed from their codes, with no string per try.
 */
export class PrefixPicker<T extends Weighted> {
  private readonly state: number;
  private readonly state2: number;

  constructor(
    private readonly candidates: readonly T[],
    prefix: string,
    private readonly scoring: Scoring = scoringOf(candidates),
  ) {
    hashPair(KEY_START, KEY_START_2, prefix);
    this.state = pairState.first;
    this.state2 = pairState.second;
  }

  /** The candidate the key prefix + hex4(counter) maps to. */
  pickHex4(counter: number): T | undefined {
    hashHex4Pair(this.state, this.state2, counter);
    return pickByState(this.candidates, this.scoring, pairState.first, pairState.second);
  }
}

/**
 * Rendezvous picks for one pool, keeping the scoring of the last candidate
 * list it was given. A pool hands the same array while its origins'
 * availability does not change, so a pick then reads this object's fields
 * instead of probing a table shared by every pool, which on a large config
 * is mostly not in the CPU caches.
 */
export class RendezvousHasher {
  private list: readonly Weighted[] | undefined = undefined;
  private scoring: Scoring | undefined = undefined;

  /** rendezvousPick(candidates, key). */
  pick<T extends Weighted>(candidates: readonly T[], key: string): T | undefined {
    return pickKey(candidates, key, this.scoringOf(candidates));
  }

  /** new PrefixPicker(candidates, prefix). */
  withPrefix<T extends Weighted>(candidates: readonly T[], prefix: string): PrefixPicker<T> {
    return new PrefixPicker(candidates, prefix, this.scoringOf(candidates));
  }

  private scoringOf(candidates: readonly Weighted[]): Scoring {
    if (candidates !== this.list || this.scoring === undefined) {
      this.scoring = scoringOf(candidates);
      this.list = candidates;
    }
    return this.scoring;
  }
}

/** What a pick needs of the candidates besides the key: their own hashes, and whether all weigh the same. */
export interface Scoring {
  readonly nodeHashes: Uint32Array;
  /**
   * Every weight is the same positive finite number: -w / ln(u) is then
   * increasing in u, so the largest u wins and no logarithm is needed (the
   * same winner, at a fraction of the cost).
   */
  readonly uniform: boolean;
}

function pickByState<T extends Weighted>(candidates: readonly T[], scoring: Scoring, state: number, state2: number): T | undefined {
  const keyHash = fmix32(state);
  const keyHash2 = fmix32(state2);
  const nodeHashes = scoring.nodeHashes;
  if (scoring.uniform) return pickUniform(candidates, nodeHashes, keyHash, keyHash2);
  let best: T | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[i]!;
    const weight = candidate.weight;
    // -w / ln(u): ln(u) < 0, so larger weights and larger u give larger scores.
    const score = weight > 0 && Number.isFinite(weight) ? -weight / Math.log(unitScore(keyHash, keyHash2, nodeHashes[i]!)) : Number.NEGATIVE_INFINITY;
    if (best === undefined || score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/**
 * The largest u wins (equal weights). u's high 32 bits are the first mix
 * (unitScore), so the second is computed only to break a tie in them.
 */
function pickUniform<T>(candidates: readonly T[], nodeHashes: Uint32Array, keyHash: number, keyHash2: number): T | undefined {
  let bestIndex = 0;
  let bestHigh = -1;
  for (let i = 0; i < candidates.length; i++) {
    const high = fmix32((keyHash ^ nodeHashes[i]!) >>> 0);
    if (high > bestHigh || (high === bestHigh && unitScore(keyHash, keyHash2, nodeHashes[i]!) > unitScore(keyHash, keyHash2, nodeHashes[bestIndex]!))) {
      bestIndex = i;
      bestHigh = high;
    }
  }
  return candidates[bestIndex];
}

// Computed once per list of candidates rather than on every pick: a pool's
// origin list lives as long as its config version and is the list itself
// whenever every origin is available; a list filtered by health is scored
// from the per-candidate hashes below. Lists are read-only (readonly T[]):
// nothing changes a list after handing it to a pick.
const SCORINGS = new WeakMap<readonly Weighted[], Scoring>();
const NODE_HASHES = new WeakMap<Weighted, number>();

function scoringOf(candidates: readonly Weighted[]): Scoring {
  let scoring = SCORINGS.get(candidates);
  if (scoring === undefined) {
    const nodeHashes = new Uint32Array(candidates.length);
    const first = candidates[0]?.weight;
    let uniform = first !== undefined && first > 0 && Number.isFinite(first);
    for (let i = 0; i < candidates.length; i++) {
      nodeHashes[i] = nodeHash(candidates[i]!);
      if (candidates[i]!.weight !== first) uniform = false;
    }
    scoring = { nodeHashes, uniform };
    SCORINGS.set(candidates, scoring);
  }
  return scoring;
}

function nodeHash(candidate: Weighted): number {
  let hash = NODE_HASHES.get(candidate);
  if (hash === undefined) {
    hash = hashText(candidate.key, 0x85ebca6b);
    if (typeof candidate === "object" && candidate !== null) NODE_HASHES.set(candidate, hash);
  }
  return hash;
}

/** A uniform number in (0, 1) from the key and candidate hashes, 53 bits. */
function unitScore(key1: number, key2: number, node: number): number {
  const a = fmix32((key1 ^ node) >>> 0);
  const b = fmix32((key2 ^ Math.imul(node, 0x27d4eb2d) ^ a) >>> 0);
  return (a * 2 ** 21 + (b >>> 11) + 0.5) / 2 ** 53;
}
