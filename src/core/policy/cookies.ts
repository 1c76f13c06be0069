// Reading one cookie from a Cookie request header (RFC 6265 section 5.4
// serialisation: "name=value" pairs separated by "; "). Lenient about
// spacing, never throws; the first pair with the name wins, as the Lua
// resty.cookie module ingress-nginx uses returns the first it finds.

/** Cookie headers longer than this are not searched (browsers send at most about 8 KiB). */
export const MAX_COOKIE_HEADER_CHARS = 16_384;

/** The value of cookie `name`, or undefined. A value in double quotes is returned without them. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (typeof header !== "string" || header.length > MAX_COOKIE_HEADER_CHARS || name === "") return undefined;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    const value = pair.slice(eq + 1).trim();
    return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  }
  return undefined;
}

/** RFC 6265 cookie-name: an RFC 9110 token. */
export const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
