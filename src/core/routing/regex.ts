// Checks an ImplementationSpecific path before it is ever compiled into the
// table: it must be a valid JavaScript regular expression on its own (so that
// "a)|(b" cannot escape the "^(?:...)" anchoring group) and must not risk
// catastrophic backtracking on the request path. safe-regex2 rejects a star
// height above 1 (nested quantifiers, e.g. "(a+)+") and, by default, more
// than 25 repetition operators. It is pure JavaScript, so it runs in workerd.
import safeRegex from "safe-regex2";
import { compileRegexPath } from "./paths";

/** Longer patterns are refused outright: a path regex has no reason to be this long. */
export const MAX_REGEX_PATH_CHARS = 1024;
/** safe-regex2's default limit on repetition operators in one pattern. */
export const MAX_REGEX_REPETITIONS = 25;

/** undefined if the pattern may be used as an ImplementationSpecific path, else why not. */
export function checkRegexPath(pattern: string): string | undefined {
  if (pattern.length > MAX_REGEX_PATH_CHARS) {
    return `regular expression too long (${pattern.length} characters, at most ${MAX_REGEX_PATH_CHARS})`;
  }
  try {
    new RegExp(pattern);
    compileRegexPath(pattern);
  } catch (error) {
    return `invalid regular expression: ${syntaxReason(error)}`;
  }
  // safe-regex2's parser (ret) does not know lookbehind and reports any
  // pattern it cannot parse as unsafe; say so instead of crying "exponential".
  if (/\(\?<[=!]/.test(pattern)) {
    return "unsupported regular expression: lookbehind ((?<= or (?<!) cannot be checked for exponential time";
  }
  if (!safeRegex(pattern, { limit: Number.POSITIVE_INFINITY })) {
    return "pathological regular expression (nested quantifiers can take exponential time)";
  }
  if (!safeRegex(pattern, { limit: MAX_REGEX_REPETITIONS })) {
    return `regular expression too complex (more than ${MAX_REGEX_REPETITIONS} repetition operators)`;
  }
  return undefined;
}

/** "Invalid regular expression: /(/: Unterminated group" -> "Unterminated group". */
function syntaxReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const last = message.lastIndexOf(": ");
  return last === -1 ? message : message.slice(last + 2);
}
