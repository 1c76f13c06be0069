// Cookie session affinity as ingress-nginx's affinity: cookie
// (rootfs/etc/nginx/lua/balancer/sticky*.lua), WRAPPING a selection policy:
// - a request whose cookie leads to an available origin goes there;
// - otherwise the wrapped policy picks among the candidates and the answer
//   carries a Set-Cookie that leads back to that pick.
// Modes, as ingress-nginx's affinity-mode:
// - persistent: the cookie holds an opaque id of the origin (a SHA-256 of its
//   key, never its URL). A session stays on its origin while that origin is
//   available; added origins take no existing sessions.
// - balanced (default): the cookie holds a session key and the origin is the
//   weighted rendezvous hash of that key over the available origins
//   (ingress-nginx hashes its random key with a consistent hash too). Adding
//   origins moves only their share of sessions to them; when an origin goes,
//   only its sessions move. A new session gets a key that hashes to the
//   wrapped policy's pick (session-keys.ts).
// The Set-Cookie is written by affinity-cookie.ts.
import { sha256 } from "@noble/hashes/sha2.js";
import type { Origin } from "../config/types";
import type { Policy } from "../selection/policy";
import type { AffinitySpec } from "./affinity-config";
import { cookieLayout, type CookieLayout, type CookieRequest } from "./affinity-cookie";
import { cookieRange, findCookie } from "./cookies";
import { utf8 } from "./crypt-base64";
import { SessionKeyMaker } from "./session-keys";

/** What an affinity picks: cookie sessions here, header and address hashing in selection/affinity.ts. */
export interface AffinityPick {
  readonly origin: Origin;
  /** A Set-Cookie header value to add to the response, when a cookie session starts or moves. */
  readonly setCookie?: string;
}

/** A cookie session's view of a request: its headers (the Cookie header is read) and what its Set-Cookie depends on. */
export interface CookieSessionRequest extends CookieRequest {
  readonly headers: { get(name: string): string | null };
}

export interface CookieAffinity {
  /** `candidates` is non-empty (availability is decided before, as for any policy). Never throws. */
  pick(policy: Policy, candidates: readonly Origin[], request: CookieSessionRequest): AffinityPick;
}

export interface AffinityDeps {
  /** Uniform in [0, 1), as Math.random; draws balanced-mode session keys. */
  readonly random: () => number;
}

/** A session key (and a persistent mode's origin id) is this many lowercase hex digits. */
const KEY_CHARS = 32;

export function createCookieAffinity(spec: AffinitySpec, deps: AffinityDeps): CookieAffinity {
  return new CookieSessions(spec, deps.random);
}

/**
 * One pool's (or rule path's) cookie sessions. A class, not closures, and
 * its own rendezvous hasher and session key maker: every request to the pool
 * reads it, and one object with its methods on a shared prototype touches
 * fewer cache lines than a closure per step or an object per concern.
 */
class CookieSessions extends SessionKeyMaker implements CookieAffinity {
  /** Origin.key -> opaque id (persistent mode), computed once per origin. */
  private ids: Map<string, string> | undefined = undefined;
  private readonly balanced: boolean;
  private readonly cookieName: string;
  private readonly layout: CookieLayout;

  constructor(spec: AffinitySpec, random: () => number) {
    super(random);
    this.balanced = spec.mode === "balanced";
    this.cookieName = spec.cookieName;
    this.layout = cookieLayout(spec);
  }

  pick(policy: Policy, candidates: readonly Origin[], request: CookieSessionRequest): AffinityPick {
    const sticky = this.stuck(candidates, request.headers.get("cookie"));
    if (sticky !== undefined) return { origin: sticky };
    const chosen = policy.pick(candidates);
    if (!this.balanced) return { origin: chosen, setCookie: this.layout.render(this.idOf(chosen), request) };
    const key = this.newKey(candidates, candidates.indexOf(chosen));
    return { origin: candidates[this.keyLeadsTo]!, setCookie: this.layout.render(key, request) };
  }

  /** The origin a valid cookie leads to among the candidates, if any: read where it lies in the header, no copy made. */
  private stuck(candidates: readonly Origin[], header: string | null | undefined): Origin | undefined {
    if (!findCookie(header, this.cookieName)) return undefined;
    const { start, end } = cookieRange;
    if (end - start !== KEY_CHARS) return undefined;
    const text = header as string;
    if (this.balanced) return this.pickHex(candidates, text, start, end);
    // An id is KEY_CHARS lowercase hex digits: an exact match is a valid cookie.
    for (const origin of candidates) if (text.startsWith(this.idOf(origin), start)) return origin;
    return undefined;
  }

  private idOf(origin: Origin): string {
    this.ids ??= new Map();
    let id = this.ids.get(origin.key);
    if (id === undefined) {
      id = toHex(sha256(utf8(`edge-ingress affinity\u0000${origin.key}`)).subarray(0, 16));
      this.ids.set(origin.key, id);
    }
    return id;
  }
}

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}
