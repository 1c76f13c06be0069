// Least-recent: the candidate picked longest ago wins, with weights honoured
// over the long run. It is stride scheduling (Waldspurger and Weihl, 1995) on
// a virtual clock: each origin has a virtual `pass`, the time its current turn
// ends; the smallest pass wins and then advances by a stride of 1/weight
// rounds. With equal weights this is exactly "least recently picked": a later
// pick never ends earlier than an older one, and equal passes are broken by
// the older pick. Never-picked origins (pass -Infinity) come first, by weight
// then pool order.
//
// The pick starts at max(pass, V), where V is the virtual time of the latest
// pick. An origin that joins, or returns after being unavailable, therefore
// wins the very next pick (its pass is the lowest) but is then clamped to the
// present: had it kept its old pass it would win pick after pick until it
// caught up with everyone else, a burst of all the traffic it "missed" sent to
// an origin that has just come back. It is the start tag of weighted fair
// queueing, S = max(F, V), which for the same reason gives an idle flow no
// credit for the time it was idle.
//
// Passes are integers (ticks), so ties are exact and sequences deterministic;
// floating 1/weight sums drift and would break ties differently over time.
import type { Origin } from "../config/types";
import { OriginStates } from "./origin-state";
import type { Policy, PolicyFactory } from "./policy";

/** Ticks in one round: lcm(1..20), so every weight up to 20 (and every divisor of it) has an exact stride. */
const TICKS_PER_ROUND = 232_792_560;
/**
 * Rebase all passes once V reaches this, so passes (at most V plus one round,
 * 2^28 ticks) stay exact integers well inside 2^53. Worst case (one origin of
 * weight 1) that is every 4.8 million picks. Passes of long-gone origins drift
 * further below zero; they only ever need to compare lower than V.
 */
const REBASE_AT_TICKS = 2 ** 50;

interface Turn {
  /** Virtual time, in ticks, at which this origin's last turn ends; -Infinity if never picked. */
  pass: number;
  /** Sequence number of its last pick (0 = never), to break equal passes by age. */
  lastPick: number;
}

const freshTurn = (): Turn => ({ pass: -Infinity, lastPick: 0 });
const cloneTurn = (turn: Turn): Turn => ({ pass: turn.pass, lastPick: turn.lastPick });

/**
 * Ticks per round / weight. Other weights round to the nearest tick: at the
 * config's maximum weight, 10,000, the stride 23,279.256 becomes 23,279, a
 * share off by 1e-5 relative.
 */
function strideTicks(weight: number): number {
  return Math.max(1, Math.round(TICKS_PER_ROUND / weight));
}

/** True if `a` should be picked before `b` (strictly: pool order keeps the earlier one). */
function before(a: Turn, aWeight: number, b: Turn, bWeight: number): boolean {
  if (a.pass !== b.pass) return a.pass < b.pass;
  if (a.lastPick !== b.lastPick) return a.lastPick < b.lastPick;
  return aWeight > bWeight;
}

export class LeastRecent implements Policy {
  readonly name = "least-recent";
  private readonly turns: OriginStates<Turn>;
  /** V: virtual time of the latest pick, in ticks. */
  private virtualTicks: number;
  /** Number of picks so far, carried over a reload so `lastPick` stays comparable. */
  private picks: number;

  /** @param rebaseAtTicks only tests lower it, to exercise the rebase. */
  constructor(
    previous?: LeastRecent,
    private readonly rebaseAtTicks = REBASE_AT_TICKS,
  ) {
    this.turns = new OriginStates(freshTurn, cloneTurn, previous?.turns);
    this.virtualTicks = previous?.virtualTicks ?? 0;
    this.picks = previous?.picks ?? 0;
  }

  pick(candidates: readonly Origin[]): Origin {
    let best = candidates[0] as Origin;
    if (best === undefined) return best; // an empty list breaks the contract; still never throw
    const turns = this.turns.forList(candidates);
    let bestTurn = turns[0]!;
    for (let i = 1; i < candidates.length; i++) {
      const origin = candidates[i] as Origin;
      const turn = turns[i]!;
      if (before(turn, origin.weight, bestTurn, best.weight)) {
        best = origin;
        bestTurn = turn;
      }
    }
    const start = Math.max(bestTurn.pass, this.virtualTicks);
    bestTurn.pass = start + strideTicks(best.weight);
    bestTurn.lastPick = ++this.picks;
    this.virtualTicks = start;
    if (start >= this.rebaseAtTicks) this.rebase(start);
    return best;
  }

  /** Shifts the clock back by `ticks`; only differences matter, so every order and tie is kept. */
  private rebase(ticks: number): void {
    this.turns.forEach((turn) => {
      turn.pass -= ticks;
    });
    this.virtualTicks -= ticks;
  }
}

export const leastRecent: PolicyFactory = (_deps, previous) =>
  new LeastRecent(previous instanceof LeastRecent ? previous : undefined);
