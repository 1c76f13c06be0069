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
import { HEX_CODES, hex4 } from "./key-hash";
import { utf8 } from "./crypt-base64";

export interface AffinityRequest {
  /** The affinity cookie's value as the client sent it (readCookie(header, spec.cookieName)), if any. */
  readonly cookie: string | undefined;
  readonly userAgent?: string | null;
  /** Was the request made over https? Decides Secure when session-cookie-secure is unset. */
  readonly https: boolean;
  /** The matched rule's path: the cookie Path unless session-cookie-path is set. */
  readonly locationPath: string;
  /** Response time in milliseconds since the epoch, for Expires. */
  readonly nowMs: number;
}

export interface AffinityPick {
  readonly origin: Origin;
  /** A Set-Cookie header value to add to the response, when a new session starts. */
  readonly setCookie?: string;
}

export interface CookieAffinity {
  /** `candidates` is non-empty (availability is decided before, as for any policy). Never throws. */
  pick(policy: Policy, candidates: readonly Origin[], request: AffinityRequest): AffinityPick;
}

export interface AffinityDeps {
  /** Uniform in [0, 1), as Math.random; draws balanced-mode session keys. */
  readonly random: () => number;
}

/** Upper bound on key draws for one new balanced session. */
export const MAX_SESSION_KEY_DRAWS = 2048;
// A session key is 32 hex characters: PREFIX_CHARS random (randomPrefix),
// then 4 of a counter (MAX_SESSION_KEY_DRAWS fits in them).
const PREFIX_CHARS = 28;
const COOKIE_VALUE = /^[0-9a-f]{32}$/;

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
  private readonly hasher = new RendezvousHasher();
  private readonly layout: CookieLayout;

  constructor(
    spec: AffinitySpec,
    private readonly random: () => number,
  ) {
    this.balanced = spec.mode === "balanced";
    this.layout = new CookieLayout(spec);
  }

  pick(policy: Policy, candidates: readonly Origin[], request: AffinityRequest): AffinityPick {
    const sticky = this.stuck(candidates, request.cookie);
    if (sticky !== undefined) return { origin: sticky };
    const chosen = policy.pick(candidates);
    if (!this.balanced) return { origin: chosen, setCookie: this.layout.render(this.idOf(chosen), request) };
    // Keys are tried until one hashes onto the origin the policy chose: 112
    // random bits, then a 16-bit counter, so the random part is hashed once
    // and each try hashes only its last four characters.
    const prefix = randomPrefix(this.random);
    const hashed = this.hasher.withPrefix(candidates, prefix);
    let draw = 0;
    let origin = hashed.pickHex4(draw);
    while (origin !== chosen && draw < MAX_SESSION_KEY_DRAWS - 1) origin = hashed.pickHex4(++draw);
    return { origin: origin ?? chosen, setCookie: this.layout.render(prefix + hex4(draw), request) };
  }

  /** The origin a valid cookie leads to among the candidates, if any. */
  private stuck(candidates: readonly Origin[], cookie: string | undefined): Origin | undefined {
    if (typeof cookie !== "string" || !COOKIE_VALUE.test(cookie)) return undefined;
    if (this.balanced) return this.hasher.pick(candidates, cookie);
    for (const origin of candidates) if (this.idOf(origin) === cookie) return origin;
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
export function affinityCookie(spec: AffinitySpec, value: string, request: Omit<AffinityRequest, "cookie">): string {
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

  render(value: string, request: Omit<AffinityRequest, "cookie">): string {
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

/** A rule path usable as a cookie Path (no ";" or controls); "/" otherwise. */
function safePath(path: string): string {
  return typeof path === "string" && /^\/[^;\s\u0000-\u001f\u007f]*$/.test(path) ? path : "/";
}

/** The codes of a session key's random part, filled again for each new session: one flat string is made from them, which the hash then reads. */
const PREFIX_CODES: number[] = new Array<number>(PREFIX_CHARS).fill(0);

/** PREFIX_CHARS random hex digits (112 bits): three words and the high half of a fourth. */
function randomPrefix(random: () => number): string {
  let at = 0;
  for (let word = 0; word < 4; word++) {
    const bits = Math.floor(clampUnit(random()) * 2 ** 32) >>> 0;
    const lastShift = word < 3 ? 0 : 16;
    for (let shift = 28; shift >= lastShift; shift -= 4) PREFIX_CODES[at++] = HEX_CODES[(bits >>> shift) & 0xf]!;
  }
  return String.fromCharCode.apply(null, PREFIX_CODES);
}

function clampUnit(draw: number): number {
  return draw >= 0 && draw < 1 ? draw : 0;
}

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}
