// RewriteTarget (edge-ingress): ingress-nginx's rewrite-target. When the
// pattern matches the path, the WHOLE path becomes the target with $1..$9
// replaced by the pattern's capture groups (src/core/policy/rewrite.ts has
// the semantics); the query is kept. The rewrite-target annotation compiles
// to this filter with the rule's path as the pattern, case-insensitive.
import * as v from "valibot";
import { got } from "../config/messages";
import { applyTarget } from "../policy/rewrite";
import { compilePattern, type CompiledPattern } from "../routing/pattern";
import { frozenFilter, type Filter } from "./filter";
import { defineFilter } from "./module";

const TARGET = /^\/?(?:[-A-Za-z0-9._~:/]|\$[1-9])*$/;

const schema = v.strictObject(
  {
    pattern: v.pipe(v.string((i) => `must be a regular expression, got ${got(i.input)}`), v.description("RE2 regular expression searched in the path (as nginx's rewrite); its groups fill $1..$9.")),
    target: v.pipe(
      v.string((i) => `must be a path, got ${got(i.input)}`),
      v.check((t) => TARGET.test(t), (i) => `must be a path with optional $1 to $9 (no other $ variables), got ${got(i.input)}`),
      v.description("The path the origin receives when the pattern matches, e.g. /$2."),
    ),
    caseInsensitive: v.optional(v.pipe(v.boolean((i) => `must be true or false, got ${got(i.input)}`), v.description("Match regardless of case, as ingress-nginx does. Default false."))),
  },
  (i) => `must be an object with pattern and target, got ${got(i.input)}`,
);

type Raw = v.InferOutput<typeof schema>;

const compiled = (raw: Raw): CompiledPattern | string => compilePattern(raw.pattern, { caseInsensitive: raw.caseInsensitive === true });

export const rewriteTarget = defineFilter<Raw>({
  type: "RewriteTarget",
  field: "rewriteTarget",
  schema,
  onBackendRef: true,
  repeatable: false,
  check(raw) {
    const pattern = compiled(raw);
    return typeof pattern === "string" ? [{ path: ["pattern"], message: `${pattern}, got ${got(raw.pattern)}` }] : [];
  },
  compile(raw): Filter {
    const pattern = compiled(raw) as CompiledPattern;
    return frozenFilter({
      type: "RewriteTarget",
      onRequest(request) {
        request.path = applyTarget(pattern, raw.target, request.path);
        return undefined;
      },
      describe: () => [`rewrite the path matching ${JSON.stringify(raw.pattern)}${raw.caseInsensitive ? " (any case)" : ""} to ${raw.target}`],
    });
  },
});
