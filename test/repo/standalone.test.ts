// The repository stands alone: a user's clone has nothing beside it, so no
// tracked file may read or link anything outside it (a sibling folder, a
// machine path) or point at documents users do not have (issue trackers,
// style notes kept elsewhere).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);

function trackedFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" });
  return out.split("\0").filter((f) => f !== "" && f !== "package-lock.json" && !f.startsWith("test/fixtures/conformance/"));
}

// Built from parts so this file does not match itself.
const FORBIDDEN: readonly [RegExp, string][] = [
  [new RegExp(["\\.\\./", "shared"].join("")), "a sibling folder outside the repository"],
  [new RegExp(["(?<![\\w.])/", "work/"].join("")), "an absolute machine path"],
  [new RegExp(["(?<![\\w.])/", "tmp/[a-z]"].join("")), "an absolute temporary path"],
  [new RegExp(["(?<![\\w.])/", "home/"].join("")), "an absolute home path"],
  [new RegExp(["\\bstyle ", "principle\\b|\\bsee ", "principle \\d"].join(""), "i"), "a style note users do not have"],
  [new RegExp(["\\bissue ", "#?\\d+\\b"].join(""), "i"), "an issue number users cannot look up"],
];

describe("the repository stands alone", () => {
  it("no tracked file refers to anything outside it", () => {
    const found: string[] = [];
    for (const file of trackedFiles()) {
      let text: string;
      try {
        text = readFileSync(new URL(file, root), "utf8");
      } catch {
        continue; // deleted in the work tree but still tracked
      }
      text.split("\n").forEach((line, i) => {
        for (const [pattern, what] of FORBIDDEN) {
          if (pattern.test(line)) found.push(`${file}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`);
        }
      });
    }
    expect(found).toEqual([]);
  });

  it("the check itself catches a reference outside the repository", () => {
    const line = ["see ..", "shared", "docs"].join("/");
    expect(FORBIDDEN.some(([p]) => p.test(line))).toBe(true);
  });
});
