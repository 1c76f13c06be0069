// The parsed form of a regular expression, between the parser and the compiler.
import type { CharSet } from "./charset";

/** Zero-width assertions, named as in RE2. */
export type Assertion = "beginText" | "endText" | "beginLine" | "endLine" | "wordBoundary" | "notWordBoundary";

export type Node =
  /** One character from a set; a literal is a set of one (two with case folding). */
  | { readonly type: "chars"; readonly set: CharSet }
  | { readonly type: "empty" }
  | { readonly type: "assert"; readonly what: Assertion }
  /** Capture group `index` (1-based; the whole match is 0). */
  | { readonly type: "capture"; readonly index: number; readonly node: Node }
  | { readonly type: "concat"; readonly nodes: readonly Node[] }
  /** Alternatives in priority order: the first that leads to a match wins (leftmost-first, as RE2 and Perl). */
  | { readonly type: "alt"; readonly nodes: readonly Node[] }
  /** max is Infinity when unbounded. */
  | { readonly type: "repeat"; readonly node: Node; readonly min: number; readonly max: number; readonly greedy: boolean };

export interface ParsedRegex {
  readonly node: Node;
  /** Capture groups, not counting the whole match. */
  readonly groupCount: number;
}

/**
 * Why a pattern cannot be used. The message is complete and user-facing:
 * it says whether the pattern is wrong (invalid RE2 syntax) or valid
 * elsewhere but refused here, and why.
 */
export class RegexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RegexError";
  }
}

/** Not RE2 syntax at all. The reason reads like RE2's own ("missing closing ): `(`"). */
export function invalid(reason: string, text?: string): RegexError {
  return new RegexError(`invalid regular expression (RE2 syntax): ${reason}${text === undefined ? "" : `: \`${text}\``}`);
}

/** Syntax that exists elsewhere (JavaScript, PCRE, or RE2 itself) but that this engine refuses. */
export function unsupported(what: string): RegexError {
  return new RegexError(`unsupported regular expression: ${what}`);
}
