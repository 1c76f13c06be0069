// HTTPHeaderFilter, shared by RequestHeaderModifier and
// ResponseHeaderModifier: `set` overwrites (or adds), `add` appends to the
// existing values, `remove` deletes; names compare case-insensitively.
import * as v from "valibot";
import { got } from "../config/messages";
import type { FilterProblem } from "./module";

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,256}$/;

const headerName = v.pipe(
  v.string((i) => `must be a header name, got ${got(i.input)}`),
  v.regex(HEADER_NAME, (i) => `must be a valid header name (letters, digits and !#$%&'*+-.^_\`|~), got ${got(i.input)}`),
);
// Header values must not carry CR, LF or NUL (RFC 9110 section 5.5).
const headerValue = v.pipe(
  v.string((i) => `must be a string, got ${got(i.input)}`),
  v.maxLength(4096, "must be at most 4096 characters"),
  v.check((s) => !/[\r\n\0]/.test(s), "must not contain CR, LF or NUL"),
);
const header = v.strictObject({ name: headerName, value: headerValue });
const list = <T extends v.GenericSchema>(item: T, what: string) =>
  v.optional(v.pipe(v.array(item, (i) => `must be a list of ${what}, got ${got(i.input)}`), v.maxLength(16, "must list at most 16 entries")));

export const headerFilterSchema = v.strictObject(
  {
    set: v.pipe(list(header, "{name, value}"), v.description("Headers to set, replacing any value already there.")),
    add: v.pipe(list(header, "{name, value}"), v.description("Headers to append to the values already there.")),
    remove: v.pipe(list(headerName, "header names"), v.description("Headers to remove.")),
  },
  (i) => `must be an object with set, add or remove, got ${got(i.input)}`,
);

export type HeaderFilterConfig = v.InferOutput<typeof headerFilterSchema>;

/** Names a modifier may not touch, and why. */
export function checkHeaderNames(raw: HeaderFilterConfig, forbidden: Readonly<Record<string, string>>): FilterProblem[] {
  const problems: FilterProblem[] = [];
  for (const field of ["set", "add", "remove"] as const) {
    const seen = new Set<string>();
    (raw[field] ?? []).forEach((entry, i) => {
      const name = (typeof entry === "string" ? entry : entry.name).toLowerCase();
      const at = typeof entry === "string" ? [field, i] : [field, i, "name"];
      const why = forbidden[name];
      if (why !== undefined) problems.push({ path: at, message: `cannot be ${JSON.stringify(name)}: ${why}` });
      if (seen.has(name)) problems.push({ path: at, message: `names ${JSON.stringify(name)} twice (names must be unique, case-insensitively)` });
      seen.add(name);
    });
  }
  return problems;
}

export interface HeaderEdits {
  readonly set: readonly (readonly [string, string])[];
  readonly add: readonly (readonly [string, string])[];
  readonly remove: readonly string[];
}

export function headerEdits(raw: HeaderFilterConfig): HeaderEdits {
  return Object.freeze({
    set: (raw.set ?? []).map((h) => [h.name.toLowerCase(), h.value] as const),
    add: (raw.add ?? []).map((h) => [h.name.toLowerCase(), h.value] as const),
    remove: (raw.remove ?? []).map((n) => n.toLowerCase()),
  });
}

export function applyHeaderEdits(headers: Headers, edits: HeaderEdits): void {
  for (const [name, value] of edits.set) headers.set(name, value);
  for (const [name, value] of edits.add) headers.append(name, value);
  for (const name of edits.remove) headers.delete(name);
}

export function describeHeaderEdits(edits: HeaderEdits, what: string): string[] {
  return [
    ...edits.set.map(([n, v]) => `${what}: set ${n}: ${v}`),
    ...edits.add.map(([n, v]) => `${what}: add ${n}: ${v}`),
    ...edits.remove.map((n) => `${what}: remove ${n}`),
  ];
}

/** Hop-by-hop fields belong to one connection (RFC 9110 section 7.6.1); the runtime owns the framing ones. */
export const HOP_BY_HOP_REASONS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(
    ["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "http2-settings", "content-length"].map((n) => [
      n,
      "a hop-by-hop or framing field the proxy manages",
    ]),
  ),
);
