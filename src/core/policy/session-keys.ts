// The keys of new balanced affinity sessions (affinity.ts). A key is 32
// lowercase hex digits, and it must lead, by rendezvous hashing
// (consistent-hash.ts), to the origin the pool's policy chose, so keys are
// tried until one does: on average the pool's total weight over the chosen
// origin's weight tries. Two things make a new session cheap:
// - one random prefix for many sessions: 28 random hex digits (112 bits) are
//   drawn and hashed once, and the last four digits count through 65,536
//   keys, each handed out once; then a new prefix is drawn. A try costs
//   hashing four digits.
// - a try that leads to another origin is kept, one per origin, for the next
//   new session that goes there, so most sessions take a kept key or need
//   one try.
// Kept keys lead where they were tried only among the same candidates, so
// they are dropped when the list of available origins changes (a list is
// the same array for as long as availability does not change).
// Sharing a prefix gives nothing away: a key is no secret (a client may send
// any key) and says only which origin serves the session.
import { hashKeyPrefix, RendezvousHasher, type Weighted } from "./consistent-hash";
import { HEX_CODES, pairState } from "./key-hash";

/** Upper bound on tries for one new session; past it the session goes where the last key leads. */
export const MAX_SESSION_KEY_TRIES = 2048;
/** Keys per prefix: the four counter digits. */
const COUNTERS = 0x10000;

/** A rendezvous hasher that also makes new session keys (one object per pool: what a request reads stays together). */
export class SessionKeyMaker extends RendezvousHasher {
  /** The candidate index the last newKey() leads to. */
  keyLeadsTo = -1;
  private prefix = "";
  private prefixFirst = 0;
  private prefixSecond = 0;
  /** The next counter to try; COUNTERS: a prefix is drawn first. */
  private nextCounter = COUNTERS;
  /** kept[i]: a counter not handed out whose key leads to keptFor[i] (with the current prefix), or -1. */
  private kept: number[] = [];
  private keptFor: readonly Weighted[] | undefined = undefined;

  constructor(private readonly random: () => number) {
    super();
  }

  /** A key never handed out before that leads to candidates[target] (keyLeadsTo says where it leads). `candidates` is non-empty. */
  newKey(candidates: readonly Weighted[], target: number): string {
    if (candidates !== this.keptFor) this.keepFor(candidates);
    let counter = target === -1 ? -1 : this.kept[target]!;
    if (counter !== -1) {
      this.kept[target] = -1;
      this.keyLeadsTo = target;
    } else {
      counter = this.tryKeys(candidates, target);
    }
    return this.prefix + String.fromCharCode(hexCode(counter, 12), hexCode(counter, 8), hexCode(counter, 4), hexCode(counter, 0));
  }

  private tryKeys(candidates: readonly Weighted[], target: number): number {
    for (let tries = 1; ; tries++) {
      if (this.nextCounter === COUNTERS) this.drawPrefix();
      const counter = this.nextCounter++;
      const leadsTo = this.pickIndexHex4(candidates, this.prefixFirst, this.prefixSecond, counter);
      // target -1: the policy chose no candidate (never expected); any key will do.
      if (leadsTo === target || tries === MAX_SESSION_KEY_TRIES || target === -1) {
        this.keyLeadsTo = leadsTo;
        return counter;
      }
      if (this.kept[leadsTo] === -1) this.kept[leadsTo] = counter;
    }
  }

  private keepFor(candidates: readonly Weighted[]): void {
    this.keptFor = candidates;
    this.kept = new Array<number>(candidates.length).fill(-1);
  }

  /** 28 random hex digits: three 32-bit words and the high half of a fourth. */
  private drawPrefix(): void {
    let prefix = "";
    for (let word = 0; word < 4; word++) {
      const bits = Math.floor(unit(this.random()) * 2 ** 32) >>> 0;
      prefix += (word < 3 ? bits : bits >>> 16).toString(16).padStart(word < 3 ? 8 : 4, "0");
    }
    this.prefix = prefix;
    hashKeyPrefix(prefix);
    this.prefixFirst = pairState.first;
    this.prefixSecond = pairState.second;
    this.nextCounter = 0;
    this.kept.fill(-1);
  }
}

function hexCode(counter: number, shift: number): number {
  return HEX_CODES[(counter >>> shift) & 0xf]!;
}

/** A draw outside [0, 1) (a broken random source) counts as 0. */
function unit(draw: number): number {
  return draw >= 0 && draw < 1 ? draw : 0;
}
