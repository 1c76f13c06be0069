// Parses RE2 syntax (https://github.com/google/re2/wiki/Syntax) into the AST.
// Hand-written rather than taken from npm: the maintained parsers
// (regjsparser, @eslint-community/regexpp) read JavaScript's syntax, not
// RE2's ((?P<name>), (?i), \z, \Q...\E, [[:alpha:]], "{" as a literal), and
// cost 14 to 17 KiB gzipped, a third of the whole Worker.
// Error reasons read like RE2's own, with the offending text in backticks.
import { type Assertion, invalid, type Node, type ParsedRegex, unsupported } from "./ast";
import { ANY, ANY_BUT_NEWLINE, type CharSet, foldAscii } from "./charset";
import { type Cursor, readChar, readClass, readEscape } from "./escape";
import { readQuantifier, repeat } from "./repeat";

/** RE2's flags: i case-insensitive, m multi-line ^ $, s dot matches \n, U swaps greedy and lazy. */
interface Flags {
  readonly i: boolean;
  readonly m: boolean;
  readonly s: boolean;
  readonly U: boolean;
}

const EMPTY: Node = { type: "empty" };
const ESCAPED_ASSERTIONS: Readonly<Record<string, Assertion>> = { A: "beginText", z: "endText", b: "wordBoundary", B: "notWordBoundary" };

/** Parses a whole pattern; throws RegexError. */
export function parseRegex(src: string, caseInsensitive: boolean): ParsedRegex {
  const parser = new Parser(src, { i: caseInsensitive, m: false, s: false, U: false });
  const node = parser.alternation();
  // alternation() stops only at the end or at a ")" that no group opened.
  if (parser.pos < src.length) throw invalid("unexpected )", src);
  return { node, groupCount: parser.groups };
}

class Parser implements Cursor {
  pos = 0;
  groups = 0;
  private readonly names = new Set<string>();

  constructor(
    readonly src: string,
    /** Replaced, never mutated: a group restores the flags it started with. */
    private flags: Flags,
  ) {}

  alternation(): Node {
    const nodes = [this.concat()];
    while (this.src[this.pos] === "|") {
      this.pos++;
      nodes.push(this.concat());
    }
    return nodes.length === 1 ? nodes[0]! : { type: "alt", nodes };
  }

  private concat(): Node {
    const nodes: Node[] = [];
    // Whether there is something to repeat. A flag group such as (?i) is not, but RE2
    // lets a quantifier after it repeat what came before: a(?i)* is a*.
    let repeatable = false;
    for (let c = this.src[this.pos]; c !== undefined && c !== "|" && c !== ")"; c = this.src[this.pos]) {
      const quantifier = readQuantifier(this, this.flags.U);
      if (quantifier) {
        if (!repeatable) throw invalid("missing argument to repetition operator", quantifier.text);
        const again = readQuantifier(this, this.flags.U);
        if (again) throw invalid("invalid nested repetition operator", quantifier.text + again.text);
        nodes.push(repeat(nodes.pop()!, quantifier));
      } else if (this.src.startsWith("\\Q", this.pos)) {
        // \Q...\E: literal text; a quantifier after it repeats its last character, as in RE2.
        const end = this.src.indexOf("\\E", this.pos + 2);
        const text = this.src.slice(this.pos + 2, end < 0 ? undefined : end);
        this.pos = end < 0 ? this.src.length : end + 2;
        for (let i = 0; i < text.length; ) nodes.push(this.literal(readChar({ src: text, pos: i++ })));
        repeatable ||= text.length > 0;
      } else {
        const atom = this.atom();
        if (atom) nodes.push(atom);
        repeatable ||= atom !== undefined;
      }
    }
    return nodes.length === 1 ? nodes[0]! : nodes.length === 0 ? EMPTY : { type: "concat", nodes };
  }

  /** One atom; undefined for a flag group such as (?i), which only changes the flags. */
  private atom(): Node | undefined {
    switch (this.src[this.pos]) {
      case "(":
        return this.group();
      case "[":
        return chars(readClass(this, this.flags.i));
      case ".":
        this.pos++;
        return chars(this.flags.s ? ANY : ANY_BUT_NEWLINE);
      case "^":
        this.pos++;
        return { type: "assert", what: this.flags.m ? "beginLine" : "beginText" };
      case "$":
        this.pos++;
        return { type: "assert", what: this.flags.m ? "endLine" : "endText" };
      case "\\": {
        const what = ESCAPED_ASSERTIONS[this.src[this.pos + 1] ?? ""];
        if (what) {
          this.pos += 2;
          return { type: "assert", what };
        }
        const escaped = readEscape(this);
        // \d \w \s and their negations hold both cases of every letter already.
        return typeof escaped === "number" ? this.literal(escaped) : chars(escaped);
      }
    }
    return this.literal(readChar(this));
  }

  private literal(c: number): Node {
    return chars(this.flags.i ? foldAscii([c, c]) : [c, c]);
  }

  private group(): Node | undefined {
    const open = this.pos++;
    const outer = this.flags;
    let index: number | undefined;
    if (this.src[this.pos] !== "?" || this.groupName(open)) index = ++this.groups;
    else if (this.readFlags(open) === ")") return undefined; // (?i): applies to the rest of the enclosing group
    const node = this.alternation();
    if (this.src[this.pos] !== ")") throw invalid("missing closing )", this.src);
    this.pos++;
    this.flags = outer;
    return index === undefined ? node : { type: "capture", index, node };
  }

  /** (?P<name> or (?<name>: reads it and returns true; false if the group is not named. */
  private groupName(open: number): boolean {
    const src = this.src;
    const at = src.startsWith("?P<", this.pos) ? this.pos + 3 : /^\?<[^=!]/.test(src.slice(this.pos, this.pos + 3)) ? this.pos + 2 : -1;
    if (at < 0) return false;
    const end = src.indexOf(">", at);
    const name = src.slice(at, end);
    if (end < 0 || !/^\w+$/.test(name)) throw invalid("invalid named capture", src.slice(open, end < 0 ? undefined : end + 1));
    if (this.names.has(name)) throw invalid("duplicate capture group name", name);
    this.names.add(name);
    this.pos = end + 1;
    return true;
  }

  /** (?flags) or (?flags: after "(", with lookaround and the like named; returns ")" or ":". */
  private readFlags(open: number): string {
    const src = this.src;
    if (/^\?<?[=!]/.test(src.slice(this.pos, this.pos + 3))) {
      throw unsupported("lookaround ((?=, (?!, (?<=, (?<!) is not supported: it cannot be matched in linear time");
    }
    if (src.startsWith("?P=", this.pos)) throw unsupported("backreferences ((?P=name)) are not supported: they cannot be matched in linear time");
    if (src.startsWith("?>", this.pos)) throw unsupported("atomic groups ((?>...)) are not supported; a group alone already matches in linear time");
    const flags: { -readonly [K in keyof Flags]: boolean } = { ...this.flags };
    let on = true;
    let sawFlag = false;
    for (let i = this.pos + 1; i < src.length; i++) {
      const c = src[i]!;
      // "(?)" is allowed and does nothing, as in RE2; "(?-)" and "(?i-)" are not.
      if ((c === ")" || c === ":") && (sawFlag || on)) {
        this.pos = i + 1;
        this.flags = flags;
        return c;
      }
      if (c === "-" && on) {
        on = false;
        sawFlag = false;
      } else if (c === "i" || c === "m" || c === "s" || c === "U") {
        flags[c] = on;
        sawFlag = true;
      } else {
        throw invalid("invalid or unsupported Perl syntax", src.slice(open, i + 1));
      }
    }
    throw invalid("invalid or unsupported Perl syntax", src.slice(open));
  }
}

function chars(set: CharSet): Node {
  return { type: "chars", set };
}
