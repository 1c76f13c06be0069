// HTTPRoute conditions besides the path (method, headers, query parameters),
// compiled once and checked only among the rules a request's host and path
// already selected, so their cost does not grow with the number of rules.
import type { MatchConditions, ValueCondition } from "../config/types";
import { lazyFullMatchRegex } from "./regex";

/** What the table needs to know of a request besides host and path. */
export interface RequestFacts {
  /** Upper-case, as sent. */
  readonly method: string;
  /** A header's value (several lines joined by ", "), or null; `name` is lower-case. */
  header(name: string): string | null;
  /** The first value of a query parameter (decoded), or null. */
  queryParam(name: string): string | null;
  /** The listener address the request came in on: "http:80", "https:443". */
  readonly listener: string;
}

/** A plain GET with no headers and no query, on port 80: what match(host, path) assumes. */
export const PLAIN_GET: RequestFacts = Object.freeze({
  method: "GET",
  header: () => null,
  queryParam: () => null,
  listener: "http:80",
});

interface CompiledValue {
  readonly name: string;
  readonly exact: string | undefined;
  readonly regex: { test(input: string): boolean } | undefined;
}

export interface CompiledConditions {
  readonly method: string | undefined;
  readonly headers: readonly CompiledValue[];
  readonly queryParams: readonly CompiledValue[];
}

export function compileConditions(c: MatchConditions | undefined): CompiledConditions | undefined {
  if (c === undefined || (c.method === undefined && c.headers.length === 0 && c.queryParams.length === 0)) return undefined;
  return Object.freeze({ method: c.method, headers: c.headers.map(compileValue), queryParams: c.queryParams.map(compileValue) });
}

function compileValue(v: ValueCondition): CompiledValue {
  return Object.freeze({
    name: v.name,
    exact: v.type === "Exact" ? v.value : undefined,
    regex: v.type === "RegularExpression" ? lazyFullMatchRegex(v.value) : undefined,
  });
}

export function conditionsHold(c: CompiledConditions, request: RequestFacts): boolean {
  if (c.method !== undefined && c.method !== request.method) return false;
  for (const h of c.headers) if (!valueHolds(h, request.header(h.name))) return false;
  for (const q of c.queryParams) if (!valueHolds(q, request.queryParam(q.name))) return false;
  return true;
}

function valueHolds(v: CompiledValue, actual: string | null): boolean {
  if (actual === null) return false;
  return v.exact !== undefined ? actual === v.exact : (v.regex as { test(input: string): boolean }).test(actual);
}

/** Which conditions of a rule hold for a request, one line each, for explain. */
export function describeConditions(c: MatchConditions | undefined, request: RequestFacts): string[] {
  if (c === undefined) return [];
  const lines: string[] = [];
  if (c.method !== undefined) lines.push(`method ${c.method}: ${c.method === request.method ? "matched" : `not matched (${request.method})`}`);
  const compiled = compileConditions(c) as CompiledConditions;
  c.headers.forEach((h, i) => {
    const actual = request.header(h.name);
    const ok = valueHolds(compiled.headers[i] as CompiledValue, actual);
    lines.push(`header ${h.name} ${h.type === "Exact" ? "=" : "~"} ${JSON.stringify(h.value)}: ${ok ? "matched" : `not matched (${actual === null ? "absent" : JSON.stringify(actual)})`}`);
  });
  c.queryParams.forEach((q, i) => {
    const actual = request.queryParam(q.name);
    const ok = valueHolds(compiled.queryParams[i] as CompiledValue, actual);
    lines.push(`query ${q.name} ${q.type === "Exact" ? "=" : "~"} ${JSON.stringify(q.value)}: ${ok ? "matched" : `not matched (${actual === null ? "absent" : JSON.stringify(actual)})`}`);
  });
  return lines;
}
