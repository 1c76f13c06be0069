// The `affinity` block (native config) of a pool, or of a rule path (then
// it overrides the pool's for requests of that path): which origin a client
// sticks to. It wraps the pool's policy (src/core/selection/affinity.ts):
// the policy picks when the request carries no usable affinity key. An
// Ingress's affinity annotations (affinity: cookie, session-cookie-*) are
// written into its paths' blocks when the files are merged
// (ingress-canary-affinity.ts), so both read the same.
import * as v from "valibot";
import { compileAffinitySpec } from "../policy/affinity-config";
import { COOKIE_NAME } from "../policy/cookies";
import { got } from "./messages";
import type { PoolAffinity, Problem } from "./types";

const whole = (min: number, max: number, what: string) =>
  v.pipe(
    v.number((i) => `must be ${what}, got ${got(i.input)}`),
    v.check((n) => Number.isInteger(n) && n >= min && n <= max, (i) => `must be ${what}, got ${got(i.input)}`),
  );
const flag = v.boolean((i) => `must be true or false, got ${got(i.input)}`);
const text = v.string((i) => `must be a string, got ${got(i.input)}`);

export const cookieAffinity = v.strictObject({
  name: v.optional(v.pipe(text, v.description('Cookie name. Default "INGRESSCOOKIE".'))),
  mode: v.optional(
    v.pipe(
      v.picklist(["balanced", "persistent"], (i) => `must be "balanced" or "persistent", got ${got(i.input)}`),
      v.description('"balanced" (default): the cookie holds a session key, hashed onto the available origins; "persistent": the cookie names its origin.'),
    ),
  ),
  path: v.optional(v.pipe(text, v.description("Cookie Path. Default: the matched rule's path (\"/\" for a regular expression)."))),
  domain: v.optional(v.pipe(text, v.description("Cookie Domain. Default: none (the request's host)."))),
  maxAgeSeconds: v.optional(v.pipe(whole(1, 9_999_999_999, "a whole number of seconds, at least 1"), v.description("Cookie Max-Age. Default: none (a browser-session cookie)."))),
  expiresSeconds: v.optional(v.pipe(whole(1, 9_999_999_999, "a whole number of seconds, at least 1"), v.description("Cookie Expires, as this many seconds after the response. Default: none."))),
  sameSite: v.optional(v.picklist(["None", "Lax", "Strict"], (i) => `must be "None", "Lax" or "Strict", got ${got(i.input)}`)),
  conditionalSameSiteNone: v.optional(v.pipe(flag, v.description("Leave SameSite=None off for browsers known to reject it. Default false."))),
  secure: v.optional(v.pipe(flag, v.description("Secure attribute. Default: set on https requests only."))),
});

export const affinity = v.pipe(
  v.strictObject(
    {
      cookie: v.optional(v.pipe(cookieAffinity, v.description("Sticky cookie, as ingress-nginx's affinity: cookie; the response sets it when a session starts or moves."))),
      header: v.optional(v.pipe(text, v.description("Hash this request header's value onto the origins (consistent hashing); without the header, the pool's policy picks."))),
      clientAddress: v.optional(v.pipe(v.literal(true, (i) => `must be true, got ${got(i.input)}`), v.description("Hash the client address (CF-Connecting-IP) onto the origins (consistent hashing)."))),
    },
    (i) => `must be a mapping with one of cookie, header, clientAddress, got ${got(i.input)}`,
  ),
  v.check((a) => [a.cookie, a.header, a.clientAddress].filter((x) => x !== undefined).length === 1, "must set exactly one of cookie, header, clientAddress"),
);

export type RawAffinity = v.InferOutput<typeof affinity>;

/** Native field -> the annotation compileAffinitySpec reads, to share its checks. */
const ANNOTATION_OF = {
  name: "session-cookie-name",
  mode: "affinity-mode",
  path: "session-cookie-path",
  domain: "session-cookie-domain",
  maxAgeSeconds: "session-cookie-max-age",
  expiresSeconds: "session-cookie-expires",
  sameSite: "session-cookie-samesite",
  conditionalSameSiteNone: "session-cookie-conditional-samesite-none",
  secure: "session-cookie-secure",
} as const;

/** `path`: where the block is, e.g. `pools.web.affinity`. */
export function normalizeAffinity(raw: RawAffinity, path: string, problems: Problem[]): PoolAffinity | undefined {
  if (raw.header !== undefined) {
    if (!COOKIE_NAME.test(raw.header)) problems.push({ path: `${path}.header`, message: `must be a header name, got ${got(raw.header)}` });
    return { kind: "header", header: raw.header.toLowerCase() };
  }
  if (raw.clientAddress === true) return { kind: "client-address" };
  const cookie = raw.cookie ?? {};
  const annotations: Record<string, string> = { affinity: "cookie" };
  for (const [field, name] of Object.entries(ANNOTATION_OF)) {
    const value = cookie[field as keyof typeof cookie];
    if (value !== undefined) annotations[name] = String(value);
  }
  const compiled = compileAffinitySpec(annotations);
  if (!compiled.ok) {
    const fieldOf = new Map(Object.entries(ANNOTATION_OF).map(([field, name]) => [name as string, field]));
    for (const p of compiled.problems) {
      const field = fieldOf.get(p.path) ?? p.path;
      problems.push({ path: `${path}.cookie.${field}`, message: p.message });
    }
    return undefined;
  }
  return compiled.spec === undefined ? undefined : { kind: "cookie", cookie: compiled.spec };
}
