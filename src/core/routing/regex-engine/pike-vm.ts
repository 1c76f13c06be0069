// Runs a program as a Pike VM (Thompson's simulation with capture slots, as
// RE2's NFA does): every thread advances in lock step over the input, one
// character at a time, and two threads at the same instruction are one
// (the higher-priority one is kept). So a search costs at most
// (program size) x (input length) steps, whatever the pattern: no input can
// make a rule take seconds, which a backtracking engine cannot promise.
import { ASSERT, CHARS, JMP, MATCH, type Program, SAVE, SPLIT } from "./compile";
import { contains, isWordChar } from "./charset";

/** Threads of one step, in priority order; a sparse set, so adding and "already here?" cost O(1). */
class ThreadList {
  private index: Uint32Array;
  pcs: Int32Array;
  readonly slots: (readonly number[])[] = [];
  count = 0;

  constructor(size: number) {
    this.index = new Uint32Array(size);
    this.pcs = new Int32Array(size);
  }

  /** Emptied, with room for `size` instructions. A sparse set needs no clearing: count says what is in it. */
  reset(size: number): this {
    if (this.pcs.length < size) {
      this.index = new Uint32Array(size);
      this.pcs = new Int32Array(size);
    }
    this.count = 0;
    return this;
  }

  has(pc: number): boolean {
    const i = this.index[pc]!;
    return i < this.count && this.pcs[i] === pc;
  }

  add(pc: number, slots: readonly number[]): void {
    this.index[pc] = this.count;
    this.pcs[this.count] = pc;
    this.slots[this.count++] = slots;
  }
}

/**
 * The leftmost-first match (Perl's and RE2's choice among overlapping
 * matches): its capture slots (start, end per group; -1 where a group took
 * no part), or null. With captures false, stops at the first match found
 * and returns an empty array: enough to answer yes or no.
 */
export function search(prog: Program, input: string, captures: boolean): readonly number[] | null {
  const { insts } = prog;
  const slotCount = captures ? prog.slotCount : 0;
  // The two step lists are reused by every search (a search runs to its end
  // before another starts): a regex rule is tested on every request to its
  // host that no longer rule answers, and most of those tests end after a
  // character or two.
  let current = LISTS[0].reset(insts.length);
  let next = LISTS[1].reset(insts.length);
  const noSlots: readonly number[] = captures ? new Array<number>(slotCount).fill(-1) : NO_SLOTS;
  let matched: readonly number[] | null = null;

  for (let pos = 0; ; pos++) {
    // A new thread at each position, lowest priority, until a match is found: leftmost wins.
    if (matched === null && (pos === 0 || !prog.anchorStart)) addThread(current, 0, pos, noSlots, insts, input, slotCount);
    if (current.count === 0 && (matched !== null || prog.anchorStart)) break;
    const c = pos < input.length ? input.charCodeAt(pos) : -1;
    next.count = 0;
    for (let i = 0; i < current.count; i++) {
      const inst = insts[current.pcs[i]!]!;
      if (inst.op === MATCH) {
        if (!captures) return noSlots;
        // Threads after this one have lower priority: they are dropped, the ones before go on.
        matched = current.slots[i]!;
        break;
      }
      if (inst.op === CHARS && c >= 0 && contains(inst.set!, c)) addThread(next, inst.next, pos + 1, current.slots[i]!, insts, input, slotCount);
    }
    if (pos >= input.length) break;
    const done = current;
    current = next;
    next = done;
  }
  return matched;
}

const LISTS = [new ThreadList(64), new ThreadList(64)] as const;
const NO_SLOTS: readonly number[] = Object.freeze([]);

/** Follows the instructions that consume nothing, in priority order, to the ones that do (CHARS, MATCH). */
function addThread(list: ThreadList, pc: number, pos: number, slots: readonly number[], insts: Program["insts"], input: string, slotCount: number): void {
  if (list.has(pc)) return;
  list.add(pc, slots);
  const inst = insts[pc]!;
  switch (inst.op) {
    case JMP:
      return addThread(list, inst.next, pos, slots, insts, input, slotCount);
    case SPLIT:
      addThread(list, inst.next, pos, slots, insts, input, slotCount);
      return addThread(list, inst.arg, pos, slots, insts, input, slotCount);
    case SAVE: {
      if (inst.arg >= slotCount) return addThread(list, inst.next, pos, slots, insts, input, slotCount);
      const saved = slots.slice();
      saved[inst.arg] = pos;
      return addThread(list, inst.next, pos, saved, insts, input, slotCount);
    }
    case ASSERT:
      if (holds(inst.arg, input, pos)) addThread(list, inst.next, pos, slots, insts, input, slotCount);
      return;
  }
}

/** Does assertion number `what` (compile.ts ASSERTIONS) hold between input[pos - 1] and input[pos]? */
function holds(what: number, input: string, pos: number): boolean {
  const before = pos > 0 ? input.charCodeAt(pos - 1) : -1;
  const after = pos < input.length ? input.charCodeAt(pos) : -1;
  switch (what) {
    case 0: // beginText
      return before < 0;
    case 1: // endText
      return after < 0;
    case 2: // beginLine
      return before < 0 || before === 10;
    case 3: // endLine
      return after < 0 || after === 10;
    case 4: // wordBoundary
      return isWordChar(before) !== isWordChar(after);
    default: // notWordBoundary
      return isWordChar(before) === isWordChar(after);
  }
}
