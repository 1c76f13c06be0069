// Test-only (imported by *.test.ts, never by production code): random
// patterns within the supported RE2 subset, built as a small tree of their
// own and written out twice, in RE2 syntax and as an equivalent JavaScript
// RegExp source, so the engine can be checked against both without the
// engine's own parser deciding what a pattern means.

/** Characters patterns are made of; inputs add \t and leave out what JavaScript and RE2 classes see differently (\v, \r, U+00A0...). */
const PATTERN_CHARS = "abcAB-/._1 \né";
export const INPUT_CHARS = "abcAB-/._1 \n\té";

type Item = { k: "char"; c: string } | { k: "range"; lo: string; hi: string } | { k: "perl"; c: string } | { k: "posix"; name: string; negated: boolean };

type Gen =
  /** spelling: 0 the character, 1 \x{hh}, 2 \xhh, 3 octal (RE2 only; JavaScript gets \xhh). */
  | { t: "lit"; c: string; spelling: number }
  | { t: "quote"; s: string }
  | { t: "class"; negated: boolean; items: Item[] }
  | { t: "dot" }
  | { t: "perl"; c: string }
  | { t: "assert"; re2: string; js: string }
  | { t: "group"; kind: "capture" | "plain" | "named"; name: string; body: Gen }
  | { t: "flags"; flags: string; body: Gen }
  | { t: "cat"; parts: Gen[] }
  | { t: "alt"; parts: Gen[] }
  | { t: "rep"; body: Gen; op: string; lazy: boolean; min: number; max: number };

export interface RandomPattern {
  readonly re2: string;
  /** undefined when the pattern uses what JavaScript cannot say (scoped flags such as (?s:...)). */
  readonly js: string | undefined;
  /** A repeat may run an empty iteration, where JavaScript's rules differ from Perl's and RE2's. */
  readonly emptyIteration: boolean;
  /** A capture group inside a repeat: JavaScript clears it at each iteration, RE2 keeps the last value. */
  readonly captureInRepeat: boolean;
}

const POSIX_JS: Readonly<Record<string, string>> = { alpha: "A-Za-z", digit: "0-9", lower: "a-z", upper: "A-Z", space: "\\t\\n\\v\\f\\r ", punct: "!-\\/:-@\\[-`{-~", word: "\\w" };

export function randomPattern(random: () => number, options: { readonly scopedFlags: boolean }): RandomPattern {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const int = (n: number) => Math.floor(random() * n);
  let groups = 0;
  const char = () => pick([...PATTERN_CHARS]);

  const gen = (depth: number): Gen => {
    const r = random() * (depth > 3 ? 0.55 : 1);
    if (r < 0.2) return { t: "lit", c: char(), spelling: random() < 0.85 ? 0 : 1 + int(3) };
    if (r < 0.28) return { t: "class", negated: random() < 0.3, items: classItems() };
    if (r < 0.33) return pick<Gen>([{ t: "dot" }, { t: "perl", c: pick([..."dDwWsS"]) }]);
    if (r < 0.38) return pick<Gen>([{ t: "assert", re2: "^", js: "^" }, { t: "assert", re2: "$", js: "$" }, { t: "assert", re2: "\\A", js: "^" }, { t: "assert", re2: "\\z", js: "$" }, { t: "assert", re2: "\\b", js: "\\b" }, { t: "assert", re2: "\\B", js: "\\B" }]);
    if (r < 0.41) return { t: "quote", s: Array.from({ length: 1 + int(3) }, char).join("").replace(/\\/g, "") };
    if (r < 0.52) return { t: "cat", parts: Array.from({ length: 2 + int(3) }, () => gen(depth + 1)) };
    if (r < 0.62) return { t: "alt", parts: Array.from({ length: 2 + int(2) }, () => (random() < 0.1 ? { t: "cat", parts: [] } : gen(depth + 1))) };
    if (r < 0.76) {
      const kind = pick(["capture", "capture", "plain", "named"] as const);
      return { t: "group", kind, name: kind === "named" ? `g${++groups}` : (kind === "capture" ? String(++groups) : ""), body: gen(depth + 1) };
    }
    if (r < 0.78 && options.scopedFlags) return { t: "flags", flags: pick(["i", "s", "m", "U", "-i", "is", "i-s"]), body: gen(depth + 1) };
    const [op, min, max] = pick<[string, number, number]>([["*", 0, Infinity], ["+", 1, Infinity], ["?", 0, 1], ["{2}", 2, 2], ["{0,2}", 0, 2], ["{1,3}", 1, 3], ["{2,}", 2, Infinity], ["{0}", 0, 0]]);
    return { t: "rep", body: gen(depth + 1), op, lazy: random() < 0.3, min, max };
  };

  const classItems = (): Item[] => {
    if (random() < 0.08) return [{ k: "posix", name: pick(Object.keys(POSIX_JS)), negated: true }];
    return Array.from({ length: 1 + int(3) }, (): Item => {
      const r = random();
      if (r < 0.5) return { k: "char", c: char() };
      if (r < 0.75) return pick<Item>([{ k: "range", lo: "a", hi: "c" }, { k: "range", lo: "-", hi: "/" }, { k: "range", lo: "A", hi: "z" }, { k: "range", lo: "0", hi: "9" }]);
      if (r < 0.9) return { k: "perl", c: pick([..."dDwWsS"]) };
      return { k: "posix", name: pick(Object.keys(POSIX_JS)), negated: false };
    });
  };

  const tree = gen(0);
  return { re2: render(tree, "re2")!, js: render(tree, "js"), emptyIteration: has(tree, (g) => g.t === "rep" && g.max > g.min && nullable(g.body)), captureInRepeat: has(tree, (g) => g.t === "rep" && g.max > 1 && has(g.body, (b) => b.t === "group" && b.kind !== "plain")) };
}

function escapeChar(c: string, inClass: boolean): string {
  if (c === "\n") return "\\n";
  return (inClass ? /[\]\\^\-[]/ : /[.+*?()|[\]{}^$\\]/).test(c) ? `\\${c}` : c;
}

function render(g: Gen, to: "re2" | "js"): string | undefined {
  const all = (parts: Gen[], sep: string) => {
    const out = parts.map((p) => render(p, to));
    return out.includes(undefined) ? undefined : out.join(sep);
  };
  switch (g.t) {
    case "lit": {
      const code = g.c.charCodeAt(0);
      const hex = code.toString(16).padStart(2, "0");
      if (g.spelling === 0) return escapeChar(g.c, false);
      if (to === "js" || g.spelling === 2) return `\\x${hex}`;
      return g.spelling === 1 ? `\\x{${hex}}` : `\\${code.toString(8).padStart(3, "0")}`;
    }
    case "quote":
      return to === "re2" ? `\\Q${g.s}\\E` : [...g.s].map((c) => escapeChar(c, false)).join("");
    case "class": {
      const items = g.items.map((i) => {
        if (i.k === "char") return escapeChar(i.c, true);
        if (i.k === "range") return `${escapeChar(i.lo, true)}-${escapeChar(i.hi, true)}`;
        if (i.k === "perl") return `\\${i.c}`;
        return to === "re2" ? `[:${i.negated ? "^" : ""}${i.name}:]` : POSIX_JS[i.name]!;
      });
      // A negated POSIX class is alone in its class (see classItems): JavaScript writes it as the negated class.
      const negated = g.negated !== (g.items[0]?.k === "posix" && g.items[0].negated && to === "js");
      return `[${negated ? "^" : ""}${items.join("")}]`;
    }
    case "dot":
      return ".";
    case "perl":
      return `\\${g.c}`;
    case "assert":
      return to === "re2" ? g.re2 : g.js;
    case "group": {
      const body = render(g.body, to);
      if (body === undefined) return undefined;
      if (g.kind === "plain") return `(?:${body})`;
      if (g.kind === "capture") return `(${body})`;
      return to === "re2" ? `(?P<${g.name}>${body})` : `(?<${g.name}>${body})`;
    }
    case "flags": {
      const body = render(g.body, to);
      return to === "js" || body === undefined ? undefined : `(?${g.flags}:${body})`;
    }
    case "cat":
      return all(g.parts.map((p) => (p.t === "alt" ? wrap(p) : p)), "");
    case "alt":
      return all(g.parts, "|");
    case "rep": {
      const atom = ["lit", "class", "dot", "perl", "group", "flags"].includes(g.body.t);
      const body = render(atom ? g.body : wrap(g.body), to);
      return body === undefined ? undefined : `${body}${g.op}${g.lazy ? "?" : ""}`;
    }
  }
}

function wrap(g: Gen): Gen {
  return { t: "group", kind: "plain", name: "", body: g };
}

function has(g: Gen, test: (g: Gen) => boolean): boolean {
  if (test(g)) return true;
  if (g.t === "group" || g.t === "flags" || g.t === "rep") return has(g.body, test);
  if (g.t === "cat" || g.t === "alt") return g.parts.some((p) => has(p, test));
  return false;
}

function nullable(g: Gen): boolean {
  switch (g.t) {
    case "lit": case "class": case "dot": case "perl": return false;
    case "quote": return g.s.length === 0;
    case "group": case "flags": return nullable(g.body);
    case "cat": return g.parts.every(nullable);
    case "alt": return g.parts.some(nullable);
    case "rep": return g.min === 0 || nullable(g.body);
    default: return true;
  }
}

export function randomInput(random: () => number, maxLength: number): string {
  return Array.from({ length: Math.floor(random() * (maxLength + 1)) }, () => INPUT_CHARS[Math.floor(random() * INPUT_CHARS.length)]).join("");
}
