// Sets of characters as sorted, merged [lo, hi, lo, hi, ...] ranges of UTF-16
// code units. Everything the router matches is ASCII (normalized paths) or
// Latin-1 (header values), so the engine works on code units, knows no
// Unicode tables, and folds case for ASCII letters only (re2js's Unicode
// tables alone weigh 19 KiB gzipped, three times this whole engine).

export type CharSet = readonly number[];

/** The largest code unit: a negated class covers everything up to here. */
export const MAX_CHAR = 0xffff;

export const ANY: CharSet = [0, MAX_CHAR];
/** `.` without the s flag: RE2 leaves out only "\n". */
export const ANY_BUT_NEWLINE: CharSet = [0, 9, 11, MAX_CHAR];

const code = (c: string): number => c.charCodeAt(0);

/** The Perl classes, ASCII as in RE2 (`\s` is [\t\n\f\r ], without \v). */
export const PERL_CLASSES: Readonly<Record<string, CharSet>> = {
  d: [code("0"), code("9")],
  s: [9, 10, 12, 13, 32, 32],
  w: [code("0"), code("9"), code("A"), code("Z"), code("_"), code("_"), code("a"), code("z")],
};

/** [[:name:]] classes, ASCII as in RE2. */
export const POSIX_CLASSES: Readonly<Record<string, CharSet>> = {
  alnum: [48, 57, 65, 90, 97, 122],
  alpha: [65, 90, 97, 122],
  ascii: [0, 127],
  blank: [9, 9, 32, 32],
  cntrl: [0, 31, 127, 127],
  digit: [48, 57],
  graph: [33, 126],
  lower: [97, 122],
  print: [32, 126],
  punct: [33, 47, 58, 64, 91, 96, 123, 126],
  space: [9, 13, 32, 32],
  upper: [65, 90],
  word: [48, 57, 65, 90, 95, 95, 97, 122],
  xdigit: [48, 57, 65, 70, 97, 102],
};

/** Sorts and merges overlapping or adjacent ranges. */
export function normalize(ranges: readonly number[]): CharSet {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i]!, ranges[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = out.length - 1;
    if (last > 0 && lo <= out[last]! + 1) out[last] = Math.max(out[last]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

export function negate(set: CharSet): CharSet {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < set.length; i += 2) {
    if (set[i]! > next) out.push(next, set[i]! - 1);
    next = set[i + 1]! + 1;
  }
  if (next <= MAX_CHAR) out.push(next, MAX_CHAR);
  return out;
}

/** Adds the other case of every ASCII letter in the set (ASCII case folding only, see above). */
export function foldAscii(set: CharSet): CharSet {
  const out = [...set];
  for (let i = 0; i < set.length; i += 2) {
    for (const [from, to] of [[65, 97], [97, 65]] as const) {
      const lo = Math.max(set[i]!, from);
      const hi = Math.min(set[i + 1]!, from + 25);
      if (lo <= hi) out.push(lo - from + to, hi - from + to);
    }
  }
  return normalize(out);
}

export function contains(set: CharSet, c: number): boolean {
  for (let i = 0; i < set.length; i += 2) {
    if (c < set[i]!) return false;
    if (c <= set[i + 1]!) return true;
  }
  return false;
}

/** RE2's \b and \B look at ASCII word characters on either side. */
export function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
