// Health-check headers: the raw schema (a name by the token grammar, a value
// given as text or as {secret: NAME}, a Worker secret read at probe time) and
// the checks on each header. No message quotes a value: it may be a credential.
import * as v from "valibot";
import { FIELD_NAME, fieldValueProblem } from "../http/field-syntax";
import { got, joinPath } from "./messages";
import type { HeaderValue, Problem } from "./types";

/** A Worker variable name, as `wrangler secret put NAME` takes it. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const secretName = v.pipe(
  v.string((i) => `must be a Worker secret name, got ${got(i.input)}`),
  v.regex(SECRET_NAME, (i) => `must be a Worker secret name (letters, digits and _, not starting with a digit), got ${got(i.input)}`),
  v.description("Name of a Worker secret (`wrangler secret put NAME`) holding the value; read when each probe is sent."),
);

const headerValue = v.union(
  [
    v.string(),
    v.strictObject({ secret: secretName }, (i) => `must be text or {secret: NAME}, got ${kind(i.input)}`),
  ],
  (i) => `must be text or {secret: NAME}, got ${kind(i.input)}`,
);

export const probeHeaders = v.pipe(
  v.record(
    v.pipe(v.string(), v.regex(FIELD_NAME, (i) => `must be a valid header name (letters, digits and !#$%&'*+-.^_\`|~), got ${got(i.input)}`)),
    headerValue,
    (i) => `must be a map of header name to value, got ${kind(i.input)}`,
  ),
  v.description("Extra probe headers, e.g. auth. A value is text or {secret: NAME} (a Worker secret, so the token stays out of the config and KV). Never logged."),
);

export type RawProbeHeaders = v.InferOutput<typeof probeHeaders>;

const HOST_REASON =
  "Workers send the host of the URL they fetch, not a Host header you set, so the origin would never see it " +
  "(live traffic, too, reaches each origin with the origin's own host); " +
  "to have the origin answer to another name, give the origin a URL with that name (a DNS record pointing at it)";
const CONNECTION_REASON = "it describes one connection, which the runtime manages (RFC 9110 section 7.6.1)";

/** Header names a probe cannot meaningfully send, with the reason. */
const REFUSED: ReadonlyMap<string, string> = new Map([
  ["host", HOST_REASON],
  ["content-length", "the runtime frames each message itself (RFC 9110 section 8.6)"],
  ["transfer-encoding", "the runtime frames each message itself (RFC 9112 section 6.1)"],
  ["connection", CONNECTION_REASON],
  ["keep-alive", CONNECTION_REASON],
  ["proxy-connection", CONNECTION_REASON],
  ["te", CONNECTION_REASON],
  ["trailer", CONNECTION_REASON],
  ["upgrade", CONNECTION_REASON],
  ["expect", "a probe has no body to negotiate"],
]);

/**
 * The headers as written, checked name by name. With `strict` false (a
 * config read back from KV, possibly stored before these checks existed)
 * nothing is refused here: the probe checks each value before sending it,
 * so an old config keeps serving after the Worker is upgraded.
 */
export function normalizeProbeHeaders(
  raw: RawProbeHeaders,
  at: readonly (string | number)[],
  problems: Problem[],
  strict: boolean,
): Readonly<Record<string, HeaderValue>> {
  const headers: Record<string, HeaderValue> = {};
  const seen = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    headers[name] = typeof value === "string" ? value : { secret: value.secret };
    if (!strict) continue;
    const path = joinPath([...at, name]);
    const lower = name.toLowerCase();
    const refused = REFUSED.get(lower);
    if (refused) problems.push({ path, message: `cannot be set on a probe: ${refused}` });
    const first = seen.get(lower);
    if (first !== undefined) problems.push({ path, message: `is the same header as ${got(first)} (header names are case-insensitive)` });
    else seen.set(lower, name);
    const problem = typeof value === "string" ? fieldValueProblem(value) : undefined;
    if (problem) problems.push({ path, message: `must be a valid header value: ${problem}` });
  }
  return headers;
}

/** What a value is, never what it says. */
function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  // Its field names help ("value" instead of "secret"); its values are not shown.
  if (typeof value === "object") return `a mapping with ${Object.keys(value).map((k) => got(k)).join(", ") || "no fields"}`;
  if (typeof value === "string") return "text";
  return `a ${typeof value}`;
}
