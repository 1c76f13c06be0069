// The one place user-written regular expressions are compiled and run:
// ImplementationSpecific paths today, Gateway API RegularExpression matches
// and rewrite captures next. Each must match in time linear in its input, so
// that no rule can make one request take seconds or stall the other requests
// of its isolate (ReDoS). JavaScript's RegExp backtracks and cannot promise
// that, and checkers that look at a pattern's shape miss super-linear cases
// such as "(\w|\d)*$". So patterns run on a small engine of our own (in
// ./regex-engine/): RE2's syntax, leftmost-first answers and error reasons,
// and a Pike VM whose cost is at most (program size) x (input length).
//
// It is RE2 (https://github.com/google/re2/wiki/Syntax) without Unicode
// tables, because everything it matches is ASCII (normalized paths, with
// anything else percent-encoded) or Latin-1 (header values): characters are
// UTF-16 code units, case-insensitive matching folds ASCII letters only,
// \d \w \s \b are ASCII (as in RE2), and "." matches anything but "\n"
// (as in RE2 without the s flag). Refused, each with its own message:
// \p{...} classes, \C, characters beyond U+FFFF; and what RE2 lacks too
// (backreferences, lookaround, possessive quantifiers, atomic groups).
import { type ParsedRegex, RegexError } from "./regex-engine/ast";
import { compile, programSize } from "./regex-engine/compile";
import { parseRegex } from "./regex-engine/parse";
import { search } from "./regex-engine/pike-vm";

export { RegexError } from "./regex-engine/ast";

export interface CompiledRegex {
  /** Capture groups in the pattern ($1..$n in a rewrite), not counting the whole match. */
  readonly groupCount: number;
  /** Is there a match? Cheaper than exec: it tracks no captures and stops at the first match. */
  test(input: string): boolean;
  /**
   * The leftmost-first match, as RE2 and Perl choose it: [whole, group 1, ...]
   * with undefined for a group that took no part; null if nothing matches.
   */
  exec(input: string): (string | undefined)[] | null;
}

export interface RegexOptions {
  /** Fold ASCII letters, as the i flag; (?-i) in the pattern turns it off. Default false. */
  readonly caseInsensitive?: boolean;
  /** Match only at the start of the input, as if the pattern began with ^. Default false. */
  readonly anchorStart?: boolean;
  /** Match only up to the end of the input, as if it ended with \z. Default false. */
  readonly anchorEnd?: boolean;
}

/** Longer patterns are refused outright: a rule has no reason to be this long. */
export const MAX_REGEX_CHARS = 1024;
/** The same bound, under the name ImplementationSpecific paths knew it by. */
export const MAX_REGEX_PATH_CHARS = MAX_REGEX_CHARS;
/**
 * A match costs at most (program size) x (input length) steps; this keeps
 * the constant small. Ordinary patterns compile to 10 to 100 instructions,
 * `/static/[a-z0-9._/-]{1,200}$` to about 420; counted repeats cost the most.
 */
export const MAX_REGEX_PROGRAM_SIZE = 500;

/** Compiles a pattern, or throws RegexError with the message checkRegex would give. */
export function compileRegex(pattern: string, options: RegexOptions = {}): CompiledRegex {
  const parsed = parse(pattern, options);
  const program = compile(parsed, { anchorStart: options.anchorStart === true, anchorEnd: options.anchorEnd === true });
  return {
    groupCount: parsed.groupCount,
    test: (input) => search(program, input, false) !== null,
    exec(input) {
      const slots = search(program, input, true);
      if (slots === null) return null;
      const groups: (string | undefined)[] = [];
      for (let i = 0; i < slots.length; i += 2) groups.push(slots[i]! < 0 ? undefined : input.slice(slots[i], slots[i + 1]));
      return groups;
    },
  };
}

/** undefined if the pattern can be compiled with these options, else why not (a complete, user-facing sentence). */
export function checkRegex(pattern: string, options: RegexOptions = {}): string | undefined {
  try {
    parse(pattern, options);
    return undefined;
  } catch (error) {
    if (error instanceof RegexError) return error.message;
    throw error;
  }
}

function parse(pattern: string, options: RegexOptions): ParsedRegex {
  if (pattern.length > MAX_REGEX_CHARS) {
    throw new RegexError(`regular expression too long (${pattern.length} characters, at most ${MAX_REGEX_CHARS})`);
  }
  const parsed = parseRegex(pattern, options.caseInsensitive === true);
  const size = programSize(parsed, { anchorStart: options.anchorStart === true, anchorEnd: options.anchorEnd === true });
  if (size > MAX_REGEX_PROGRAM_SIZE) {
    throw new RegexError(
      `regular expression too large (it compiles to ${size} instructions, at most ${MAX_REGEX_PROGRAM_SIZE}; large counted repeats such as {1,500} cost the most)`,
    );
  }
  return parsed;
}

/** What matching a path needs of a compiled path regex. */
export interface PathRegex {
  test(path: string): boolean;
}

/** ImplementationSpecific paths as ingress-nginx reads them (`location ~* "^<path>"`): anchored at the start, case-insensitive. */
const PATH_OPTIONS: RegexOptions = { caseInsensitive: true, anchorStart: true };

export function compileRegexPath(pattern: string): CompiledRegex {
  return compileRegex(pattern, PATH_OPTIONS);
}

/** Compiled on first use: a large config's regexes are not all built before an isolate's first request. */
export function lazyRegexPath(pattern: string): PathRegex {
  let compiled: CompiledRegex | undefined;
  return {
    test(path: string): boolean {
      compiled ??= compileRegexPath(pattern);
      return compiled.test(path);
    },
  };
}

/** undefined if the pattern may be used as an ImplementationSpecific path, else why not. */
export function checkRegexPath(pattern: string): string | undefined {
  return checkRegex(pattern, PATH_OPTIONS);
}

/** Gateway API RegularExpression matches (path, header or query value): the whole value, case-sensitively, as Envoy-based implementations do. */
const FULL_MATCH: RegexOptions = { anchorStart: true, anchorEnd: true };

export function compileFullMatchRegex(pattern: string): CompiledRegex {
  return compileRegex(pattern, FULL_MATCH);
}

/** compileFullMatchRegex, compiled on first use (see lazyRegexPath). */
export function lazyFullMatchRegex(pattern: string): PathRegex {
  let compiled: CompiledRegex | undefined;
  return {
    test(value: string): boolean {
      compiled ??= compileFullMatchRegex(pattern);
      return compiled.test(value);
    },
  };
}

/** undefined if the pattern may be used as a Gateway API RegularExpression, else why not. */
export function checkFullMatchRegex(pattern: string): string | undefined {
  return checkRegex(pattern, FULL_MATCH);
}
