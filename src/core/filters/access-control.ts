// AccessControl (edge-ingress's own filter; on an Ingress it is what the
// whitelist-source-range / allowlist-source-range and denylist-source-range
// annotations become): who may reach a route, by client address
// (CF-Connecting-IP, IPv4 and IPv6 CIDR), by country (request.cf.country)
// and by network (request.cf.asn). Each dimension is judged as nginx's
// allow/deny lists are (policy/source-access.ts): in its deny list ->
// denied; an allow list is set and the value is not in it -> denied. A
// request must pass every dimension that has a list. A value the request
// does not carry (no CF-Connecting-IP, which happens only off Cloudflare; no
// cf.country) is unknown and denied by any list of its dimension: an allow
// list cannot vouch for it and a deny list cannot rule it out. A denied
// request gets 403 `forbidden` and never reaches an origin. It runs in the
// access stage: after the HTTPS redirect, before authentication.
import * as v from "valibot";
import { got } from "../config/messages";
import { compileSourceAccess, type SourceAccess } from "../policy/source-access";
import { frozenFilter, type Filter, type FilterRequest, type LocalAnswer } from "./filter";
import { defineFilter, type FilterProblem } from "./module";
import { SharedByKey } from "../values-by-key";

const MAX_ENTRIES = 10_000;

const strings = (what: string) =>
  v.optional(
    v.pipe(
      v.array(v.string((i) => `must be a string, got ${got(i.input)}`), (i) => `must be a list of ${what}, got ${got(i.input)}`),
      v.maxLength(MAX_ENTRIES, `must list at most ${MAX_ENTRIES} entries`),
      v.description(`A list of ${what}.`),
    ),
  );
const asns = v.optional(
  v.pipe(
    v.array(
      v.pipe(v.number((i) => `must be an AS number, got ${got(i.input)}`), v.check((n) => Number.isInteger(n) && n >= 0 && n <= 4_294_967_295, (i) => `must be an AS number (0 to 4294967295), got ${got(i.input)}`)),
      (i) => `must be a list of AS numbers, got ${got(i.input)}`,
    ),
    v.maxLength(MAX_ENTRIES, `must list at most ${MAX_ENTRIES} entries`),
    v.description("A list of autonomous system numbers (request.cf.asn)."),
  ),
);

const schema = v.strictObject(
  {
    allowSourceRanges: strings('client addresses or CIDR ranges ("10.0.0.0/8", "2001:db8::/32"): only these may pass'),
    denySourceRanges: strings("client addresses or CIDR ranges that are refused (deny beats allow)"),
    allowCountries: strings('ISO 3166-1 alpha-2 country codes ("DE"; Cloudflare also sends "XX" unknown and "T1" Tor): only these may pass'),
    denyCountries: strings("country codes that are refused"),
    allowAsns: asns,
    denyAsns: asns,
  },
  (i) => `must be an object with allowSourceRanges, denySourceRanges, allowCountries, denyCountries, allowAsns or denyAsns, got ${got(i.input)}`,
);

type Raw = v.InferOutput<typeof schema>;

const COUNTRY = /^[A-Z][A-Z0-9]$/;

export const FORBIDDEN: LocalAnswer = Object.freeze({ status: 403, headers: Object.freeze({}), body: "edge-ingress: access denied", error: "forbidden" as const });

/** A list of addresses as the annotations' comma-separated text; an entry with a comma in it would shift the indexes. */
function rangesText(list: readonly string[] | undefined): string | undefined {
  return list === undefined ? undefined : list.join(",");
}

function compileRanges(raw: Raw): { access?: SourceAccess; problems: FilterProblem[] } {
  const problems: FilterProblem[] = [];
  for (const field of ["allowSourceRanges", "denySourceRanges"] as const) {
    (raw[field] ?? []).forEach((entry, i) => entry.includes(",") && problems.push({ path: [field, i], message: `must be one address or CIDR per entry, got ${got(entry)}` }));
  }
  if (problems.length > 0) return { problems };
  const result = compileSourceAccess({ allow: rangesText(raw.allowSourceRanges), deny: rangesText(raw.denySourceRanges) }, { allow: "allowSourceRanges", deny: "denySourceRanges" });
  if (result.ok) return { access: result.access, problems };
  for (const p of result.problems) {
    const m = /^(\w+)\[(\d+)\]$/.exec(p.path);
    problems.push({ path: m ? [m[1] as string, Number(m[2])] : [p.path], message: p.message });
  }
  return { problems };
}

/** One dimension: denied when in `deny`, or when `allow` is set and the value is not in it; an unknown value is denied by either list. */
function judge<T>(value: T | undefined, allow: ReadonlySet<T> | undefined, deny: ReadonlySet<T> | undefined): boolean {
  if (allow === undefined && deny === undefined) return true;
  if (value === undefined) return false;
  if (deny?.has(value)) return false;
  return allow === undefined || allow.has(value);
}

const setOf = <T>(list: readonly T[] | undefined): ReadonlySet<T> | undefined => (list === undefined ? undefined : new Set(list));

export const accessControl = defineFilter<Raw>({
  type: "AccessControl",
  field: "accessControl",
  schema,
  onBackendRef: false,
  repeatable: false,
  check(raw) {
    const problems = compileRanges(raw).problems;
    for (const field of ["allowCountries", "denyCountries"] as const) {
      (raw[field] ?? []).forEach((code, i) => {
        if (!COUNTRY.test(code.toUpperCase())) problems.push({ path: [field, i], message: `must be a two-letter country code (ISO 3166-1 alpha-2, e.g. "DE"), got ${got(code)}` });
      });
    }
    if (Object.values(raw).every((list) => list === undefined)) problems.push({ path: [], message: "must set at least one list (an AccessControl without lists would let everyone through)" });
    return problems;
  },
  compile(raw): Filter {
    // One compiled filter per distinct list: an Ingress's annotation puts the
    // same list on each of its paths, and one shared object stays in the CPU
    // caches where thousands of copies would not. The filter holds no state.
    return COMPILED.of(JSON.stringify(raw), () => compileAccess(raw));
  },
});

/** Compiled filters by their config's JSON text, across config versions. */
const COMPILED = new SharedByKey<Filter>(256);

function compileAccess(raw: Raw): Filter {
  const ranges = compileRanges(raw).access;
  const allowCountries = setOf(raw.allowCountries?.map((c) => c.toUpperCase()));
  const denyCountries = setOf(raw.denyCountries?.map((c) => c.toUpperCase()));
  const allowAsns = setOf(raw.allowAsns);
  const denyAsns = setOf(raw.denyAsns);
  const byAddress = ranges !== undefined && (ranges.allow !== undefined || ranges.deny !== undefined);
  // request.country and request.asn are read only when a list asks: the runtime parses request.cf on first access.
  const byCountry = allowCountries !== undefined || denyCountries !== undefined;
  const byNetwork = allowAsns !== undefined || denyAsns !== undefined;
  const allowed = (request: FilterRequest): boolean =>
    (!byAddress || ranges.check(request.clientIp) === "allowed") &&
    (!byCountry || judge(request.country?.toUpperCase(), allowCountries, denyCountries)) &&
    (!byNetwork || judge(request.asn, allowAsns, denyAsns));
  const lines: string[] = [];
  const describeList = (verb: string, what: string, list: readonly (string | number)[] | undefined) => {
    if (list !== undefined) lines.push(`${verb} ${what} ${list.length === 0 ? "(none)" : list.join(", ")}`);
  };
  describeList("allow only client addresses", "in", ranges?.allow?.entries);
  describeList("deny client addresses", "in", ranges?.deny?.entries);
  describeList("allow only countries", "", raw.allowCountries?.map((c) => c.toUpperCase()));
  describeList("deny countries", "", raw.denyCountries?.map((c) => c.toUpperCase()));
  describeList("allow only ASNs", "", raw.allowAsns);
  describeList("deny ASNs", "", raw.denyAsns);
  return frozenFilter({
    type: "AccessControl",
    stage: "access",
    onRequest: (request: FilterRequest) => (allowed(request) ? undefined : FORBIDDEN),
    describe: () => lines.map((l) => `${l.replace(/  +/g, " ")}; anything else: 403`),
  });
}
