// NginxHeaders (edge-ingress): headers set on every request to the origin
// and on every origin response, with nginx's value syntax: ingress-nginx's
// controller ConfigMap keys proxy-set-headers (nginx proxy_set_header) and
// add-headers, and the custom-headers annotation (both more_set_headers).
// Each replaces any value already there, as those directives do, and an
// empty value removes the header (proxy_set_header then does not pass it,
// more_set_headers clears it). A value
// is text, plus the one nginx variable that needs no request state nginx
// has and the Worker lacks: $msec (or ${msec}), the current time in
// seconds with millisecond resolution ("1712345678.123"). Any other
// variable is refused by name: sending the literal "$host" to an origin
// would be wrong silently.
import * as v from "valibot";
import { got } from "../config/messages";
import { frozenFilter, type Filter } from "./filter";
import { HOP_BY_HOP_REASONS } from "./header-modifier";
import { defineFilter, type FilterProblem } from "./module";

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,256}$/;
const VARIABLE = /\$(?:\{([A-Za-z0-9_]*)\}?|([A-Za-z0-9_]*))/g;

const FORWARDING = "the router sets it on every request (README: Headers the origin receives); a ConfigMap value would be overwritten or forge it";

/** Request headers the router owns, and why. */
export const REQUEST_HEADER_REASONS: Readonly<Record<string, string>> = Object.freeze({
  ...HOP_BY_HOP_REASONS,
  host: "the origin receives its own host, or the client's with the pool's preserveHost / the upstream-vhost annotation",
  ...Object.fromEntries(["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-real-ip", "true-client-ip", "x-request-id", "forwarded"].map((n) => [n, FORWARDING])),
});

/** Response headers the router owns, and why. */
export const RESPONSE_HEADER_REASONS: Readonly<Record<string, string>> = Object.freeze({
  ...HOP_BY_HOP_REASONS,
  "set-cookie": "setting it would replace the origin's cookies (and session affinity's); set cookies in the application",
});

/** Why a header value cannot be sent, or undefined: one line, at most 4096 characters, variables only $msec. */
export function headerValueProblem(value: string): string | undefined {
  if (/[\r\n\0]/.test(value)) return "must not contain CR, LF or NUL (RFC 9110 section 5.5)";
  if (value.length > 4096) return "must be at most 4096 characters";
  for (const m of value.matchAll(VARIABLE)) {
    const name = m[1] ?? m[2] ?? "";
    if (m[1] !== undefined && !m[0].endsWith("}")) return `has an unclosed "\${" (write \${msec})`;
    if (name === "msec") continue;
    if (name === "") return `has a "$" that starts no variable name; nginx refuses it too (only $msec is supported)`;
    return `uses the nginx variable $${name}, which edge-ingress does not substitute (only $msec is supported): the origin or client would receive the literal text; write the value out, or remove the header`;
  }
  return undefined;
}

/** Why a header name cannot be set, or undefined. */
export function headerNameProblem(name: string, reasons: Readonly<Record<string, string>>): string | undefined {
  if (!HEADER_NAME.test(name)) return `must be a valid header name (RFC 9110 token: letters, digits and !#$%&'*+-.^_\`|~), got ${got(name)}`;
  const why = reasons[name.toLowerCase()];
  return why === undefined ? undefined : `cannot set ${JSON.stringify(name.toLowerCase())}: ${why}`;
}

const header = v.strictObject({
  name: v.string((i) => `must be a header name, got ${got(i.input)}`),
  value: v.string((i) => `must be a string, got ${got(i.input)}`),
});
const headerList = (what: string) => v.optional(v.pipe(
  v.array(header, (i) => `must be a list of {name, value}, got ${got(i.input)}`),
  v.maxLength(64, "must list at most 64 headers"),
  v.description(what),
));

const schema = v.strictObject(
  {
    request: headerList("Headers set on every request to the origin (replacing any value; an empty value removes the header). Values may use $msec (the time in seconds with millisecond resolution)."),
    response: headerList("Headers set on every origin response (replacing any value; an empty value removes the header). Values may use $msec."),
  },
  (i) => `must be an object with request and/or response, got ${got(i.input)}`,
);

type Raw = v.InferOutput<typeof schema>;

function check(raw: Raw): FilterProblem[] {
  const problems: FilterProblem[] = [];
  for (const [field, reasons] of [["request", REQUEST_HEADER_REASONS], ["response", RESPONSE_HEADER_REASONS]] as const) {
    const seen = new Set<string>();
    (raw[field] ?? []).forEach((h, i) => {
      const nameProblem = headerNameProblem(h.name, reasons);
      if (nameProblem) problems.push({ path: [field, i, "name"], message: nameProblem });
      if (seen.has(h.name.toLowerCase())) problems.push({ path: [field, i, "name"], message: `names ${JSON.stringify(h.name.toLowerCase())} twice (names must be unique, case-insensitively)` });
      seen.add(h.name.toLowerCase());
      const valueProblem = headerValueProblem(h.value);
      if (valueProblem) problems.push({ path: [field, i, "value"], message: valueProblem });
    });
  }
  return problems;
}

/** A checked value: text pieces with the time between them. */
type Template = readonly string[];

const compileValue = (value: string): Template => value.split(/\$\{msec\}|\$msec/);

/** nginx's $msec: seconds since the epoch with three decimals. Workers' clock advances at I/O, which is when headers are set. */
const render = (t: Template, nowMs: number): string => (t.length === 1 ? (t[0] as string) : t.join((nowMs / 1000).toFixed(3)));

function setOrRemove(headers: Headers, name: string, t: Template, nowMs: number): void {
  if (t.length === 1 && t[0] === "") headers.delete(name);
  else headers.set(name, render(t, nowMs));
}

function compileList(list: Raw["request"]): readonly (readonly [string, Template])[] {
  return Object.freeze((list ?? []).map((h) => [h.name.toLowerCase(), compileValue(h.value)] as const));
}

export const nginxHeaders = defineFilter<Raw>({
  type: "NginxHeaders",
  field: "nginxHeaders",
  schema,
  onBackendRef: false,
  repeatable: false,
  check,
  compile(raw): Filter {
    const request = compileList(raw.request);
    const response = compileList(raw.response);
    const describe = (what: string, list: typeof request) => list.map(([n, t]) => (t.join("") === "" && t.length === 1 ? `${what}: remove ${n}` : `${what}: set ${n}: ${t.join("$msec")}`));
    return frozenFilter({
      type: "NginxHeaders",
      ...(request.length > 0 ? {
        onRequest(r) {
          const now = Date.now();
          for (const [name, t] of request) setOrRemove(r.headers, name, t, now);
          return undefined;
        },
      } : {}),
      ...(response.length > 0 ? {
        onResponse(r) {
          const now = Date.now();
          for (const [name, t] of response) setOrRemove(r.headers, name, t, now);
        },
      } : {}),
      describe: () => [...describe("request header", request), ...describe("response header", response)],
    });
  },
});
