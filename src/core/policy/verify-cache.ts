// A per-isolate cache of successful password verifications, so bcrypt's CPU
// (tens of milliseconds in JavaScript) is paid once per isolate and user
// rather than on every request. Security properties:
// - the password is never stored: the key is HMAC-SHA-256 over (user,
//   password, stored hash text) under a random per-cache key, so even a memory
//   dump gives nothing to guess offline without that key;
// - the stored hash text is in the key, so changing a user's password in the
//   config invalidates their entries at once;
// - only successes are cached: failures cannot evict good entries, and each
//   wrong guess still costs the full hash, as it should;
// - bounded: at most `maxEntries` (least recently used evicted first), each
//   valid for `ttlMs` from when it was verified.
// Per-isolate state, never global: other isolates verify on their own.
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { BasicCredentials } from "./basic-auth";
import { concatBytes, utf8 } from "./crypt-base64";
import type { Htpasswd } from "./htpasswd";

export interface VerifyCacheOptions {
  /** Entries kept at most; default 1000, at least 1. */
  readonly maxEntries?: number;
  /** How long a success is trusted, in milliseconds; default 300,000 (5 minutes). */
  readonly ttlMs?: number;
  /** Clock in milliseconds, injected for tests (Date.now in the Worker). */
  readonly now: () => number;
  /** HMAC key; default 32 bytes from crypto.getRandomValues. Injected only by tests. */
  readonly key?: Uint8Array;
}

export interface VerifyCache {
  /** Is this user's password right? Unknown users are refused without hashing. Never throws. */
  verify(htpasswd: Htpasswd, credentials: BasicCredentials): boolean;
  /** The same, saying whether the answer came from the cache ("cached") or from hashing ("verified"). Never throws. */
  check(htpasswd: Htpasswd, credentials: BasicCredentials): "cached" | "verified" | "refused";
  /** Entries held now (expired ones may still count until touched). */
  readonly size: number;
}

export const DEFAULT_VERIFY_CACHE_ENTRIES = 1000;
export const DEFAULT_VERIFY_CACHE_TTL_MS = 300_000;

export function createVerifyCache(options: VerifyCacheOptions): VerifyCache {
  const maxEntries = Math.max(1, Math.floor(options.maxEntries ?? DEFAULT_VERIFY_CACHE_ENTRIES));
  const ttlMs = Math.max(0, options.ttlMs ?? DEFAULT_VERIFY_CACHE_TTL_MS);
  const key = options.key ?? crypto.getRandomValues(new Uint8Array(32));
  /** digest (hex) -> expiry time; Map iteration order is insertion order, so the first key is the least recently used. */
  const entries = new Map<string, number>();

  const digestOf = (user: string, password: string, hashText: string): string => {
    const parts = [user, password, hashText].map(utf8);
    // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
    const message = concatBytes(...parts.flatMap((part) => [lengthBytes(part.length), part]));
    return toHex(hmac(sha256, key, message));
  };

  return {
    get size() {
      return entries.size;
    },
    verify(htpasswd: Htpasswd, credentials: BasicCredentials): boolean {
      return this.check(htpasswd, credentials) !== "refused";
    },
    check(htpasswd: Htpasswd, credentials: BasicCredentials): "cached" | "verified" | "refused" {
      try {
        const entry = htpasswd.entry(credentials.user);
        if (entry === undefined || typeof credentials.password !== "string") return "refused";
        const digest = digestOf(entry.user, credentials.password, entry.hashText);
        const now = options.now();
        const expiresAt = entries.get(digest);
        if (expiresAt !== undefined) {
          entries.delete(digest);
          if (now < expiresAt) {
            entries.set(digest, expiresAt); // most recently used goes last
            return "cached";
          }
        }
        if (!entry.hash.verify(credentials.password)) return "refused";
        entries.set(digest, now + ttlMs);
        while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
        return "verified";
      } catch {
        return "refused";
      }
    },
  };
}

function lengthBytes(length: number): Uint8Array {
  return new Uint8Array([length >>> 24, (length >>> 16) & 255, (length >>> 8) & 255, length & 255]);
}

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}
