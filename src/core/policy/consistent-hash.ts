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

export interface Weighted {
  /** Stable identity, e.g. Origin.key. */
  readonly key: string;
  /** Positive relative share; non-positive or non-finite weights never win. */
  readonly weight: number;
}

const KEY_SEED = 0x2545f491;
const KEY_SEED_2 = 0x9e3779b9;

/** The candidate that `key` maps to; undefined only for an empty list. Never throws. */
export function rendezvousPick<T extends Weighted>(candidates: readonly T[], key: string): T | undefined {
  const text = typeof key === "string" ? key : String(key);
  return pickByState(candidates, fnvContinue(fnvStart(KEY_SEED), text), fnvContinue(fnvStart(KEY_SEED_2), text));
}

/**
 * A key's hashing, split so that keys sharing a prefix hash it once:
 * `keyPrefix(prefix).pick(candidates, suffix)` is `rendezvousPick(candidates,
 * prefix + suffix)` (FNV-1a reads the text left to right). A new affinity
 * session tries many keys that differ only at the end.
 */
export function keyPrefix(prefix: string): { pick<T extends Weighted>(candidates: readonly T[], suffix: string): T | undefined } {
  const state = fnvContinue(fnvStart(KEY_SEED), prefix);
  const state2 = fnvContinue(fnvStart(KEY_SEED_2), prefix);
  return { pick: (candidates, suffix) => pickByState(candidates, fnvContinue(state, suffix), fnvContinue(state2, suffix)) };
}

function pickByState<T extends Weighted>(candidates: readonly T[], state: number, state2: number): T | undefined {
  const keyHash = fmix32(state);
  const keyHash2 = fmix32(state2);
  let best: T | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const candidate of candidates) {
    const weight = candidate.weight;
    const u = unitScore(keyHash, keyHash2, nodeHash(candidate));
    // -w / ln(u): ln(u) < 0, so larger weights and larger u give larger scores.
    const score = weight > 0 && Number.isFinite(weight) ? -weight / Math.log(u) : Number.NEGATIVE_INFINITY;
    if (best === undefined || score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

// A candidate's own hash, computed once per candidate object rather than on
// every pick: origins live as long as their config version, and a new
// balanced session scores them again for each key it draws.
const NODE_HASHES = new WeakMap<Weighted, number>();

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

/** FNV-1a over UTF-16 code units, then the MurmurHash3 finalizer for avalanche. */
export function hashText(text: string, seed: number): number {
  return fmix32(fnvContinue(fnvStart(seed), text));
}

function fnvStart(seed: number): number {
  return (0x811c9dc5 ^ seed) >>> 0;
}

/** FNV-1a's state after `text`, from the state before it. */
function fnvContinue(state: number, text: string): number {
  let h = state;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** MurmurHash3's 32-bit finalizer. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
