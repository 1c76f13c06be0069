// The engine against two references on seeded random patterns and inputs:
// re2js (a port of RE2 itself, kept as a dev dependency for this) must agree
// on everything: which patterns are valid, whether they match, the whole
// match and every group. JavaScript's RegExp, an independent engine, must
// agree wherever its rules are Perl's (see RandomPattern for where they are not).
import { RE2JS } from "re2js";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../../test/support/seeded-random";
import { checkRegex, compileRegex, type CompiledRegex, type RegexOptions } from "../regex";
import { randomInput, randomPattern } from "./test-patterns";

const PATTERNS = 2500;
const INPUTS_PER_PATTERN = 12;
const MAX_INPUT_CHARS = 12;

type Groups = (string | undefined)[] | null;

interface Case {
  readonly pattern: string;
  readonly options: RegexOptions;
  readonly input: string;
  readonly ours: Groups;
  readonly expected: Groups;
}

function randomOptions(random: () => number): RegexOptions {
  return { caseInsensitive: random() < 0.3, anchorStart: random() < 0.3, anchorEnd: random() < 0.2 };
}

/** The options written into the pattern, for engines that have no such options. */
function anchored(pattern: string, options: RegexOptions, endOfText: string): string {
  // Unwrapped when there is nothing to add: an unterminated \Q would swallow the ")".
  if (!options.anchorStart && !options.anchorEnd) return pattern;
  return `${options.anchorStart ? "^" : ""}(?:${pattern})${options.anchorEnd ? endOfText : ""}`;
}

function re2Reference(pattern: string, options: RegexOptions): (input: string) => Groups {
  const re = RE2JS.compile(anchored(pattern, options, "\\z"), options.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
  return (input) => {
    const m = re.matcher(input);
    if (!m.find()) return null;
    return Array.from({ length: re.groupCount() + 1 }, (_, g) => m.group(g) ?? undefined);
  };
}

/** undefined if RE2 accepts the pattern, else its reason, worded as ours. */
function re2Refusal(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    return `invalid regular expression (RE2 syntax): ${(error as Error).message.replace(/^error parsing regexp: /, "")}`;
  }
}

/** Every input on which our engine and the reference disagree (test() must agree with exec() too). */
function disagreements(pattern: string, options: RegexOptions, ours: CompiledRegex, reference: (input: string) => Groups, random: () => number, compare = (a: Groups, b: Groups) => JSON.stringify(a) === JSON.stringify(b)): Case[] {
  const found: Case[] = [];
  for (let i = 0; i < INPUTS_PER_PATTERN; i++) {
    const input = randomInput(random, MAX_INPUT_CHARS);
    const expected = reference(input);
    const got = ours.exec(input);
    if (!compare(got, expected) || ours.test(input) !== (expected !== null)) found.push({ pattern, options, input, ours: got, expected });
  }
  return found;
}

const isTooLarge = (problem: string | undefined) => problem?.startsWith("regular expression too large") === true;

// CPU-bound and fixed in size: seconds alone, more on a busy machine (the default timeout is 5 s).
describe("differential testing on seeded random patterns", { timeout: 30_000 }, () => {
  it("agrees with RE2 (re2js) on matches and every capture group", () => {
    const random = seededRandom(20240611);
    const found: Case[] = [];
    let compared = 0;
    for (let n = 0; n < PATTERNS; n++) {
      const { re2 } = randomPattern(random, { scopedFlags: true });
      const options = randomOptions(random);
      const problem = checkRegex(re2, options);
      if (isTooLarge(problem)) continue;
      expect(problem, re2).toBeUndefined();
      found.push(...disagreements(re2, options, compileRegex(re2, options), re2Reference(re2, options), random));
      compared++;
    }
    expect(found.slice(0, 5)).toEqual([]);
    expect(compared).toBeGreaterThan(PATTERNS * 0.9);
  });

  it("agrees with JavaScript's RegExp where JavaScript follows Perl", () => {
    const random = seededRandom(7);
    const found: Case[] = [];
    let withGroups = 0;
    for (let n = 0; n < PATTERNS; n++) {
      const pattern = randomPattern(random, { scopedFlags: false });
      const options = randomOptions(random);
      if (pattern.js === undefined || isTooLarge(checkRegex(pattern.re2, options))) continue;
      const js = new RegExp(anchored(pattern.js, options, "$"), options.caseInsensitive ? "i" : "");
      const reference = (input: string): Groups => {
        const m = js.exec(input);
        return m && [...m];
      };
      // Whether a match exists never depends on priorities; which match, and its groups, do.
      const depth = pattern.emptyIteration ? 0 : pattern.captureInRepeat ? 1 : Infinity;
      if (depth === Infinity) withGroups++;
      const compare = (a: Groups, b: Groups) => (a === null) === (b === null) && JSON.stringify(a?.slice(0, depth)) === JSON.stringify(b?.slice(0, depth));
      found.push(...disagreements(pattern.re2, options, compileRegex(pattern.re2, options), reference, random, compare));
    }
    expect(found.slice(0, 5)).toEqual([]);
    expect(withGroups).toBeGreaterThan(PATTERNS / 2);
  });

  it("accepts exactly the patterns RE2 accepts, apart from those it refuses on purpose, and refuses the others with RE2's reason", () => {
    const random = seededRandom(99);
    const META = "()[]{}*+?|\\^$-,:P<>=!0123456789xaQEbBzAsdwk";
    const found: { pattern: string; ours: string | undefined; re2: string | undefined }[] = [];
    const matchFound: Case[] = [];
    let refusedOnPurpose = 0;
    for (let n = 0; n < PATTERNS * 2; n++) {
      let pattern = randomPattern(random, { scopedFlags: true }).re2;
      for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
        const at = Math.floor(random() * (pattern.length + 1));
        const insert = random() < 0.7 ? META[Math.floor(random() * META.length)]! : "";
        pattern = pattern.slice(0, at) + insert + pattern.slice(insert ? at : at + 1);
      }
      const ours = checkRegex(pattern);
      if (isTooLarge(ours)) continue;
      const re2 = re2Refusal(pattern);
      if (ours === undefined && re2 === undefined) matchFound.push(...disagreements(pattern, {}, compileRegex(pattern), re2Reference(pattern, {}), random));
      else if (ours?.startsWith("unsupported regular expression: ")) refusedOnPurpose += re2 === undefined ? 1 : 0;
      else if (ours !== re2) found.push({ pattern, ours, re2 });
    }
    expect(found.slice(0, 10)).toEqual([]);
    expect(matchFound.slice(0, 5)).toEqual([]);
    expect(refusedOnPurpose).toBeLessThan(PATTERNS / 20);
  });
});
