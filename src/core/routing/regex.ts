// ImplementationSpecific paths are regular expressions run by RE2JS, a pure
// JavaScript port of RE2 (no WASM, no eval): it matches in time linear in the
// path's length, whatever the pattern, so no rule can make one request take
// seconds or stall the other requests of its isolate. A backtracking engine
// (JavaScript's RegExp) cannot promise that, and checkers that look at the
// pattern's shape miss super-linear cases such as "(\w|\d)*$".
// RE2 syntax is Go's and RE2's (https://github.com/google/re2/wiki/Syntax):
// no backreferences, no lookaround.
import { RE2JS } from "re2js";

/** What matching needs of a compiled path regex. */
export interface PathRegex {
  test(path: string): boolean;
}

/** Longer patterns are refused outright: a path regex has no reason to be this long. */
export const MAX_REGEX_PATH_CHARS = 1024;
/**
 * RE2's matching cost is at most (program size) x (path length). This bound
 * keeps the constant small: ordinary path patterns compile to 10-100
 * instructions, `/static/[a-z0-9._/-]{1,200}$` to about 400.
 */
export const MAX_REGEX_PROGRAM_SIZE = 500;

/** Anchored at the start and case-insensitive, as ingress-nginx's `location ~* "^<path>"`. */
export function compileRegexPath(pattern: string): RE2JS {
  return RE2JS.compile(`^(?:${pattern})`, RE2JS.CASE_INSENSITIVE);
}

/**
 * A Gateway API RegularExpression (path, header or query value): the whole
 * value must match, case-sensitively, as Envoy-based implementations do.
 */
export function compileFullMatchRegex(pattern: string): RE2JS {
  return RE2JS.compile(`^(?:${pattern})$`);
}

/** compileFullMatchRegex, compiled on first use (see lazyRegexPath). */
export function lazyFullMatchRegex(pattern: string): PathRegex {
  let compiled: RE2JS | undefined;
  return {
    test(value: string): boolean {
      compiled ??= compileFullMatchRegex(pattern);
      return compiled.test(value);
    },
  };
}

/**
 * Compiled on first use: an RE2 program costs far more to build than a
 * JavaScript RegExp, and a new isolate should not build every regex of a
 * large config before its first request when most are never asked.
 */
export function lazyRegexPath(pattern: string): PathRegex {
  let compiled: RE2JS | undefined;
  return {
    test(path: string): boolean {
      compiled ??= compileRegexPath(pattern);
      return compiled.test(path);
    },
  };
}

/** Syntax RE2 refuses that people bring from JavaScript or PCRE, with what to write instead. */
const UNSUPPORTED: readonly { readonly test: RegExp; readonly what: string }[] = [
  { test: /\(\?<?[=!]/, what: "lookaround ((?=, (?!, (?<=, (?<!) is not supported" },
  { test: /\\[1-9]|\\k</, what: "backreferences (\\1, \\k<name>) are not supported" },
  { test: /\\u[0-9A-Fa-f{]/, what: "\\uXXXX escapes are not supported; write \\x{XXXX}" },
];

/** undefined if the pattern may be used as an ImplementationSpecific path, else why not. */
export function checkRegexPath(pattern: string): string | undefined {
  if (pattern.length > MAX_REGEX_PATH_CHARS) {
    return `regular expression too long (${pattern.length} characters, at most ${MAX_REGEX_PATH_CHARS})`;
  }
  let compiled: RE2JS;
  try {
    // On its own first, so that "a)|(b" cannot escape the "^(?:...)" anchoring group.
    RE2JS.compile(pattern);
    compiled = compileRegexPath(pattern);
  } catch (error) {
    const unsupported = UNSUPPORTED.find((u) => u.test.test(pattern));
    if (unsupported) return `unsupported regular expression: ${unsupported.what} (RE2 syntax, which matches in linear time)`;
    return `invalid regular expression (RE2 syntax): ${syntaxReason(error)}`;
  }
  const size = compiled.programSize();
  if (size > MAX_REGEX_PROGRAM_SIZE) {
    return `regular expression too large (it compiles to ${size} RE2 instructions, at most ${MAX_REGEX_PROGRAM_SIZE}; large bounded repeats such as {1,500} cost the most)`;
  }
  return undefined;
}

/** "error parsing regexp: missing closing ): `(`" -> "missing closing ): `(`". */
function syntaxReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^error parsing regexp: /, "");
}
