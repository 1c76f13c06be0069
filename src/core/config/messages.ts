// Turning valibot issues into Problems: one place decides how a path and a
// received value are printed, so every message reads the same way:
//   pools.api.origins[1].url: must be an absolute http(s) URL, got "api:8080"
import type { BaseIssue } from "valibot";
import type { Problem } from "./types";

const MAX_VALUE_CHARS = 80;

/** Renders a received value for a message: JSON, truncated. */
export function got(value: unknown): string {
  let text: string;
  if (value === undefined) text = "nothing";
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 3)}...` : text;
}

/** `pools.api.origins[1].url` from path segments. */
export function joinPath(segments: readonly (string | number)[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === "" ? "(document)" : out;
}

/** Flattens valibot's issues (unions nest theirs) into path-precise problems. */
export function issuesToProblems(issues: readonly BaseIssue<unknown>[], prefix: readonly (string | number)[] = []): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const segments: (string | number)[] = [...prefix];
    for (const item of issue.path ?? []) {
      const key = (item as { key?: unknown }).key;
      if (typeof key === "string" || typeof key === "number") segments.push(key);
    }
    const unknownKey = issue.type === "strict_object" && issue.expected === "never";
    problems.push({
      path: joinPath(segments),
      message: unknownKey ? "unknown field (check its spelling and indentation)" : issue.message,
    });
  }
  return problems;
}
