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
import { PrefixPicker, rendezvousPick } from "./consistent-hash";
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
// A session key is 32 hex characters: 28 random (randomPrefix), then 4 of a
// counter (MAX_SESSION_KEY_DRAWS fits in them).
const COOKIE_VALUE = /^[0-9a-f]{32}$/;
/** "00".."ff": a new session draws several keys, and formatting them is most of a draw's cost. */
const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

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
  /**
   * Set-Cookie attributes after Expires (cookieAttributes), by rule path, one
   * table per scheme and SameSite=None verdict: the rule path is a config
   * string, so looking it up hashes nothing new.
   */
  private readonly attributes: readonly Map<string, string>[] = [new Map(), new Map(), new Map(), new Map()];
  /** The user agent matters only to a conditional SameSite=None cookie. */
  private readonly conditionalSameSite: boolean;

  constructor(
    private readonly spec: AffinitySpec,
    private readonly random: () => number,
  ) {
    this.conditionalSameSite = spec.sameSite === "None" && spec.conditionalSameSiteNone === true;
  }

  pick(policy: Policy, candidates: readonly Origin[], request: AffinityRequest): AffinityPick {
    const sticky = this.stuck(candidates, request.cookie);
    if (sticky !== undefined) return { origin: sticky };
    const chosen = policy.pick(candidates);
    if (this.spec.mode === "persistent") return { origin: chosen, setCookie: this.setCookie(this.idOf(chosen), request) };
    // Keys are tried until one hashes onto the origin the policy chose: 112
    // random bits, then a 16-bit counter, so the random part is hashed once
    // and each try hashes only its last four characters.
    const prefix = this.randomPrefix();
    const hashed = new PrefixPicker(candidates, prefix);
    let suffix = "0000";
    for (let draw = 0; draw < MAX_SESSION_KEY_DRAWS; draw++) {
      suffix = HEX_BYTE[draw >>> 8]! + HEX_BYTE[draw & 0xff]!;
      if (hashed.pick(suffix) === chosen) return { origin: chosen, setCookie: this.setCookie(prefix + suffix, request) };
    }
    return { origin: hashed.pick(suffix) ?? chosen, setCookie: this.setCookie(prefix + suffix, request) };
  }

  /** The origin a valid cookie leads to among the candidates, if any. */
  private stuck(candidates: readonly Origin[], cookie: string | undefined): Origin | undefined {
    if (typeof cookie !== "string" || !COOKIE_VALUE.test(cookie)) return undefined;
    if (this.spec.mode === "balanced") return rendezvousPick(candidates, cookie);
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

  /** 28 random hex characters (112 bits): three words and the high half of a fourth. */
  private randomPrefix(): string {
    let key = "";
    for (let i = 0; i < 4; i++) {
      const word = Math.floor(clampUnit(this.random()) * 2 ** 32) >>> 0;
      key += HEX_BYTE[word >>> 24]! + HEX_BYTE[(word >>> 16) & 0xff]!;
      if (i < 3) key += HEX_BYTE[(word >>> 8) & 0xff]! + HEX_BYTE[word & 0xff]!;
    }
    return key;
  }

  /** affinityCookie, with the attributes after Expires built once per rule path and scheme rather than per session. */
  private setCookie(value: string, request: AffinityRequest): string {
    const spec = this.spec;
    const sameSiteNoneOk = !this.conditionalSameSite || sameSiteNoneCompatible(request.userAgent);
    const table = this.attributes[(request.https ? 1 : 0) + (sameSiteNoneOk ? 2 : 0)]!;
    let attributes = table.get(request.locationPath);
    if (attributes === undefined) {
      if (table.size >= MAX_CACHED_ATTRIBUTES) table.clear();
      attributes = cookieAttributes(spec, request.https, request.locationPath, sameSiteNoneOk);
      table.set(request.locationPath, attributes);
    }
    return `${spec.cookieName}=${value}${expiresAttribute(spec, request.nowMs)}${attributes}`;
  }
}

/** The Set-Cookie value for a new session. */
export function affinityCookie(spec: AffinitySpec, value: string, request: Omit<AffinityRequest, "cookie">): string {
  return `${spec.cookieName}=${value}${expiresAttribute(spec, request.nowMs)}${cookieAttributes(spec, request.https, request.locationPath, sameSiteNoneCompatible(request.userAgent))}`;
}

function expiresAttribute(spec: AffinitySpec, nowMs: number): string {
  return spec.expiresSeconds === undefined ? "" : `; Expires=${new Date(nowMs + spec.expiresSeconds * 1000).toUTCString()}`;
}

/** Everything after Expires: the same for every session of one rule path and scheme. */
function cookieAttributes(spec: AffinitySpec, https: boolean, locationPath: string, sameSiteNoneOk: boolean): string {
  let cookie = "";
  if (spec.maxAgeSeconds !== undefined) cookie += `; Max-Age=${spec.maxAgeSeconds}`;
  if (spec.domain !== undefined) cookie += `; Domain=${spec.domain}`;
  cookie += `; Path=${spec.path ?? safePath(locationPath)}`;
  if (spec.secure ?? https) cookie += "; Secure";
  cookie += "; HttpOnly";
  const sameSite = spec.sameSite === "None" && spec.conditionalSameSiteNone && !sameSiteNoneOk ? undefined : spec.sameSite;
  if (sameSite !== undefined) cookie += `; SameSite=${sameSite}`;
  return cookie;
}

/** Distinct attribute strings one affinity keeps (rule paths times schemes); past it the cache starts over. */
const MAX_CACHED_ATTRIBUTES = 256;

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

function clampUnit(draw: number): number {
  return draw >= 0 && draw < 1 ? draw : 0;
}

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}
