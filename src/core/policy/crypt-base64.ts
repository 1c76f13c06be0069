// The crypt(3) base-64 encoding shared by MD5-crypt, apr1 and SHA-crypt:
// alphabet "./0-9A-Za-z", each group of 3 bytes written least significant
// 6 bits first. Which bytes form each group is scheme-specific, so callers
// pass the byte order (Drepper's "Unix crypt using SHA-256 and SHA-512",
// the "b64_from_24bit" steps; PHK's md5crypt for $1$ and Apache's apr1).

export const CRYPT_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * Encodes `bytes` in groups: each group is [b2, b1, b0] indices (b2 the most
 * significant byte) and a character count (4 for a full group, fewer for the
 * tail). A missing index (-1) stands for a zero byte.
 */
export function cryptBase64(bytes: Uint8Array, groups: readonly (readonly [number, number, number, number])[]): string {
  let out = "";
  for (const [i2, i1, i0, chars] of groups) {
    let word = ((i2 < 0 ? 0 : bytes[i2]!) << 16) | ((i1 < 0 ? 0 : bytes[i1]!) << 8) | (i0 < 0 ? 0 : bytes[i0]!);
    for (let n = 0; n < chars; n++) {
      out += CRYPT_ALPHABET[word & 0x3f];
      word >>>= 6;
    }
  }
  return out;
}

/** Builds the usual permutation: full groups (a, b, c) stepping each index, as the specs list them. */
export function groupsFromTriples(triples: readonly (readonly [number, number, number])[], tail: readonly [number, number, number, number]) {
  return [...triples.map(([a, b, c]) => [a, b, c, 4] as const), tail];
}

/** Constant-time string equality: time depends only on the lengths, not on where the strings differ. */
export function timingSafeEqualText(a: string, b: string): boolean {
  const length = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < length; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a password or salt, as htpasswd and crypt(3) hash them. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
