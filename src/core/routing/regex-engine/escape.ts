// Escapes and bracketed classes, as RE2 reads them
// (https://github.com/google/re2/wiki/Syntax), minus what needs Unicode
// tables; what is refused says why and what to write instead.
import { invalid, unsupported } from "./ast";
import { type CharSet, foldAscii, negate, normalize, PERL_CLASSES, POSIX_CLASSES } from "./charset";

/** The pattern and the reading position, shared with the parser. */
export interface Cursor {
  readonly src: string;
  pos: number;
}

const CONTROL: Readonly<Record<string, number>> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };

/** One code unit of the pattern, taken literally. */
export function readChar(cur: Cursor): number {
  const c = cur.src.charCodeAt(cur.pos++);
  if (c >= 0xd800 && c <= 0xdfff) throw beyondBmp();
  return c;
}

/**
 * The escape whose backslash is at cur.pos, when it stands for characters:
 * one code unit (a number) or a class (\d, \w, ...). Anchors (\A, \z, \b)
 * and \Q...\E are the parser's, outside brackets only.
 */
export function readEscape(cur: Cursor): number | CharSet {
  const start = cur.pos++;
  if (cur.pos >= cur.src.length) throw invalid("trailing backslash at end of expression");
  const c = cur.src[cur.pos++]!;
  const perl = PERL_CLASSES[c.toLowerCase()];
  if (perl) return c === c.toLowerCase() ? perl : negate(perl);
  const control = CONTROL[c];
  if (control !== undefined) return control;
  if (c === "x") return readHex(cur, start);
  if (c === "p" || c === "P") throw unsupported("Unicode classes (\\p, \\P) are not supported: request paths are ASCII and header values Latin-1; write a class such as [a-z]");
  // RE2: \0 and up to two more octal digits, or \1 to \7 followed by one; a lone \1 is a backreference.
  if (c === "0" || (c >= "1" && c <= "7" && isOctal(cur.src[cur.pos]))) {
    let code = Number(c);
    for (let i = 0; i < 2 && isOctal(cur.src[cur.pos]); i++) code = code * 8 + Number(cur.src[cur.pos++]);
    return code;
  }
  if ((c >= "1" && c <= "9") || (c === "k" && cur.src[cur.pos] === "<")) {
    throw unsupported("backreferences (\\1, \\k<name>) are not supported: they cannot be matched in linear time");
  }
  if (c === "u") throw unsupported("\\uXXXX escapes are not supported; write \\x{XXXX}");
  if (c === "Z") throw unsupported("\\Z is not supported; write \\z (end of text) or $");
  if (c === "C") throw unsupported("\\C (any byte) is not supported; write .");
  const code = c.charCodeAt(0);
  // RE2: any ASCII character that is not a letter or a digit may be escaped to stand for itself.
  if (code < 0x80 && !/[0-9A-Za-z]/.test(c)) return code;
  throw invalid("invalid escape sequence", cur.src.slice(start, cur.pos));
}

const isOctal = (c: string | undefined) => c !== undefined && c >= "0" && c <= "7";

/** \xHH or \x{H...}, cur.pos just after the x; an error quotes the escape up to its first wrong character, as RE2. */
function readHex(cur: Cursor, start: number): number {
  const { src } = cur;
  const braced = src[cur.pos] === "{";
  let end = braced ? cur.pos + 1 : cur.pos;
  while (end < src.length && /[0-9A-Fa-f]/.test(src[end]!) && (braced || end < cur.pos + 2)) end++;
  const digits = src.slice(braced ? cur.pos + 1 : cur.pos, end);
  if (braced ? digits === "" || src[end] !== "}" : digits.length !== 2) throw invalid("invalid escape sequence", src.slice(start, braced ? end + 1 : start + 4));
  cur.pos = braced ? end + 1 : end;
  const code = digits.length > 6 ? Infinity : parseInt(digits, 16);
  if (code > 0x10ffff) throw invalid("invalid escape sequence", src.slice(start, cur.pos));
  if (code > 0xffff || (code >= 0xd800 && code <= 0xdfff)) throw beyondBmp();
  return code;
}

function beyondBmp() {
  return unsupported("characters beyond U+FFFF are not supported (request paths are ASCII and header values Latin-1)");
}

/** A bracketed class at cur.pos ("["), folded for case-insensitive matching before it is negated, as RE2 does. */
export function readClass(cur: Cursor, foldCase: boolean): CharSet {
  const { src } = cur;
  const start = cur.pos++;
  const negated = src[cur.pos] === "^";
  if (negated) cur.pos++;
  const ranges: number[] = [];
  // RE2: a "]" right after "[" or "[^" is a literal, not the end.
  for (let first = true; first || src[cur.pos] !== "]"; first = false) {
    if (cur.pos >= src.length) throw invalid("missing closing ]", src.slice(start));
    const posix = readPosix(cur, foldCase);
    if (posix) {
      ranges.push(...posix);
      continue;
    }
    const rangeStart = cur.pos;
    const lo = classChar(cur);
    if (typeof lo !== "number") {
      ranges.push(...lo);
      continue;
    }
    let hi = lo;
    // "-" before "]" (or at the start) is a literal.
    if (src[cur.pos] === "-" && cur.pos + 1 < src.length && src[cur.pos + 1] !== "]") {
      const endStart = ++cur.pos;
      const end = classChar(cur);
      if (typeof end !== "number") throw invalid("invalid escape sequence", src.slice(endStart, cur.pos));
      if (end < lo) throw invalid("invalid character class range", src.slice(rangeStart, cur.pos));
      hi = end;
    }
    ranges.push(lo, hi);
  }
  cur.pos++;
  const set = foldCase ? foldAscii(normalize(ranges)) : normalize(ranges);
  return negated ? negate(set) : set;
}

function classChar(cur: Cursor): number | CharSet {
  return cur.src[cur.pos] === "\\" ? readEscape(cur) : readChar(cur);
}

/**
 * [:alpha:] or [:^alpha:] inside brackets; undefined (nothing read) if there
 * is none at cur.pos. Folded before it is negated, as RE2 does: (?i)[[:^upper:]]
 * is "not a letter", not "anything".
 */
function readPosix(cur: Cursor, foldCase: boolean): CharSet | undefined {
  if (!cur.src.startsWith("[:", cur.pos)) return undefined;
  // From the ":" on, as RE2: "[:]" is a (bad) class name, not "[" then ":]...".
  const end = cur.src.indexOf(":]", cur.pos + 1);
  if (end < 0) return undefined;
  const text = cur.src.slice(cur.pos, end + 2);
  const negated = text[2] === "^";
  const name = text.slice(negated ? 3 : 2, -2);
  const set = Object.hasOwn(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
  if (!set) throw invalid("invalid character class range", text);
  cur.pos = end + 2;
  const folded = foldCase ? foldAscii(set) : set;
  return negated ? negate(folded) : folded;
}
