// SHA-256-crypt ($5$) and SHA-512-crypt ($6$), implemented from Ulrich
// Drepper's specification "Unix crypt using SHA-256 and SHA-512" (the
// algorithm steps 1-22 and its published test vectors, which the tests run).
// The hashes are @noble/hashes' synchronous SHA-2 (audited, pure JS): a
// verification is thousands of sequential digests, too many round trips for
// the asynchronous crypto.subtle.
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { concatBytes, cryptBase64, groupsFromTriples, utf8 } from "./crypt-base64";

export const SHA_CRYPT_DEFAULT_ROUNDS = 5000;
export const SHA_CRYPT_MIN_ROUNDS = 1000;
/**
 * The spec allows 999,999,999 rounds; a SHA-512 round costs several
 * microseconds of CPU in JavaScript (123,456 rounds took about 0.8 s here), so
 * far fewer are accepted, to keep one login from costing seconds of CPU. The
 * usual tools (openssl passwd, mkpasswd, htpasswd) write the default 5,000.
 */
export const SHA_CRYPT_MAX_ROUNDS = 200_000;
const MAX_SALT_CHARS = 16;

/** The part of a noble hash used here (sha256 and sha512 differ in their internals only). */
interface Hash {
  (message: Uint8Array): Uint8Array;
  create(): { update(data: Uint8Array): unknown; digest(): Uint8Array };
}

interface Variant {
  readonly magic: "$5$" | "$6$";
  readonly hash: Hash;
  readonly size: number;
  readonly groups: ReturnType<typeof groupsFromTriples>;
}

// Step 22's byte order for each variant.
const SHA256: Variant = {
  magic: "$5$",
  hash: sha256,
  size: 32,
  groups: groupsFromTriples(
    [[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29]],
    [-1, 31, 30, 3],
  ),
};

const SHA512: Variant = {
  magic: "$6$",
  hash: sha512,
  size: 64,
  groups: groupsFromTriples(
    [
      [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10],
      [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
    ],
    [-1, -1, 63, 2],
  ),
};

export interface ShaCryptSetting {
  readonly variant: "sha256" | "sha512";
  readonly rounds: number;
  /** Whether "rounds=N$" was written (it is then echoed in the output). */
  readonly explicitRounds: boolean;
  readonly salt: string;
}

/** Reads "$5$[rounds=N$]salt[$hash]"; undefined or a reason when it is not one. */
export function parseShaCryptSetting(text: string): ShaCryptSetting | string {
  const variant = text.startsWith("$5$") ? "sha256" : text.startsWith("$6$") ? "sha512" : undefined;
  if (variant === undefined) return "not a SHA-crypt hash";
  let rest = text.slice(3);
  let rounds = SHA_CRYPT_DEFAULT_ROUNDS;
  let explicitRounds = false;
  const match = /^rounds=(\d{1,10})\$/.exec(rest);
  if (match !== null) {
    rounds = Number(match[1]);
    explicitRounds = true;
    rest = rest.slice(match[0].length);
    if (rounds < SHA_CRYPT_MIN_ROUNDS || rounds > SHA_CRYPT_MAX_ROUNDS) {
      return `rounds must be ${SHA_CRYPT_MIN_ROUNDS} to ${SHA_CRYPT_MAX_ROUNDS}, got ${rounds}`;
    }
  }
  const dollar = rest.indexOf("$");
  const salt = (dollar === -1 ? rest : rest.slice(0, dollar)).slice(0, MAX_SALT_CHARS);
  return { variant, rounds, explicitRounds, salt };
}

/** The full crypt(3) string for `password` under `setting` (steps 1-22). */
export function shaCrypt(password: string, setting: ShaCryptSetting): string {
  const v = setting.variant === "sha256" ? SHA256 : SHA512;
  const P = utf8(password);
  const S = utf8(setting.salt);
  const H = v.hash;
  // Steps 4-8: digest B = H(P S P).
  const B = H(concatBytes(P, S, P));
  // Steps 1-3, 9-12: digest A.
  const a = H.create();
  a.update(P);
  a.update(S);
  a.update(repeatTo(B, P.length));
  for (let n = P.length; n > 0; n >>>= 1) a.update(n & 1 ? B : P);
  let A = a.digest();
  // Steps 13-16: DP, then the byte sequence Pseq of length |P|.
  const dp = H.create();
  for (let i = 0; i < P.length; i++) dp.update(P);
  const Pseq = repeatTo(dp.digest(), P.length);
  // Steps 17-20: DS, then Sseq of length |S|.
  const ds = H.create();
  for (let i = 0; i < 16 + A[0]!; i++) ds.update(S);
  const Sseq = repeatTo(ds.digest(), S.length);
  // Step 21: the rounds.
  for (let i = 0; i < setting.rounds; i++) {
    const c = H.create();
    c.update(i & 1 ? Pseq : A);
    if (i % 3 !== 0) c.update(Sseq);
    if (i % 7 !== 0) c.update(Pseq);
    c.update(i & 1 ? A : Pseq);
    A = c.digest();
  }
  const roundsPart = setting.explicitRounds ? `rounds=${setting.rounds}$` : "";
  return `${v.magic}${roundsPart}${setting.salt}$${cryptBase64(A, v.groups)}`;
}

/** `length` bytes of `block` repeated (whole copies, then a prefix). */
function repeatTo(block: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += block.length) out.set(block.subarray(0, Math.min(block.length, length - at)), at);
  return out;
}
