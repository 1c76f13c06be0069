// Session affinity wraps a pool's policy: the affinity decides when the
// request carries a usable key (a cookie leading to an available origin, a
// header, the client address), the policy picks when it does not. Candidates
// are the available origins (health and passive ejection decided before), so
// a session whose origin is down moves: a cookie session gets a new cookie
// (persistent mode) or hashes onto the remaining origins (balanced mode);
// header and address keys hash onto the remaining origins, and only the
// keys of the origin that left move (rendezvous hashing).
import type { Origin, PoolAffinity } from "../config/types";
import { createCookieAffinity, type AffinityPick, type CookieSessionRequest } from "../policy/affinity";
import { RendezvousHasher } from "../policy/consistent-hash";
import type { Policy, PolicyDeps } from "./policy";

/**
 * What affinity reads of one request: a cookie session is handed the context
 * itself (no copy per request), so the context answers what a session asks,
 * the user agent included.
 */
export interface AffinityContext extends CookieSessionRequest {
  readonly headers: Headers;
  /** CF-Connecting-IP, if known. */
  readonly clientIp: string | undefined;
  /** The User-Agent header (required here, so that no context forgets it: a conditional SameSite=None cookie depends on it). */
  readonly userAgent: string | null;
}

export interface PoolAffinityPicker {
  /** `candidates` is non-empty. Never throws. */
  pick(policy: Policy, candidates: readonly Origin[], request: AffinityContext): AffinityPick;
}

/** Header values longer than this are not hashed (the policy picks): a key is an id, not a document. */
const MAX_KEY_CHARS = 1024;

export function createAffinity(spec: PoolAffinity, deps: PolicyDeps): PoolAffinityPicker {
  // A cookie session reads what it needs of the context itself: no adapter object per pool.
  if (spec.kind === "cookie") return createCookieAffinity(spec.cookie, deps);
  return new HashPicker(spec.kind === "header" ? spec.header : undefined);
}

/** A header's value or the client address, hashed onto the candidates; the policy picks when the request has no usable key. */
class HashPicker extends RendezvousHasher implements PoolAffinityPicker {
  /** @param header the header to hash; undefined: the client address */
  constructor(private readonly header: string | undefined) {
    super();
  }

  pick(policy: Policy, candidates: readonly Origin[], request: AffinityContext): AffinityPick {
    const key = this.header === undefined ? request.clientIp : (request.headers.get(this.header) ?? undefined);
    const hashed = key !== undefined && key !== "" && key.length <= MAX_KEY_CHARS ? this.pickByKey(candidates, key) : undefined;
    return { origin: hashed ?? policy.pick(candidates) };
  }
}
