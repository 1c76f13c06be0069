// Session affinity wraps a pool's policy: the affinity decides when the
// request carries a usable key (a cookie leading to an available origin, a
// header, the client address), the policy picks when it does not. Candidates
// are the available origins (health and passive ejection decided before), so
// a session whose origin is down moves: a cookie session gets a new cookie
// (persistent mode) or hashes onto the remaining origins (balanced mode);
// header and address keys hash onto the remaining origins, and only the
// keys of the origin that left move (rendezvous hashing).
import type { Origin, PoolAffinity } from "../config/types";
import { createCookieAffinity } from "../policy/affinity";
import { rendezvousPick } from "../policy/consistent-hash";
import { readCookie } from "../policy/cookies";
import type { Policy, PolicyDeps } from "./policy";

/** What affinity reads of one request. */
export interface AffinityContext {
  readonly headers: Headers;
  /** CF-Connecting-IP, if known. */
  readonly clientIp: string | undefined;
  readonly https: boolean;
  /** The matched rule's path: the cookie's default Path. */
  readonly locationPath: string;
  readonly nowMs: number;
}

export interface StickyPick {
  readonly origin: Origin;
  /** Set-Cookie value for the response when a cookie session starts or moves. */
  readonly setCookie?: string;
}

export interface PoolAffinityPicker {
  /** `candidates` is non-empty. Never throws. */
  pick(policy: Policy, candidates: readonly Origin[], request: AffinityContext): StickyPick;
}

/** Header values longer than this are not hashed (the policy picks): a key is an id, not a document. */
const MAX_KEY_CHARS = 1024;

export function createAffinity(spec: PoolAffinity, deps: PolicyDeps): PoolAffinityPicker {
  if (spec.kind === "cookie") {
    const cookie = createCookieAffinity(spec.cookie, deps);
    // The user agent matters only to a conditional SameSite=None cookie (affinityCookie).
    const readsUserAgent = spec.cookie.sameSite === "None" && spec.cookie.conditionalSameSiteNone === true;
    return {
      pick: (policy, candidates, request) =>
        cookie.pick(policy, candidates, {
          cookie: readCookie(request.headers.get("cookie"), spec.cookie.cookieName),
          userAgent: readsUserAgent ? request.headers.get("user-agent") : null,
          https: request.https,
          locationPath: request.locationPath,
          nowMs: request.nowMs,
        }),
    };
  }
  const keyOf = spec.kind === "header" ? (r: AffinityContext) => r.headers.get(spec.header) ?? undefined : (r: AffinityContext) => r.clientIp;
  return {
    pick(policy, candidates, request) {
      const key = keyOf(request);
      const hashed = key !== undefined && key !== "" && key.length <= MAX_KEY_CHARS ? rendezvousPick(candidates, key) : undefined;
      return { origin: hashed ?? policy.pick(candidates) };
    },
  };
}
