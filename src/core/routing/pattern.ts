// Compiled regular expressions for matching and capturing outside the route
// table (canary-by-header-pattern, rewrite-target capture groups). One small
// interface over the router's own linear-time engine (regex.ts), the one the
// route table uses: a pattern's cost is at most its program size times the
// input's length, so no client value (a header, a path) can make a request
// take seconds, and a pattern means what RE2's syntax says, as validate
// checked it, not what JavaScript's RegExp would read into it.
import { remember } from "../config/recipes";
import { checkRegex, compileRegex, type RegexOptions } from "./regex";

export interface CompiledPattern {
  /** Does the pattern match (anywhere, or from the start when anchored)? Never throws. */
  test(text: string): boolean;
  /**
   * The match's groups: [whole match, group 1, group 2, ...], an unmatched
   * group as "" (nginx's empty $n); undefined when there is no match. Never throws.
   */
  captures(text: string): readonly string[] | undefined;
}

export interface PatternOptions {
  /** Match only at the start of the text, as an ingress-nginx location regex (`^` added). Default false. */
  readonly anchored?: boolean;
  /** Case-insensitive, as ingress-nginx's `location ~*`. Default false. */
  readonly caseInsensitive?: boolean;
}

/** Compiles `pattern`, or says why it cannot be used. */
export function compilePattern(pattern: string, options: PatternOptions = {}): CompiledPattern | string {
  if (typeof pattern !== "string") return "must be a regular expression";
  const problem = checkRegex(pattern, engineOptions(options));
  if (problem !== undefined) return problem;
  try {
    return buildPattern(pattern, options);
  } catch (error) {
    return `invalid regular expression: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * A pattern compilePattern accepted, built again without its checks (the
 * prepared form, config/prepared-graph.ts). Throws on a syntax error.
 */
export function buildPattern(pattern: string, options: PatternOptions): CompiledPattern {
  const regex = compileRegex(pattern, engineOptions(options));
  const compiled: CompiledPattern = Object.freeze({
    test: (text: string) => typeof text === "string" && regex.test(text),
    captures: (text: string) => {
      if (typeof text !== "string") return undefined;
      const match = regex.exec(text);
      return match === null ? undefined : match.map((group) => group ?? "");
    },
  });
  const kept = { ...(options.anchored !== undefined && { anchored: options.anchored }), ...(options.caseInsensitive !== undefined && { caseInsensitive: options.caseInsensitive }) };
  return remember(compiled, { kind: "pattern", pattern, options: kept });
}

function engineOptions(options: PatternOptions): RegexOptions {
  return { anchorStart: options.anchored === true, caseInsensitive: options.caseInsensitive === true };
}
