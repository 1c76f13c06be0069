// Compiles the AST to a program for the Pike VM (pike-vm.ts): a Thompson
// NFA whose SPLITs are ordered, the first branch preferred, which is how RE2
// gets Perl's leftmost-first answers without backtracking. Repeats are laid
// out as RE2 simplifies them (x{2,4} is xx(x(x)?)?, x{3,} is xxx+), so a
// program's size, and with it the cost of a match, is known before running.
import type { Assertion, Node, ParsedRegex } from "./ast";
import type { CharSet } from "./charset";

/** Consume one character in `set`, then go to next. */
export const CHARS = 0;
/** Go to next, and with lower priority to arg. */
export const SPLIT = 1;
export const JMP = 2;
/** Record the position in capture slot arg (group g has slots 2g and 2g+1). */
export const SAVE = 3;
/** Go on only where assertion number arg (ASSERTIONS) holds. */
export const ASSERT = 4;
export const MATCH = 5;

export const ASSERTIONS: readonly Assertion[] = ["beginText", "endText", "beginLine", "endLine", "wordBoundary", "notWordBoundary"];

export interface Inst {
  readonly op: number;
  next: number;
  arg: number;
  readonly set: CharSet | undefined;
}

export interface Program {
  readonly insts: readonly Inst[];
  /** Capture slots: 2 per group, the whole match included. */
  readonly slotCount: number;
  /** Only try a match starting at position 0. */
  readonly anchorStart: boolean;
}

export interface CompileOptions {
  readonly anchorStart: boolean;
  readonly anchorEnd: boolean;
}

/** Instructions the program for `parsed` will have, computed without building it. */
export function programSize(parsed: ParsedRegex, options: CompileOptions): number {
  return size(parsed.node) + (options.anchorEnd ? 4 : 3);
}

export function compile(parsed: ParsedRegex, options: CompileOptions): Program {
  const c = new Compiler();
  // The whole match is group 0: SAVE 0 ... SAVE 1, then MATCH.
  c.emit(SAVE, 0);
  c.node(parsed.node);
  c.emit(SAVE, 1);
  if (options.anchorEnd) c.emit(ASSERT, ASSERTIONS.indexOf("endText"));
  c.emit(MATCH);
  return { insts: c.insts, slotCount: 2 * (parsed.groupCount + 1), anchorStart: options.anchorStart };
}

class Compiler {
  readonly insts: Inst[] = [];

  /** Appends an instruction that goes on to the one emitted after it. */
  emit(op: number, arg = 0, set?: CharSet): number {
    this.insts.push({ op, next: this.insts.length + 1, arg, set });
    return this.insts.length - 1;
  }

  node(node: Node): void {
    switch (node.type) {
      case "chars":
        this.emit(CHARS, 0, node.set);
        return;
      case "empty":
        return;
      case "assert":
        this.emit(ASSERT, ASSERTIONS.indexOf(node.what));
        return;
      case "capture":
        this.emit(SAVE, 2 * node.index);
        this.node(node.node);
        this.emit(SAVE, 2 * node.index + 1);
        return;
      case "concat":
        for (const n of node.nodes) this.node(n);
        return;
      case "alt": {
        const jumps: number[] = [];
        node.nodes.forEach((n, i) => {
          const last = i === node.nodes.length - 1;
          const split = last ? -1 : this.emit(SPLIT);
          this.node(n);
          if (last) return;
          jumps.push(this.emit(JMP));
          this.insts[split]!.arg = this.insts.length;
        });
        for (const j of jumps) this.insts[j]!.next = this.insts.length;
        return;
      }
      case "repeat":
        this.repeat(node.node, node.min, node.max, node.greedy);
        return;
    }
  }

  private repeat(body: Node, min: number, max: number, greedy: boolean): void {
    if (max === Infinity) {
      for (let i = 1; i < min; i++) this.node(body);
      if (min > 0) this.plus(body, greedy);
      // RE2: x* with an x that can match empty is (x+)?, so that priorities inside the loop stay Perl's.
      else if (nullable(body)) this.optional(() => this.plus(body, greedy), greedy);
      else this.star(body, greedy);
      return;
    }
    for (let i = 0; i < min; i++) this.node(body);
    // x{2,5} = xx(x(x(x)?)?)?: nested, so that a failed x skips all later ones.
    const nest = (left: number): void => {
      if (left > 0) this.optional(() => (this.node(body), nest(left - 1)), greedy);
    };
    nest(max - min);
  }

  /** SPLIT over body: taken first when greedy, skipped first when lazy. */
  private optional(body: () => void, greedy: boolean): void {
    const split = this.emit(SPLIT);
    body();
    this.branch(split, split + 1, this.insts.length, greedy);
  }

  private star(body: Node, greedy: boolean): void {
    const split = this.emit(SPLIT);
    this.node(body);
    this.insts[this.emit(JMP)]!.next = split;
    this.branch(split, split + 1, this.insts.length, greedy);
  }

  private plus(body: Node, greedy: boolean): void {
    const start = this.insts.length;
    this.node(body);
    const split = this.emit(SPLIT);
    this.branch(split, start, split + 1, greedy);
  }

  /** Points a SPLIT at `more` (another round of the body) and `done`, in the order greediness asks. */
  private branch(split: number, more: number, done: number, greedy: boolean): void {
    const inst = this.insts[split]!;
    inst.next = greedy ? more : done;
    inst.arg = greedy ? done : more;
  }
}

/** Can the node match the empty string? */
function nullable(node: Node): boolean {
  switch (node.type) {
    case "chars":
      return false;
    case "capture":
      return nullable(node.node);
    case "concat":
      return node.nodes.every(nullable);
    case "alt":
      return node.nodes.some(nullable);
    case "repeat":
      return node.min === 0 || nullable(node.node);
    default:
      return true;
  }
}

/** What Compiler.node emits for the node, counted. */
function size(node: Node): number {
  switch (node.type) {
    case "chars":
    case "assert":
      return 1;
    case "empty":
      return 0;
    case "capture":
      return size(node.node) + 2;
    case "concat":
      return node.nodes.reduce((sum, n) => sum + size(n), 0);
    case "alt":
      return node.nodes.reduce((sum, n) => sum + size(n), 0) + 2 * (node.nodes.length - 1);
    case "repeat": {
      const body = size(node.node);
      if (node.max !== Infinity) return node.min * body + (node.max - node.min) * (body + 1);
      // x{n,} is n-1 copies and x+ (one SPLIT); x* is a SPLIT, x and a JMP, or (x+)? when x is nullable.
      return node.min > 0 ? node.min * body + 1 : body + 2;
    }
  }
}
