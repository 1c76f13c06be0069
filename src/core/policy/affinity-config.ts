// Compiles ingress-nginx's cookie-affinity annotations (docs/user-guide/
// nginx-configuration/annotations.md "Cookie affinity";
// internal/ingress/annotations/sessionaffinity) into an AffinitySpec.
// Where ingress-nginx logs and ignores an invalid value, this refuses it with
// a message instead, so nothing a user writes is silently dropped.
import type { Problem } from "../config/types";
import { COOKIE_NAME } from "./cookies";

export type AffinityMode = "balanced" | "persistent";
export type SameSite = "None" | "Lax" | "Strict";

export interface AffinitySpec {
  /** Default INGRESSCOOKIE. */
  readonly cookieName: string;
  /** balanced (default): sessions rebalance when origins are added; persistent: a session stays while its origin is available. */
  readonly mode: AffinityMode;
  /** Cookie Path; default: the matched rule's path (ingress-nginx's location path). */
  readonly path?: string;
  readonly domain?: string;
  /** Max-Age in seconds, if set. */
  readonly maxAgeSeconds?: number;
  /** Expires = response time + this many seconds, if set. */
  readonly expiresSeconds?: number;
  readonly sameSite?: SameSite;
  /** Leave SameSite=None off for user agents known to reject it. */
  readonly conditionalSameSiteNone: boolean;
  /** true/false as set; undefined: Secure only on https requests (ingress-nginx's default). */
  readonly secure?: boolean;
  /** session-cookie-change-on-failure; honoured by the retry layer, not here. Default false. */
  readonly changeOnFailure: boolean;
}

/** The annotation names without the "nginx.ingress.kubernetes.io/" prefix, as read by the caller. */
export type AffinityAnnotations = Readonly<Record<string, string | undefined>>;

export type AffinitySpecResult =
  | { readonly ok: true; readonly spec: AffinitySpec | undefined; readonly notes: readonly Problem[] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

export const DEFAULT_AFFINITY_COOKIE_NAME = "INGRESSCOOKIE";

/**
 * Reads the affinity annotations. `spec` is undefined when `affinity` is not
 * set. `pathIsRegex`: the rule's path is a regular expression, which cannot
 * be a cookie Path, so session-cookie-path is then required (the docs say so).
 */
export function compileAffinitySpec(annotations: AffinityAnnotations, options: { pathIsRegex?: boolean; prefix?: string } = {}): AffinitySpecResult {
  const prefix = options.prefix ?? "";
  const problems: Problem[] = [];
  const notes: Problem[] = [];
  const at = (name: string) => `${prefix}${name}`;
  const bad = (name: string, message: string) => problems.push({ path: at(name), message: `${message}, got ${JSON.stringify(annotations[name])}` });
  const affinity = annotations["affinity"];
  if (affinity === undefined) return { ok: true, spec: undefined, notes };
  if (affinity.trim().toLowerCase() !== "cookie") bad("affinity", 'must be "cookie" (the only affinity type)');

  const mode = (annotations["affinity-mode"] ?? "balanced").trim().toLowerCase();
  if (mode !== "balanced" && mode !== "persistent") bad("affinity-mode", 'must be "balanced" or "persistent"');

  const cookieName = annotations["session-cookie-name"] ?? DEFAULT_AFFINITY_COOKIE_NAME;
  if (!COOKIE_NAME.test(cookieName)) bad("session-cookie-name", "must be a cookie name (letters, digits and !#$%&'*+-.^_`|~)");

  const seconds = (name: string): number | undefined => {
    const text = annotations[name];
    if (text === undefined) return undefined;
    if (!/^(?:0|[1-9]\d{0,9})$/.test(text.trim())) {
      bad(name, "must be a whole number of seconds");
      return undefined;
    }
    const value = Number(text.trim());
    if (value === 0) bad(name, "must be more than 0 (0 would make the cookie expire at once)");
    return value;
  };
  const maxAgeSeconds = seconds("session-cookie-max-age");
  const expiresSeconds = seconds("session-cookie-expires");

  const path = annotations["session-cookie-path"];
  if (path !== undefined && !/^\/[^;\s\u0000-\u001f\u007f]*$/.test(path)) bad("session-cookie-path", 'must start with "/" and contain no ";", spaces or control characters');
  if (path === undefined && options.pathIsRegex === true) {
    problems.push({ path: at("session-cookie-path"), message: "is required when the rule's path is a regular expression (use-regex), which cannot be a cookie Path" });
  }

  const domain = annotations["session-cookie-domain"];
  if (domain !== undefined && !/^\.?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(domain)) {
    bad("session-cookie-domain", "must be a domain name");
  }

  const sameSiteText = annotations["session-cookie-samesite"];
  const sameSite = sameSiteText === undefined ? undefined : ({ none: "None", lax: "Lax", strict: "Strict" } as const)[sameSiteText.trim().toLowerCase() as "none"];
  if (sameSiteText !== undefined && sameSite === undefined) bad("session-cookie-samesite", 'must be "None", "Lax" or "Strict"');

  const flag = (name: string): boolean | undefined => {
    const text = annotations[name];
    if (text === undefined) return undefined;
    const lower = text.trim().toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
    bad(name, 'must be "true" or "false"');
    return undefined;
  };
  const secure = flag("session-cookie-secure");
  const conditionalSameSiteNone = flag("session-cookie-conditional-samesite-none") ?? false;
  const changeOnFailure = flag("session-cookie-change-on-failure") ?? false;
  if (sameSite === "None" && secure !== true) {
    notes.push({ path: at("session-cookie-samesite"), message: "SameSite=None cookies are dropped by browsers unless Secure; set session-cookie-secure: \"true\"" });
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    notes,
    spec: Object.freeze({ cookieName, mode: mode as AffinityMode, path, domain, maxAgeSeconds, expiresSeconds, sameSite, conditionalSameSiteNone, secure, changeOnFailure }),
  };
}
