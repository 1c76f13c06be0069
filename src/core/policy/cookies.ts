// Reading one cookie from a Cookie request header (RFC 6265 section 5.4
// serialisation: "name=value" pairs separated by "; "). Lenient about
// spacing, never throws; the first pair with the name wins, as the Lua
// resty.cookie module ingress-nginx uses returns the first it finds.

/** Cookie headers longer than this are not searched (browsers send at most about 8 KiB). */
export const MAX_COOKIE_HEADER_CHARS = 16_384;

/**
 * The value of cookie `name`, or undefined. A value in double quotes is
 * returned without them. One pass with indexOf, no split: affinity reads the
 * cookie on every request to its pools.
 */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (typeof header !== "string" || header.length > MAX_COOKIE_HEADER_CHARS || name === "") return undefined;
  for (let start = 0; start <= header.length; ) {
    let end = header.indexOf(";", start);
    if (end === -1) end = header.length;
    const eq = header.indexOf("=", start);
    if (eq !== -1 && eq < end && nameIs(header, start, eq, name)) {
      const value = header.slice(eq + 1, end).trim();
      return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
    }
    start = end + 1;
  }
  return undefined;
}

/** Is header[from, to), without the white space trim() removes, exactly `name`? */
function nameIs(header: string, from: number, to: number, name: string): boolean {
  while (from < to && isTrimmed(header.charCodeAt(from))) from++;
  while (to > from && isTrimmed(header.charCodeAt(to - 1))) to--;
  return to - from === name.length && header.startsWith(name, from);
}

/** White space as String.prototype.trim removes it. */
function isTrimmed(code: number): boolean {
  if (code === 0x20 || (code >= 0x09 && code <= 0x0d)) return true;
  return code > 0x7f && String.fromCharCode(code).trim() === "";
}

/** RFC 6265 cookie-name: an RFC 9110 token. */
export const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
