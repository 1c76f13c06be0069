// CORS (Gateway API extended, HTTPCORSFilter): answers preflights itself
// and adds the Access-Control-* headers to the origin's responses for the
// allowed origins. An origin pattern may start its host with "*." (one or
// more labels); without a port it means the scheme's well-known port.
// With credentials allowed, "*" is never sent back: the request's origin,
// methods and headers are echoed instead (Fetch standard, CORS protocol).
import * as v from "valibot";
import { got } from "../config/messages";
import { frozenFilter, type Filter, type FilterRequest, type LocalAnswer } from "./filter";
import { defineFilter, type FilterProblem } from "./module";

const list = (what: string) =>
  v.optional(v.pipe(v.array(v.string((i) => `must be a string, got ${got(i.input)}`), (i) => `must be a list of ${what}, got ${got(i.input)}`), v.maxLength(64, "must list at most 64 entries")));

const schema = v.strictObject(
  {
    allowOrigins: v.pipe(list('origins ("https://app.example", "https://*.example.com" or "*")'), v.description("Origins allowed to read responses.")),
    allowCredentials: v.optional(v.boolean((i) => `must be true or false, got ${got(i.input)}`)),
    allowMethods: v.pipe(list('methods or "*"'), v.description("Methods a preflight allows.")),
    allowHeaders: v.pipe(list('header names or "*"'), v.description("Request headers a preflight allows.")),
    exposeHeaders: v.pipe(list('header names or "*"'), v.description("Response headers scripts may read.")),
    maxAge: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1, (i) => `must be 1 or more seconds, got ${got(i.input)}`), v.description("Seconds a preflight answer may be cached. Default 5."))),
  },
  (i) => `must be an object with allowOrigins and the other CORS fields, got ${got(i.input)}`,
);

type Raw = v.InferOutput<typeof schema>;

const ORIGIN_PATTERN = /^(https?):\/\/(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)(:\d{1,5})?$/;
const DEFAULT_PORT: Readonly<Record<string, string>> = { http: "80", https: "443" };

interface OriginPattern {
  readonly scheme: string;
  readonly wildcard: boolean;
  readonly host: string;
  readonly port: string;
}

function parseOrigin(text: string): OriginPattern | undefined {
  const m = ORIGIN_PATTERN.exec(text.toLowerCase());
  if (!m) return undefined;
  const scheme = m[1] as string;
  return { scheme, wildcard: m[2] !== undefined, host: m[3] as string, port: m[7]?.slice(1) ?? (DEFAULT_PORT[scheme] as string) };
}

function originAllowed(patterns: readonly OriginPattern[], anyOrigin: boolean, origin: string): boolean {
  if (anyOrigin) return true;
  const o = parseOrigin(origin);
  if (o === undefined || o.wildcard) return false;
  return patterns.some(
    (p) => p.scheme === o.scheme && p.port === o.port && (p.wildcard ? o.host.endsWith(`.${p.host}`) : p.host === o.host),
  );
}

export const cors = defineFilter<Raw>({
  type: "CORS",
  field: "cors",
  schema,
  onBackendRef: false,
  repeatable: false,
  check(raw) {
    const problems: FilterProblem[] = [];
    (raw.allowOrigins ?? []).forEach((o, i) => {
      if (o !== "*" && parseOrigin(o) === undefined) {
        problems.push({ path: ["allowOrigins", i], message: `must be "*" or scheme://host[:port] (the host may start with "*."), got ${got(o)}` });
      }
    });
    return problems;
  },
  compile(raw): Filter {
    const anyOrigin = (raw.allowOrigins ?? []).includes("*");
    const patterns = (raw.allowOrigins ?? []).filter((o) => o !== "*").map((o) => parseOrigin(o) as OriginPattern);
    const credentials = raw.allowCredentials === true;
    const methods = raw.allowMethods ?? [];
    const allowHeaders = raw.allowHeaders ?? [];
    const exposeHeaders = raw.exposeHeaders ?? [];
    const maxAge = String(raw.maxAge ?? 5);
    const allowOriginFor = (origin: string) => (anyOrigin && !credentials ? "*" : origin);

    const preflight = (request: FilterRequest, origin: string): LocalAnswer => {
      const headers: Record<string, string> = { vary: "Origin" };
      if (originAllowed(patterns, anyOrigin, origin)) {
        headers["access-control-allow-origin"] = allowOriginFor(origin);
        if (credentials) headers["access-control-allow-credentials"] = "true";
        const asked = request.clientHeaders.get("access-control-request-method") ?? "";
        const allowMethods = methods.includes("*") ? (credentials ? asked : "*") : methods.join(", ");
        if (allowMethods !== "") headers["access-control-allow-methods"] = allowMethods;
        const askedHeaders = request.clientHeaders.get("access-control-request-headers") ?? "";
        const allowed = allowHeaders.includes("*") ? (credentials ? askedHeaders : "*") : allowHeaders.join(", ");
        if (allowed !== "") headers["access-control-allow-headers"] = allowed;
        headers["access-control-max-age"] = maxAge;
      }
      return { status: 204, headers, body: "" };
    };

    return frozenFilter({
      type: "CORS",
      // Its request step answers preflights only, and browsers send those without credentials: before authentication (request/stages.ts).
      stage: "preflight",
      onRequest(request) {
        const origin = request.clientHeaders.get("origin");
        if (origin === null || request.method !== "OPTIONS" || !request.clientHeaders.has("access-control-request-method")) return undefined;
        return preflight(request, origin);
      },
      onResponse(response) {
        const origin = response.request.clientHeaders.get("origin");
        if (origin === null || !originAllowed(patterns, anyOrigin, origin)) return;
        response.headers.set("access-control-allow-origin", allowOriginFor(origin));
        if (credentials) response.headers.set("access-control-allow-credentials", "true");
        if (exposeHeaders.length > 0) response.headers.set("access-control-expose-headers", exposeHeaders.join(", "));
        if (!anyOrigin || credentials) response.headers.append("vary", "Origin");
      },
      describe: () => [`CORS for ${anyOrigin ? "any origin" : (raw.allowOrigins ?? []).join(", ") || "no origin"}${credentials ? " with credentials" : ""}; preflights answered by the router (max-age ${maxAge})`],
    });
  },
});
