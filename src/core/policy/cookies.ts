// Reading one cookie from a Cookie request header (RFC 6265 section 5.4
// serialisation: "name=value" pairs separated by "; "). Lenient about
// spacing, never throws; the first pair with the name wins, as the Lua
// resty.cookie module ingress-nginx uses returns the first it finds.

/** Cookie headers longer than this are not searched (browsers send at most about 8 KiB). */
export const MAX_COOKIE_HEADER_CHARS = 16_384;

/**
 * Where findCookie found the value: header[start, end), white space and
 * enclosing double quotes removed. Written rather than returned, so that
 * finding a cookie allocates nothing (affinity reads one on every request to
 * its pools, and hashes it where it lies).
 */
export const cookieRange = { start: 0, end: 0 };

/**
 * Does the header carry cookie `name`? If so, its value is at cookieRange.
 * The name is searched for with indexOf and taken where it is a pair's whole
 * name: only white space between it and the pair's start (the header's
 * start or a ";"), and between it and its "=". That is the first pair whose
 * name, trimmed, is `name`: a pair's name ends at its first "=", and a
 * cookie name (an RFC 9110 token) holds no "=", ";" or white space.
 */
export function findCookie(header: string | null | undefined, name: string): boolean {
  if (typeof header !== "string" || header.length > MAX_COOKIE_HEADER_CHARS || name === "") return false;
  for (let at = header.indexOf(name); at !== -1; at = header.indexOf(name, at + 1)) {
    let before = at - 1;
    while (before >= 0 && isTrimmed(header.charCodeAt(before))) before--;
    if (before >= 0 && header.charCodeAt(before) !== SEMICOLON) continue;
    let eq = at + name.length;
    while (eq < header.length && isTrimmed(header.charCodeAt(eq))) eq++;
    if (eq >= header.length || header.charCodeAt(eq) !== EQUALS) continue;
    let end = header.indexOf(";", eq + 1);
    if (end === -1) end = header.length;
    let start = eq + 1;
    while (start < end && isTrimmed(header.charCodeAt(start))) start++;
    while (end > start && isTrimmed(header.charCodeAt(end - 1))) end--;
    if (end - start >= 2 && header.charCodeAt(start) === QUOTE && header.charCodeAt(end - 1) === QUOTE) {
      start++;
      end--;
    }
    cookieRange.start = start;
    cookieRange.end = end;
    return true;
  }
  return false;
}

/** The value of cookie `name` (findCookie), or undefined. A value in double quotes is returned without them. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  return findCookie(header, name) ? (header as string).slice(cookieRange.start, cookieRange.end) : undefined;
}

const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const QUOTE = 0x22;

/** White space as String.prototype.trim removes it (and as \s matches it). */
export function isTrimmed(code: number): boolean {
  if (code === 0x20 || (code >= 0x09 && code <= 0x0d)) return true;
  return code > 0x7f && String.fromCharCode(code).trim() === "";
}

/** RFC 6265 cookie-name: an RFC 9110 token. */
export const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
