// Quantifiers (* + ? {n} {n,} {n,m} and their lazy forms) and the bounds RE2
// puts on them: no count above 1000, nested counts multiplied included, so
// that a short pattern cannot expand into a huge program.
import { invalid, type Node, unsupported } from "./ast";
import type { Cursor } from "./escape";

/** RE2's largest repeat count, also for nested counted repeats multiplied ((a{100}){100} is refused). */
export const MAX_REPEAT = 1000;

export interface Quantifier {
  readonly min: number;
  /** Infinity when unbounded. */
  readonly max: number;
  readonly greedy: boolean;
  /** As written, lazy "?" included, for error messages. */
  readonly text: string;
}

/** {n}, {n,} or {n,m}, numbers without leading zeros; sticky, read at lastIndex. */
const COUNTS = /\{(0|[1-9]\d*)(?:(,)(0|[1-9]\d*)?)?\}/y;

/**
 * Reads a quantifier with its lazy "?" at cur.pos; undefined (nothing read)
 * if there is none. With the U flag (ungreedy), lazy and greedy swap.
 */
export function readQuantifier(cur: Cursor, ungreedy: boolean): Quantifier | undefined {
  const { src } = cur;
  const start = cur.pos;
  let min = 0;
  let max = Infinity;
  if (src[start] === "+") min = 1;
  else if (src[start] === "?") max = 1;
  else if (src[start] === "{") {
    // RE2: a "{" that does not start a well-formed count is a literal ("a{", "a{,2}", "a{01}").
    COUNTS.lastIndex = start;
    const counts = COUNTS.exec(src);
    if (!counts) return undefined;
    min = Number(counts[1]);
    max = counts[2] === undefined ? min : counts[3] === undefined ? Infinity : Number(counts[3]);
    cur.pos += counts[0].length - 1;
  } else if (src[start] !== "*") return undefined;
  cur.pos++;
  if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT) || min > max) throw invalid("invalid repeat count", src.slice(start, cur.pos));
  let greedy = true;
  if (src[cur.pos] === "?") {
    cur.pos++;
    greedy = false;
  } else if (src[cur.pos] === "+") {
    throw unsupported("possessive quantifiers (*+, ++, ?+, {n}+) are not supported; a quantifier alone already matches in linear time");
  }
  return { min, max, greedy: greedy !== ungreedy, text: src.slice(start, cur.pos) };
}

export function repeat(node: Node, q: Quantifier): Node {
  if (q.max !== 0 && Math.max(q.max === Infinity ? q.min : q.max, 1) * repeatProduct(node) > MAX_REPEAT) {
    throw invalid("invalid repeat count", q.text);
  }
  return { type: "repeat", node, min: q.min, max: q.max, greedy: q.greedy };
}

/** The largest product of nested repeat counts inside a node (x{0} and what it holds count for nothing). */
function repeatProduct(node: Node): number {
  switch (node.type) {
    case "repeat":
      return node.max === 0 ? 1 : Math.max(node.max === Infinity ? node.min : node.max, 1) * repeatProduct(node.node);
    case "capture":
      return repeatProduct(node.node);
    case "concat":
    case "alt":
      return Math.max(1, ...node.nodes.map(repeatProduct));
    default:
      return 1;
  }
}
