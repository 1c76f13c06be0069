// MD5-crypt: Poul-Henning Kamp's "$1$" algorithm (FreeBSD crypt-md5.c) and
// Apache's "$apr1$" variant, which differs only in its magic string (Apache
// HTTP Server docs, "Password Formats"). nginx's auth_basic accepts both.
// Both are WEAK (MD5, 1,000 fixed iterations): they are verified so existing
// htpasswd files keep working, and reported so users re-hash with bcrypt.
// MD5 is not in crypto.subtle everywhere, so @noble/hashes' md5 is used.
import { md5 } from "@noble/hashes/legacy.js";
import { concatBytes, cryptBase64, utf8 } from "./crypt-base64";

const MAX_SALT_CHARS = 8;
const ITERATIONS = 1000;
const GROUPS = [[0, 6, 12, 4], [1, 7, 13, 4], [2, 8, 14, 4], [3, 9, 15, 4], [4, 10, 5, 4], [-1, -1, 11, 2]] as const;

export interface Md5CryptSetting {
  readonly magic: "$1$" | "$apr1$";
  readonly salt: string;
}

/** Reads "$1$salt[$hash]" or "$apr1$salt[$hash]"; a reason when it is neither. */
export function parseMd5CryptSetting(text: string): Md5CryptSetting | string {
  const magic = text.startsWith("$apr1$") ? "$apr1$" : text.startsWith("$1$") ? "$1$" : undefined;
  if (magic === undefined) return "not an MD5-crypt hash";
  const rest = text.slice(magic.length);
  const dollar = rest.indexOf("$");
  return { magic, salt: (dollar === -1 ? rest : rest.slice(0, dollar)).slice(0, MAX_SALT_CHARS) };
}

/** The full crypt string for `password` under `setting`. */
export function md5Crypt(password: string, setting: Md5CryptSetting): string {
  const pw = utf8(password);
  const salt = utf8(setting.salt);
  let final = md5(concatBytes(pw, salt, pw));
  const ctx = md5.create().update(pw).update(utf8(setting.magic)).update(salt);
  for (let left = pw.length; left > 0; left -= 16) ctx.update(final.subarray(0, Math.min(left, 16)));
  // The original zeroes `final` here and then adds its first byte: a 0 byte.
  for (let n = pw.length; n > 0; n >>>= 1) ctx.update(n & 1 ? new Uint8Array(1) : pw.subarray(0, 1));
  final = ctx.digest();
  for (let i = 0; i < ITERATIONS; i++) {
    const round = md5.create();
    round.update(i & 1 ? pw : final);
    if (i % 3 !== 0) round.update(salt);
    if (i % 7 !== 0) round.update(pw);
    round.update(i & 1 ? final : pw);
    final = round.digest();
  }
  return `${setting.magic}${setting.salt}$${cryptBase64(final, GROUPS)}`;
}
