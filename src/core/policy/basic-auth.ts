// The HTTP Basic authentication scheme (RFC 7617): reading the credentials
// from an Authorization header and writing the 401 challenge. Reading never
// throws: a wrong scheme, bad base64, a missing colon, bytes that are not
// UTF-8 (RFC 7617 section 2.1 charset) or an oversized header all mean
// "no credentials", so the request is answered with the challenge.

/** Longer credentials are treated as absent: no real user-id:password needs more, and it bounds hashing work. */
export const MAX_BASIC_CREDENTIALS_CHARS = 4096;

export interface BasicCredentials {
  readonly user: string;
  readonly password: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The credentials in `Authorization: Basic <base64(user:password)>`, or undefined. */
export function parseBasicAuthorization(header: string | null | undefined): BasicCredentials | undefined {
  if (typeof header !== "string" || header.length > MAX_BASIC_CREDENTIALS_CHARS) return undefined;
  // The scheme name is case-insensitive (RFC 9110 11.1); one or more spaces follow it.
  const match = /^[ \t]*basic[ ]+([^ \t]+)[ \t]*$/i.exec(header);
  if (match === null) return undefined;
  const token = match[1]!;
  // Padding is optional in practice (nginx decodes unpadded base64 too), but a
  // length of 4n+1 can never be base64.
  if (!BASE64.test(token) || token.length % 4 === 1) return undefined;
  const unpadded = token.replace(/=+$/, "");
  if (token.length % 4 !== 0 && unpadded !== token) return undefined; // padding on a non-multiple of 4
  let bytes: Uint8Array;
  try {
    const binary = atob(unpadded + "=".repeat((4 - (unpadded.length % 4)) % 4));
    bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return undefined;
  }
  const colon = text.indexOf(":");
  if (colon === -1) return undefined;
  const user = text.slice(0, colon);
  // RFC 7617: the user-id must not contain control characters.
  if (/[\u0000-\u001f\u007f]/.test(user)) return undefined;
  return { user, password: text.slice(colon + 1) };
}

/**
 * The WWW-Authenticate value for a 401 (RFC 7617 section 2): the realm as a
 * quoted-string, backslash-escaping `"` and `\`, control characters dropped.
 */
export function basicChallenge(realm: string): string {
  const clean = realm.replace(/[\u0000-\u001f\u007f]/g, "").replace(/["\\]/g, (c) => `\\${c}`);
  return `Basic realm="${clean}", charset="UTF-8"`;
}
