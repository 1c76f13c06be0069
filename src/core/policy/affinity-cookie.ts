// The Set-Cookie a new affinity session leaves (policy/affinity.ts), with
// its attributes in the order sticky.lua and resty.cookie write them:
// Expires, Max-Age, Domain, Path (default: the matched rule's path), Secure
// (default: only on https), HttpOnly (always), SameSite.
import type { AffinitySpec } from "./affinity-config";
import { isTrimmed } from "./cookies";
import { SharedByKey } from "../values-by-key";

/** What the Set-Cookie depends on besides the spec and the value. */
export interface CookieRequest {
  /** Read only to render a conditional SameSite=None cookie (a getter is fine: most requests never ask). */
  readonly userAgent?: string | null;
  /** Was the request made over https? Decides Secure when session-cookie-secure is unset. */
  readonly https: boolean;
  /** The matched rule's path: the cookie Path unless session-cookie-path is set. */
  readonly locationPath: string;
  /** Now, in milliseconds since the epoch, for Expires; read only when the spec sets one. */
  readonly nowMs: number;
}

/**
 * The layout of `spec`'s cookie, shared by every pool and rule whose cookie
 * is written the same way: one object read by all their new sessions stays
 * in the CPU caches, where one per pool would not (a layout holds no state).
 */
export function cookieLayout(spec: AffinitySpec): CookieLayout {
  // Every field CookieLayout's constructor reads, and only those (the mode does not change the cookie's text).
  const key = JSON.stringify([spec.cookieName, spec.path, spec.domain, spec.maxAgeSeconds, spec.expiresSeconds, spec.sameSite, spec.conditionalSameSiteNone, spec.secure]);
  return LAYOUTS.of(key, () => new CookieLayout(spec));
}

/** Layouts by their spec's cookie fields, across config versions. */
const LAYOUTS = new SharedByKey<CookieLayout>(256);

/**
 * One spec's Set-Cookie, built ahead around what varies by request: the
 * value, Expires, and the Path when it is the rule's. The rest depends only
 * on the scheme and the SameSite=None verdict, so it is made once for each
 * of the four, and a new session joins four or six strings.
 */
export class CookieLayout {
  /** "name=". */
  private readonly head: string;
  private readonly expiresSeconds: number | undefined;
  /** With the spec's own Path: all that follows Expires, at variant(). */
  private readonly tails: readonly string[] | undefined;
  /** With the rule's path: Max-Age, Domain and "; Path=" before it, and what follows it at variant(). */
  private readonly beforeRulePath: string;
  private readonly afterPath: readonly string[];
  /** The user agent matters only to a conditional SameSite=None cookie. */
  private readonly conditionalSameSite: boolean;

  constructor(spec: AffinitySpec) {
    let before = "";
    if (spec.maxAgeSeconds !== undefined) before += `; Max-Age=${spec.maxAgeSeconds}`;
    if (spec.domain !== undefined) before += `; Domain=${spec.domain}`;
    this.head = `${spec.cookieName}=`;
    this.expiresSeconds = spec.expiresSeconds;
    this.afterPath = [false, true].flatMap((sameSiteNoneOk) => [false, true].map((https) => attributesAfterPath(spec, https, sameSiteNoneOk)));
    this.tails = spec.path === undefined ? undefined : this.afterPath.map((after) => `${before}; Path=${spec.path}${after}`);
    this.beforeRulePath = `${before}; Path=`;
    this.conditionalSameSite = spec.sameSite === "None" && spec.conditionalSameSiteNone === true;
  }

  render(value: string, request: CookieRequest): string {
    const at = (request.https ? 1 : 0) + (!this.conditionalSameSite || sameSiteNoneCompatible(request.userAgent) ? 2 : 0);
    const expires = this.expiresSeconds === undefined ? "" : `; Expires=${new Date(request.nowMs + this.expiresSeconds * 1000).toUTCString()}`;
    if (this.tails !== undefined) return this.head + value + expires + this.tails[at]!;
    return this.head + value + expires + this.beforeRulePath + safePath(request.locationPath) + this.afterPath[at]!;
  }
}

/** Secure (by default only on https), HttpOnly (always), SameSite. */
function attributesAfterPath(spec: AffinitySpec, https: boolean, sameSiteNoneOk: boolean): string {
  let cookie = "";
  if (spec.secure ?? https) cookie += "; Secure";
  cookie += "; HttpOnly";
  const sameSite = spec.sameSite === "None" && spec.conditionalSameSiteNone && !sameSiteNoneOk ? undefined : spec.sameSite;
  if (sameSite !== undefined) cookie += `; SameSite=${sameSite}`;
  return cookie;
}

/**
 * False for user agents known to reject SameSite=None cookies (Chromium's
 * "SameSite=None: known incompatible clients" list, as ingress-nginx's
 * util/same_site.lua checks it).
 */
export function sameSiteNoneCompatible(userAgent: string | null | undefined): boolean {
  if (typeof userAgent !== "string") return true;
  if (/Chrome\/[456]/.test(userAgent)) return false;
  if (userAgent.includes("CPU iPhone OS 12") || userAgent.includes("iPad; CPU OS 12")) return false;
  return !(userAgent.includes("Macintosh") && userAgent.includes("Intel Mac OS X 10_14") && userAgent.includes("Safari") && !userAgent.includes("Chrome"));
}

/** A rule path usable as a cookie Path (starts with "/"; no ";", white space or controls); "/" otherwise. A loop, not a regular expression: every new session asks. */
function safePath(path: string): string {
  if (typeof path !== "string" || path.charCodeAt(0) !== 0x2f) return "/";
  for (let i = 1; i < path.length; i++) {
    const code = path.charCodeAt(i);
    if (code === 0x3b || code <= 0x1f || code === 0x7f || isTrimmed(code)) return "/";
  }
  return path;
}
