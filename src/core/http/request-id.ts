// X-Request-Id: a client may bring its own so that its logs and ours agree,
// but the value is reflected (to the origin, in the router's own answers, in
// log lines), so only a short id of plain characters is accepted. Anything
// else is replaced, never trimmed: a mangled id would match nothing anyway.

/** Longest client id kept; a UUID is 36, a W3C trace id 32. */
export const MAX_REQUEST_ID_LENGTH = 200;

/** Letters, digits and the punctuation of UUIDs, ULIDs, base64 and base64url: nothing that quotes, separates or escapes. */
const SAFE_ID = /^[A-Za-z0-9._~:+/=-]+$/;

/** The client's X-Request-Id when it is 1 to 200 safe characters, else a fresh one from `generate`. */
export function acceptRequestId(value: string | null | undefined, generate: () => string): string {
  if (value && value.length <= MAX_REQUEST_ID_LENGTH && SAFE_ID.test(value)) return value;
  return generate();
}
