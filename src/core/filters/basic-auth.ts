// BasicAuth (edge-ingress's own filter; ingress-nginx's auth-type: basic):
// the request must carry a user and password listed in a Worker secret, or
// it is answered 401 with a Basic challenge and never reaches an origin.
// The secret is named here, not copied into the config (the config is
// stored in KV and shown by the CLI; the secret is `wrangler secret put`).
// Its text is an htpasswd file ("auth-file", ingress-nginx's default) or a
// JSON object of user -> hash ("auth-map"). A missing or invalid secret
// fails closed (500, logged). Each user's bcrypt cost is paid once per
// isolate (the verification cache, src/core/policy/verify-cache.ts).
import * as v from "valibot";
import { got } from "../config/messages";
import type { Problem } from "../config/types";
import { basicChallenge, parseBasicAuthorization } from "../policy/basic-auth";
import { htpasswdFromMap, parseHtpasswd, type HtpasswdResult } from "../policy/htpasswd";
import { frozenFilter, type Filter, type LocalAnswer } from "./filter";
import { defineFilter } from "./module";

export const DEFAULT_REALM = "Authentication Required";
/** Worker secret names as wrangler accepts them in practice; "/" (a Kubernetes namespace) has no meaning here. */
export const SECRET_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
export const SECRET_TYPES = ["auth-file", "auth-map"] as const;
export type SecretType = (typeof SECRET_TYPES)[number];

const schema = v.strictObject(
  {
    secret: v.pipe(
      v.string((i) => `must be the name of a Worker secret, got ${got(i.input)}`),
      v.regex(SECRET_NAME, (i) => `must be a Worker secret name (letters, digits, "_", "-", "."), got ${got(i.input)}`),
      v.description("Name of the Worker secret (`wrangler secret put NAME`) holding the users: htpasswd lines, or a JSON object with secretType auth-map."),
    ),
    secretType: v.optional(
      v.pipe(v.picklist(SECRET_TYPES, (i) => `must be "auth-file" or "auth-map", got ${got(i.input)}`), v.description('"auth-file" (default): htpasswd lines. "auth-map": a JSON object of user name to hash.')),
    ),
    realm: v.optional(v.pipe(v.string((i) => `must be a string, got ${got(i.input)}`), v.description(`Realm of the challenge; default "${DEFAULT_REALM}".`))),
  },
  (i) => `must be an object with "secret", got ${got(i.input)}`,
);

type Raw = v.InferOutput<typeof schema>;

export const basicAuth = defineFilter<Raw>({
  type: "BasicAuth",
  field: "basicAuth",
  schema,
  onBackendRef: false,
  repeatable: false,
  compile: (raw) => basicAuthFilter(raw.secret, raw.secretType ?? "auth-file", raw.realm ?? DEFAULT_REALM),
});

export function basicAuthFilter(secret: string, secretType: SecretType, realm: string): Filter {
  const challenge: LocalAnswer = Object.freeze({
    status: 401,
    headers: Object.freeze({ "www-authenticate": basicChallenge(realm) }),
    body: "edge-ingress: authentication required",
    error: "auth-required",
  });
  return frozenFilter({
    type: "BasicAuth",
    stage: "auth",
    async onRequestAsync(request, services) {
      const text = services.secret(secret);
      const users = text === undefined ? undefined : usersOf(text, secretType, secret);
      if (users === undefined || !users.ok) {
        const problems = users === undefined ? [{ path: secret, message: "the Worker secret is not set" }] : users.problems;
        return misconfigured(secret, problems);
      }
      const credentials = parseBasicAuthorization(request.clientHeaders.get("authorization"));
      const result = credentials === undefined ? "missing" : services.verifyPassword(users.htpasswd, credentials);
      services.log({ event: "auth.basic", requestId: services.requestId, result });
      return result === "cached" || result === "verified" ? undefined : challenge;
    },
    describe: () => [`basic authentication: users from Worker secret ${secret} (${secretType}), realm ${JSON.stringify(realm)}`],
  });
}

function misconfigured(secret: string, problems: readonly Problem[]): LocalAnswer {
  return {
    status: 500,
    headers: {},
    body: "edge-ingress: authentication is misconfigured",
    // Problems name users and lines, never a hash or a password.
    error: "auth-failed",
    detail: { secret, problems: problems.map((p) => `${p.path}: ${p.message}`) },
  };
}

/** Parsed secrets by text, so a secret is parsed once per isolate (a few, bounded: secrets change rarely). */
const parsed = new Map<string, HtpasswdResult>();
const MAX_PARSED = 32;

function usersOf(text: string, secretType: SecretType, secret: string): HtpasswdResult {
  const key = `${secretType}\n${text}`;
  const known = parsed.get(key);
  if (known !== undefined) return known;
  const result = secretType === "auth-map" ? fromMapText(text, secret) : parseHtpasswd(text, { path: secret });
  if (parsed.size >= MAX_PARSED) parsed.delete(parsed.keys().next().value!);
  parsed.set(key, result);
  return result;
}

function fromMapText(text: string, secret: string): HtpasswdResult {
  let map: unknown;
  try {
    map = JSON.parse(text);
  } catch {
    return { ok: false, problems: [{ path: secret, message: 'auth-map must be a JSON object of user name to hash, e.g. {"alice": "$2y$..."}' }] };
  }
  if (typeof map !== "object" || map === null || Array.isArray(map) || Object.values(map).some((h) => typeof h !== "string")) {
    return { ok: false, problems: [{ path: secret, message: "auth-map must be a JSON object whose values are hash strings" }] };
  }
  return htpasswdFromMap(map as Record<string, string>, { path: secret });
}
