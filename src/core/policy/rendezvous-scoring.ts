// The scoring half of rendezvous hashing (consistent-hash.ts): each
// candidate's score for a key's two hash states, and the winner, the first
// candidate with the highest score. What these compute decides which origin
// a balanced affinity cookie or a hashed header leads to, so it must not
// change between releases (consistent-hash.test.ts pins it).
import { fmix32, hashText } from "./key-hash";

export interface Weighted {
  /** Stable identity, e.g. Origin.key. */
  readonly key: string;
  /** Positive relative share; non-positive or non-finite weights never win. */
  readonly weight: number;
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

/** The first candidate with the highest score for the key states; undefined only for an empty list. */
export function pickByState<T extends Weighted>(candidates: readonly T[], scoring: Scoring, state: number, state2: number): T | undefined {
  return candidates[pickIndexByState(candidates, scoring, state, state2)];
}

/** The index of the candidate pickByState picks; -1 only for an empty list. */
export function pickIndexByState(candidates: readonly Weighted[], scoring: Scoring, state: number, state2: number): number {
  const keyHash = fmix32(state);
  const keyHash2 = fmix32(state2);
  const nodeHashes = scoring.nodeHashes;
  if (scoring.uniform) return pickUniform(candidates, nodeHashes, keyHash, keyHash2);
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < candidates.length; i++) {
    const score = weightedScore(candidates[i]!.weight, keyHash, keyHash2, nodeHashes[i]!);
    if (best === -1 || score > bestScore) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}

/** -w / ln(u): ln(u) < 0, so larger weights and larger u give larger scores. */
function weightedScore(weight: number, keyHash: number, keyHash2: number, nodeHash: number): number {
  return weight > 0 && Number.isFinite(weight) ? -weight / Math.log(unitScore(keyHash, keyHash2, nodeHash)) : Number.NEGATIVE_INFINITY;
}

/**
 * The index of the largest u (equal weights). u's high 32 bits are the first
 * mix (unitScore), so the second is computed only to break a tie in them.
 */
function pickUniform(candidates: readonly unknown[], nodeHashes: Uint32Array, keyHash: number, keyHash2: number): number {
  if (candidates.length === 0) return -1;
  let bestIndex = 0;
  let bestHigh = -1;
  for (let i = 0; i < candidates.length; i++) {
    const high = fmix32((keyHash ^ nodeHashes[i]!) >>> 0);
    if (high > bestHigh || (high === bestHigh && unitScore(keyHash, keyHash2, nodeHashes[i]!) > unitScore(keyHash, keyHash2, nodeHashes[bestIndex]!))) {
      bestIndex = i;
      bestHigh = high;
    }
  }
  return bestIndex;
}

// Computed once per list of candidates rather than on every pick: a pool's
// origin list lives as long as its config version and is the list itself
// whenever every origin is available; a list filtered by health is scored
// from the per-candidate hashes below. Lists are read-only (readonly T[]):
// nothing changes a list after handing it to a pick.
const SCORINGS = new WeakMap<readonly Weighted[], Scoring>();
const NODE_HASHES = new WeakMap<Weighted, number>();

export function scoringOf(candidates: readonly Weighted[]): Scoring {
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
