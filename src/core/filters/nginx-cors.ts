// CORS as ingress-nginx's enable-cors does it (annotations.md #enable-cors),
// which differs from the Gateway API filter (cors.ts) in ways a migrating
// team would notice, so it is a filter of its own:
//   - defaults: any origin, credentials allowed, the methods and headers
//     below, max-age 1728000 (20 days);
//   - the headers go on every answer to an allowed origin, preflight or not,
//     and "*" is sent as written even with credentials (ingress-nginx does);
//   - an origin pattern's "*." stands for exactly one label ("single level
//     wildcard subdomains"), any scheme is allowed ("myprotocol://x:1199");
//   - a preflight (OPTIONS with an Origin header) is answered by the router
//     with 204, whatever the Access-Control-Request-Method.
import * as v from "valibot";
import { got } from "../config/messages";
import { frozenFilter, type Filter, type LocalAnswer } from "./filter";
import { defineFilter, type FilterProblem } from "./module";

export const NGINX_CORS_DEFAULTS = Object.freeze({
  allowOrigin: ["*"],
  allowMethods: "GET, PUT, POST, DELETE, PATCH, OPTIONS",
  allowHeaders: "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization",
  allowCredentials: true,
  maxAgeSeconds: 1728000,
});

const text = (what: string) => v.optional(v.pipe(v.string((i) => `must be ${what}, got ${got(i.input)}`), v.maxLength(4096, "must be at most 4096 characters")));

const schema = v.strictObject(
  {
    allowOrigin: v.pipe(
      v.optional(v.array(v.string((i) => `must be a string, got ${got(i.input)}`), (i) => `must be a list of origins, got ${got(i.input)}`)),
      v.description('Origins allowed ("*", "https://app.example:4443", "https://*.example.com": one label). Default ["*"].'),
    ),
    allowMethods: v.pipe(text("a comma-separated list of methods"), v.description(`Access-Control-Allow-Methods. Default "${NGINX_CORS_DEFAULTS.allowMethods}".`)),
    allowHeaders: v.pipe(text("a comma-separated list of header names"), v.description("Access-Control-Allow-Headers. Default: ingress-nginx's list (DNT, Keep-Alive, User-Agent, ...).")),
    exposeHeaders: v.pipe(text("a comma-separated list of header names"), v.description("Access-Control-Expose-Headers. Default: none.")),
    allowCredentials: v.pipe(v.optional(v.boolean((i) => `must be true or false, got ${got(i.input)}`)), v.description("Default true.")),
    maxAgeSeconds: v.pipe(
      v.optional(v.pipe(v.number((i) => `must be a number, got ${got(i.input)}`), v.integer("must be a whole number of seconds"), v.minValue(0, "must be 0 or more"))),
      v.description("Access-Control-Max-Age. Default 1728000."),
    ),
  },
  (i) => `must be an object with the ingress-nginx CORS fields, got ${got(i.input)}`,
);

export type NginxCorsConfig = v.InferOutput<typeof schema>;

// scheme://host[:port], the host optionally "*." and one more label at the front.
const PATTERN = /^([a-z][a-z0-9+.-]*):\/\/(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*)(:\d{1,5})?$/;

interface OriginPattern {
  readonly scheme: string;
  readonly wildcard: boolean;
  readonly host: string;
  readonly port: string;
}

function parsePattern(text: string): OriginPattern | undefined {
  const m = PATTERN.exec(text.trim().toLowerCase());
  if (!m) return undefined;
  return { scheme: m[1] as string, wildcard: m[2] !== undefined, host: m[3] as string, port: m[4] ?? "" };
}

/** Whether `origin` (the request's Origin header) is one the patterns allow. */
export function nginxOriginAllowed(patterns: readonly OriginPattern[], origin: string): boolean {
  const o = parsePattern(origin);
  if (o === undefined || o.wildcard) return false;
  return patterns.some((p) => {
    if (p.scheme !== o.scheme || p.port !== o.port) return false;
    if (!p.wildcard) return p.host === o.host;
    // Exactly one label in front of the pattern's host.
    const dot = o.host.indexOf(".");
    return dot > 0 && o.host.slice(dot + 1) === p.host;
  });
}

export function originPatternProblem(text: string): string | undefined {
  return text === "*" || parsePattern(text) ? undefined : `must be "*" or scheme://host[:port] (the host may start with "*."), got ${got(text)}`;
}

export const nginxCors = defineFilter<NginxCorsConfig>({
  type: "NginxCORS",
  field: "nginxCors",
  schema,
  onBackendRef: false,
  repeatable: false,
  check(raw) {
    const problems: FilterProblem[] = [];
    (raw.allowOrigin ?? []).forEach((o, i) => {
      const problem = originPatternProblem(o);
      if (problem) problems.push({ path: ["allowOrigin", i], message: problem });
    });
    return problems;
  },
  compile(raw): Filter {
    const origins = raw.allowOrigin ?? NGINX_CORS_DEFAULTS.allowOrigin;
    const anyOrigin = origins.includes("*");
    const patterns = origins.filter((o) => o !== "*").map((o) => parsePattern(o) as OriginPattern);
    const headers: Record<string, string> = {};
    headers["access-control-allow-methods"] = raw.allowMethods ?? NGINX_CORS_DEFAULTS.allowMethods;
    headers["access-control-allow-headers"] = raw.allowHeaders ?? NGINX_CORS_DEFAULTS.allowHeaders;
    if (raw.exposeHeaders !== undefined && raw.exposeHeaders !== "") headers["access-control-expose-headers"] = raw.exposeHeaders;
    if (raw.allowCredentials ?? NGINX_CORS_DEFAULTS.allowCredentials) headers["access-control-allow-credentials"] = "true";
    headers["access-control-max-age"] = String(raw.maxAgeSeconds ?? NGINX_CORS_DEFAULTS.maxAgeSeconds);
    const fixed = Object.freeze(headers);
    /** The Access-Control-Allow-Origin to send, or undefined when the origin is not allowed. */
    const allowOriginFor = (origin: string | null): string | undefined => {
      if (anyOrigin) return "*";
      return origin !== null && nginxOriginAllowed(patterns, origin) ? origin : undefined;
    };
    return frozenFilter({
      type: "NginxCORS",
      // Its request step answers preflights only: before authentication, as ingress-nginx (request/stages.ts).
      stage: "preflight",
      onRequest(request): LocalAnswer | undefined {
        if (request.method !== "OPTIONS") return undefined;
        const origin = request.clientHeaders.get("origin");
        if (origin === null) return undefined;
        const allow = allowOriginFor(origin);
        // Not an allowed origin: a 204 without CORS headers, which the browser reads as a refusal.
        if (allow === undefined) return { status: 204, headers: anyOrigin ? {} : { vary: "Origin" }, body: "" };
        return { status: 204, headers: { ...fixed, "access-control-allow-origin": allow, ...(anyOrigin ? {} : { vary: "Origin" }) }, body: "" };
      },
      onResponse(response) {
        const allow = allowOriginFor(response.request.clientHeaders.get("origin"));
        if (!anyOrigin) response.headers.append("vary", "Origin");
        if (allow === undefined) return;
        response.headers.set("access-control-allow-origin", allow);
        for (const [name, value] of Object.entries(fixed)) response.headers.set(name, value);
      },
      describe: () => [`CORS as ingress-nginx: ${anyOrigin ? "any origin" : origins.join(", ")}${fixed["access-control-allow-credentials"] ? " with credentials" : ""}; preflights answered by the router with 204`],
    });
  },
});
