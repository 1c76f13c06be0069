// HTTPPathModifier, shared by RequestRedirect and URLRewrite:
// ReplaceFullPath replaces the whole path; ReplacePrefixMatch replaces the
// PathPrefix the rule matched, element-wise, with the table of the Gateway
// API field doc: prefix /foo and replacement /xyz turn /foo/bar into
// /xyz/bar and /foo/ into /xyz/; an empty replacement or "/" turns /foo
// into "/".
import * as v from "valibot";
import { got } from "../config/messages";
import { elementCount, segmentName } from "../http/path";
import type { FilterContext, FilterProblem } from "./module";

const absolutePath = (what: string) =>
  v.pipe(
    v.string((i) => `must be a path, got ${got(i.input)}`),
    v.maxLength(1024, "must be at most 1024 characters"),
    v.check((p) => /^(?:\/[-A-Za-z0-9/._~!$&'()*+,;=:@%]*)?$/.test(p), (i) => `must be ${what}, got ${got(i.input)}`),
  );

export const pathModifierSchema = v.strictObject(
  {
    type: v.picklist(["ReplaceFullPath", "ReplacePrefixMatch"], (i) => `must be ReplaceFullPath or ReplacePrefixMatch, got ${got(i.input)}`),
    replaceFullPath: v.optional(absolutePath('an absolute path starting with "/"')),
    replacePrefixMatch: v.optional(absolutePath('empty or an absolute path starting with "/"')),
  },
  (i) => `must be an object with type and replaceFullPath or replacePrefixMatch, got ${got(i.input)}`,
);

export type PathModifier = v.InferOutput<typeof pathModifierSchema>;

/** The Gateway API's CEL rules for a path modifier, under `path`. */
export function checkPathModifier(path: PathModifier | undefined, ctx: FilterContext): FilterProblem[] {
  if (path === undefined) return [];
  if (path.type === "ReplaceFullPath") {
    if (path.replaceFullPath === undefined) return [{ path: ["path", "replaceFullPath"], message: "is required when type is ReplaceFullPath" }];
    if (path.replacePrefixMatch !== undefined) return [{ path: ["path", "replacePrefixMatch"], message: "must not be set when type is ReplaceFullPath" }];
    if (path.replaceFullPath === "") return [{ path: ["path", "replaceFullPath"], message: 'must be an absolute path starting with "/", got ""' }];
    return [];
  }
  if (path.replacePrefixMatch === undefined) return [{ path: ["path", "replacePrefixMatch"], message: "is required when type is ReplacePrefixMatch" }];
  if (path.replaceFullPath !== undefined) return [{ path: ["path", "replaceFullPath"], message: "must not be set when type is ReplacePrefixMatch" }];
  if (ctx.matchPathTypes.length !== 1 || ctx.matchPathTypes[0] !== "PathPrefix") {
    return [{ path: ["path", "type"], message: "ReplacePrefixMatch needs the rule to have exactly one match, with a PathPrefix path (Gateway API)" }];
  }
  return [];
}

/**
 * The path after the modifier; `matchedPrefix` is the rule's PathPrefix value.
 * The rule matched the path without its ";parameters" (src/core/http/path.ts:
 * "/api;x/users" and "/;x/api/users" both match "/api"), so the prefix is cut
 * as the path elements it matched, parameters and all, not as a number of
 * characters. The rest then starts with "/" or is empty, and so does the
 * result: a cut by characters would leave ";x/users", which after an origin's
 * URL reads as part of its authority, that is, as another host.
 */
export function modifyPath(path: string, modifier: PathModifier, matchedPrefix: string | undefined): string {
  if (modifier.type === "ReplaceFullPath") return modifier.replaceFullPath ?? path;
  const rest = path.slice(matchedEnd(path, elementCount(trimSlash(matchedPrefix ?? "/"))));
  const replaced = trimSlash(modifier.replacePrefixMatch ?? "") + rest;
  return replaced === "" ? "/" : replaced;
}

/**
 * Where the first `elements` named segments of the path end (the "/" after
 * the last of them, or the path's length). Segments with no name, only
 * parameters, are not elements of the path the rules matched.
 */
function matchedEnd(path: string, elements: number): number {
  let count = 0;
  for (let start = path.indexOf("/") + 1; start > 0 && count < elements; ) {
    const slash = path.indexOf("/", start);
    const end = slash === -1 ? path.length : slash;
    if (segmentName(path.slice(start, end)) !== "" && ++count === elements) return end;
    if (slash === -1) break;
    start = slash + 1;
  }
  return elements === 0 ? 0 : path.length;
}

/** "/foo/" -> "/foo", "/" -> "", "" -> "". */
function trimSlash(path: string): string {
  return path.endsWith("/") ? path.slice(0, -1) : path;
}

export function describePathModifier(modifier: PathModifier): string {
  return modifier.type === "ReplaceFullPath" ? `path replaced by ${modifier.replaceFullPath}` : `matched prefix replaced by ${JSON.stringify(modifier.replacePrefixMatch)}`;
}
