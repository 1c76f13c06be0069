// The size bound is checked on programSize, before anything is built: it must
// be exactly what compile builds, or a pattern could slip past the bound.
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../../test/support/seeded-random";
import { compile, type CompileOptions, programSize } from "./compile";
import { parseRegex } from "./parse";
import { randomPattern } from "./test-patterns";

describe("programSize", () => {
  it("counts exactly the instructions compile emits", () => {
    const random = seededRandom(3);
    for (let n = 0; n < 2000; n++) {
      const parsed = parseRegex(randomPattern(random, { scopedFlags: true }).re2, false);
      const options: CompileOptions = { anchorStart: random() < 0.5, anchorEnd: random() < 0.5 };
      expect(programSize(parsed, options)).toBe(compile(parsed, options).insts.length);
    }
  });

  it("grows with counted repeats as RE2 lays them out", () => {
    const size = (pattern: string) => programSize(parseRegex(pattern, false), { anchorStart: false, anchorEnd: false });
    // SAVE 0, SAVE 1 and MATCH around every program.
    expect(size("")).toBe(3);
    expect(size("a")).toBe(4);
    expect(size("a{3}")).toBe(6); // aaa
    expect(size("a{2,4}")).toBe(3 + 2 + 2 * 2); // aa(a(a)?)?: each optional a is a SPLIT and the a
    expect(size("a{3,}")).toBe(3 + 3 + 1); // aaa+: one SPLIT loops back over the last a
    expect(size("(?:a|b)*")).toBe(3 + 4 + 2); // SPLIT, the alternation (SPLIT a JMP b), JMP
  });
});
