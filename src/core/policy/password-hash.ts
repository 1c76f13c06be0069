// One stored password hash from an htpasswd line, recognised by its prefix
// and verified in constant time. The schemes are those nginx's auth_basic
// (which ingress-nginx's auth-type: basic configures) accepts: crypt(3)
// strings ($2y$/$2a$/$2b$ bcrypt, $5$/$6$ SHA-crypt, $1$ MD5-crypt), Apache's
// $apr1$, and RFC 2307 "{SCHEME}data" ({SHA}, {SSHA}, {PLAIN}); see
// https://nginx.org/en/docs/http/ngx_http_auth_basic_module.html.
// Refused outright: {PLAIN} (plain text) and traditional DES crypt (13
// characters; only the first 8 password bytes count). Verified but WEAK,
// so the caller can warn or refuse: $apr1$ and $1$ (MD5, 1,000 fixed rounds),
// {SHA} (unsalted SHA-1) and {SSHA} (one salted SHA-1).
import bcrypt from "bcryptjs";
import { sha1 } from "@noble/hashes/legacy.js";
import { concatBytes, timingSafeEqualText, utf8 } from "./crypt-base64";
import { md5Crypt, parseMd5CryptSetting } from "./md5-crypt";
import { parseShaCryptSetting, shaCrypt } from "./sha-crypt";

export type HashScheme = "bcrypt" | "sha512-crypt" | "sha256-crypt" | "apr1" | "md5-crypt" | "sha1" | "ssha";

/** Schemes verified for compatibility but too cheap to resist offline guessing. */
export const WEAK_SCHEMES: ReadonlySet<HashScheme> = new Set<HashScheme>(["apr1", "md5-crypt", "sha1", "ssha"]);

/**
 * bcrypt costs above this are refused: in JavaScript (bcryptjs) cost 10 took
 * about 150 ms of CPU here and each step doubles it, so 12 is already about
 * 0.6 s per verification (paid once per isolate and user thanks to the
 * verification cache). `htpasswd -B` writes cost 5 unless given -C.
 */
export const MAX_BCRYPT_COST = 12;

export interface PasswordHash {
  readonly scheme: HashScheme;
  readonly weak: boolean;
  /** Does `password` produce this hash? Constant time in where it differs; never throws. */
  verify(password: string): boolean;
}

const CRYPT64 = "[./0-9A-Za-z]";
const BCRYPT = new RegExp(`^\\$2[aby]\\$(\\d\\d)\\$${CRYPT64}{53}$`);
const SHA_CRYPT = new RegExp(`^\\$([56])\\$(?:rounds=\\d{1,10}\\$)?[^$:\\s]{0,16}\\$(${CRYPT64}+)$`);
const MD5_CRYPT = new RegExp(`^\\$(?:apr1|1)\\$[^$:\\s]{0,8}\\$${CRYPT64}{22}$`);
const DES_CRYPT = new RegExp(`^${CRYPT64}{13}$`);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Recognises one stored hash; a reason (for the config error) when it cannot be used. Never throws. */
export function parsePasswordHash(text: string): PasswordHash | string {
  const bcryptMatch = BCRYPT.exec(text);
  if (bcryptMatch !== null) {
    const cost = Number(bcryptMatch[1]);
    if (cost < 4 || cost > MAX_BCRYPT_COST) return `bcrypt cost must be 4 to ${MAX_BCRYPT_COST}, got ${cost}`;
    return make("bcrypt", text, (password) => bcrypt.hashSync(password, text.slice(0, 29)));
  }
  if (text.startsWith("$2")) return "malformed bcrypt hash (expected $2y$NN$ and 53 characters)";
  const shaMatch = SHA_CRYPT.exec(text);
  if (shaMatch !== null) {
    const setting = parseShaCryptSetting(text);
    if (typeof setting === "string") return setting;
    if (shaMatch[2]!.length !== (shaMatch[1] === "5" ? 43 : 86)) return "malformed SHA-crypt hash (wrong hash length)";
    return make(setting.variant === "sha256" ? "sha256-crypt" : "sha512-crypt", text, (password) => shaCrypt(password, setting));
  }
  if (text.startsWith("$5$") || text.startsWith("$6$")) return "malformed SHA-crypt hash";
  if (MD5_CRYPT.test(text)) {
    const setting = parseMd5CryptSetting(text);
    if (typeof setting === "string") return setting;
    return make(setting.magic === "$apr1$" ? "apr1" : "md5-crypt", text, (password) => md5Crypt(password, setting));
  }
  if (text.startsWith("$apr1$") || text.startsWith("$1$")) return "malformed MD5-crypt hash";
  if (text.startsWith("{SHA}")) {
    const stored = decodeBase64(text.slice(5));
    if (stored === undefined || stored.length !== 20) return "malformed {SHA} hash (expected base64 of 20 bytes)";
    return make("sha1", text, (password) => `{SHA}${encodeBase64(sha1(utf8(password)))}`);
  }
  if (text.startsWith("{SSHA}")) {
    const stored = decodeBase64(text.slice(6));
    if (stored === undefined || stored.length <= 20) return "malformed {SSHA} hash (expected base64 of a 20-byte digest and a salt)";
    const salt = stored.subarray(20);
    return make("ssha", text, (password) => `{SSHA}${encodeBase64(concatBytes(sha1(concatBytes(utf8(password), salt)), salt))}`);
  }
  if (text.startsWith("{PLAIN}")) return "plain-text passwords ({PLAIN}) are refused; store a bcrypt hash (htpasswd -B)";
  if (DES_CRYPT.test(text)) return "traditional DES crypt hashes are refused (only 8 password characters count); store a bcrypt hash (htpasswd -B)";
  if (text.startsWith("$")) return `unsupported hash scheme "${text.slice(0, text.indexOf("$", 1) + 1 || 4)}"; use bcrypt ($2y$), SHA-crypt ($5$, $6$) or apr1`;
  return "not a recognised password hash; use bcrypt (htpasswd -B)";
}

function make(scheme: HashScheme, stored: string, compute: (password: string) => string): PasswordHash {
  return Object.freeze({
    scheme,
    weak: WEAK_SCHEMES.has(scheme),
    verify(password: string): boolean {
      if (typeof password !== "string") return false;
      let computed: string;
      try {
        computed = compute(password);
      } catch {
        return false;
      }
      return timingSafeEqualText(computed, stored);
    },
  });
}

function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
