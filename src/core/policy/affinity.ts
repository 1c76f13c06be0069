// Cookie session affinity as ingress-nginx's affinity: cookie
// (rootfs/etc/nginx/lua/balancer/sticky*.lua), WRAPPING a selection policy:
// - a request whose cookie leads to an available origin goes there;
// - otherwise the wrapped policy picks among the candidates and the answer
//   carries a Set-Cookie that leads back to that pick.
// Modes, as ingress-nginx's affinity-mode:
// - persistent: the cookie holds an opaque id of the origin (a SHA-256 of its
//   key, never its URL). A session stays on its origin while that origin is
//   available; added origins take no existing sessions.
// - balanced (default): the cookie holds a random session key and the origin
//   is the weighted rendezvous hash of that key over the available origins
//   (ingress-nginx hashes its random key with a consistent hash too). Adding
//   origins moves only their share of sessions to them; when an origin goes,
//   only its sessions move. For a new session the key is drawn until it hashes
//   to the wrapped policy's pick (expected total weight / pick's weight
//   draws, bounded; past the bound the last key's origin is used).
// Set-Cookie attributes and order follow sticky.lua and resty.cookie:
// Expires, Max-Age, Domain, Path (default: the matched rule's path), Secure
// (default: only on https), HttpOnly (always), SameSite.
import { sha256 } from "@noble/hashes/sha2.js";
import type { Origin } from "../config/types";
import type { Policy } from "../selection/policy";
import type { AffinitySpec } from "./affinity-config";
import { RendezvousHasher } from "./consistent-hash";
import { cookieRange, findCookie, isTrimmed } from "./cookies";
import { HEX_CODES } from "./key-hash";
import { utf8 } from "./crypt-base64";

/** What a cookie session reads of a request besides the cookie. */
export interface AffinityRequest {
  /** Read only to render a conditional SameSite=None cookie (a getter is fine: most requests never ask). */
  readonly userAgent?: string | null;
  /** Was the request made over https? Decides Secure when session-cookie-secure is unset. */
  readonly https: boolean;
  /** The matched rule's path: the cookie Path unless session-cookie-path is set. */
  readonly locationPath: string;
  /** Now, in milliseconds since the epoch, for Expires; read only when a new session's cookie has one. */
  readonly nowMs: number;
}

export interface AffinityPick {
  readonly origin: Origin;
  /** A Set-Cookie header value to add to the response, when a new session starts. */
  readonly setCookie?: string;
}

export interface CookieAffinity {
  /**
   * `cookieHeader` is the request's Cookie header, if any: the session's
   * cookie is read from it. `candidates` is non-empty (availability is
   * decided before, as for any policy). Never throws.
   */
  pick(policy: Policy, candidates: readonly Origin[], cookieHeader: string | null | undefined, request: AffinityRequest): AffinityPick;
}

export interface AffinityDeps {
  /** Uniform in [0, 1), as Math.random; draws balanced-mode session keys. */
  readonly random: () => number;
}

/** Upper bound on key draws for one new balanced session. */
export const MAX_SESSION_KEY_DRAWS = 2048;
// A session key (and a persistent mode's origin id) is 32 lowercase hex
// characters; a session key is PREFIX_CHARS random (randomPrefix), then 4 of
// a counter (MAX_SESSION_KEY_DRAWS fits in them).
const KEY_CHARS = 32;
const PREFIX_CHARS = 28;

export function createCookieAffinity(spec: AffinitySpec, deps: AffinityDeps): CookieAffinity {
  return new CookieSessions(spec, deps.random);
}

/**
 * One pool's (or rule path's) cookie sessions. A class, not closures: every
 * request to the pool reads it, and one object with its methods on a shared
 * prototype touches fewer cache lines than a closure per step.
 */
class CookieSessions implements CookieAffinity {
  /** Origin.key -> opaque id (persistent mode), computed once per origin. */
  private readonly ids = new Map<string, string>();
  private readonly balanced: boolean;
  private readonly cookieName: string;
  private readonly hasher = new RendezvousHasher();
  private readonly layout: CookieLayout;

  constructor(
    spec: AffinitySpec,
    private readonly random: () => number,
  ) {
    this.balanced = spec.mode === "balanced";
    this.cookieName = spec.cookieName;
    this.layout = new CookieLayout(spec);
  }

  pick(policy: Policy, candidates: readonly Origin[], cookieHeader: string | null | undefined, request: AffinityRequest): AffinityPick {
    const sticky = this.stuck(candidates, cookieHeader);
    if (sticky !== undefined) return { origin: sticky };
    const chosen = policy.pick(candidates);
    if (!this.balanced) return { origin: chosen, setCookie: this.layout.render(this.idOf(chosen), request) };
    // Keys are tried until one hashes onto the origin the policy chose: 112
    // random bits, then a 16-bit counter, so the random part is hashed once
    // and each try hashes only its last four characters. A try stops at the
    // first origin that outscores the chosen one.
    randomPrefix(this.random);
    const hashed = this.hasher.withPrefixCodes(candidates, KEY_CODES, PREFIX_CHARS);
    const target = candidates.indexOf(chosen);
    let draw = 0;
    let origin: Origin = chosen;
    while (target === -1 || !hashed.leadsTo(draw, target)) {
      if (draw === MAX_SESSION_KEY_DRAWS - 1) {
        origin = hashed.pickHex4(draw) ?? chosen;
        break;
      }
      draw++;
    }
    return { origin, setCookie: this.layout.render(sessionKey(draw), request) };
  }

  /** The origin a valid cookie leads to among the candidates, if any: read where it lies in the header, no copy made. */
  private stuck(candidates: readonly Origin[], header: string | null | undefined): Origin | undefined {
    if (!findCookie(header, this.cookieName)) return undefined;
    const { start, end } = cookieRange;
    if (end - start !== KEY_CHARS) return undefined;
    const text = header as string;
    if (this.balanced) return this.hasher.pickHex(candidates, text, start, end);
    // An id is KEY_CHARS lowercase hex digits: an exact match is a valid cookie.
    for (const origin of candidates) if (text.startsWith(this.idOf(origin), start)) return origin;
    return undefined;
  }

  private idOf(origin: Origin): string {
    let id = this.ids.get(origin.key);
    if (id === undefined) {
      id = toHex(sha256(utf8(`edge-ingress affinity\u0000${origin.key}`)).subarray(0, 16));
      this.ids.set(origin.key, id);
    }
    return id;
  }
}

/** The Set-Cookie value for a new session. */
export function affinityCookie(spec: AffinitySpec, value: string, request: AffinityRequest): string {
  return new CookieLayout(spec).render(value, request);
}

/**
 * One spec's Set-Cookie, built ahead around what varies by request: the
 * value, Expires, and the Path when it is the rule's. What follows the Path
 * depends only on the scheme and the SameSite=None verdict, so it is made
 * once for each of the four; a new session then only joins strings.
 */
class CookieLayout {
  /** Max-Age and Domain. */
  private readonly beforePath: string;
  /** The Path attribute when the spec sets it; otherwise the rule path's, per request. */
  private readonly fixedPath: string | undefined;
  /** Secure, HttpOnly and SameSite, at [https ? 1 : 0] + [SameSite=None allowed ? 2 : 0]. */
  private readonly afterPath: readonly string[];
  /** The user agent matters only to a conditional SameSite=None cookie. */
  private readonly conditionalSameSite: boolean;

  constructor(private readonly spec: AffinitySpec) {
    let before = "";
    if (spec.maxAgeSeconds !== undefined) before += `; Max-Age=${spec.maxAgeSeconds}`;
    if (spec.domain !== undefined) before += `; Domain=${spec.domain}`;
    this.beforePath = before;
    this.fixedPath = spec.path === undefined ? undefined : `; Path=${spec.path}`;
    this.afterPath = [false, true].flatMap((sameSiteNoneOk) => [false, true].map((https) => attributesAfterPath(spec, https, sameSiteNoneOk)));
    this.conditionalSameSite = spec.sameSite === "None" && spec.conditionalSameSiteNone === true;
  }

  render(value: string, request: AffinityRequest): string {
    const sameSiteNoneOk = !this.conditionalSameSite || sameSiteNoneCompatible(request.userAgent);
    const path = this.fixedPath ?? `; Path=${safePath(request.locationPath)}`;
    const after = this.afterPath[(request.https ? 1 : 0) + (sameSiteNoneOk ? 2 : 0)]!;
    return `${this.spec.cookieName}=${value}${expiresAttribute(this.spec, request.nowMs)}${this.beforePath}${path}${after}`;
  }
}

function expiresAttribute(spec: AffinitySpec, nowMs: number): string {
  return spec.expiresSeconds === undefined ? "" : `; Expires=${new Date(nowMs + spec.expiresSeconds * 1000).toUTCString()}`;
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

/**
 * The codes of a new session's key, filled again for each new session: the
 * random part is hashed from them, and one flat string is made of them all
 * once the counter is found.
 */
const KEY_CODES: number[] = new Array<number>(KEY_CHARS).fill(0);

/** Fills KEY_CODES[0, PREFIX_CHARS) with random hex digits (112 bits): three words and the high half of a fourth. */
function randomPrefix(random: () => number): void {
  let at = 0;
  for (let word = 0; word < 4; word++) {
    const bits = Math.floor(clampUnit(random()) * 2 ** 32) >>> 0;
    const lastShift = word < 3 ? 0 : 16;
    for (let shift = 28; shift >= lastShift; shift -= 4) KEY_CODES[at++] = HEX_CODES[(bits >>> shift) & 0xf]!;
  }
}

/** The session key: the random part in KEY_CODES, then `counter` as four hex digits (as hex4 writes them). */
function sessionKey(counter: number): string {
  for (let i = 0; i < 4; i++) KEY_CODES[PREFIX_CHARS + i] = HEX_CODES[(counter >>> (12 - 4 * i)) & 0xf]!;
  return String.fromCharCode.apply(null, KEY_CODES);
}

function clampUnit(draw: number): number {
  return draw >= 0 && draw < 1 ? draw : 0;
}

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}
