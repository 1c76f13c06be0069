// Who may see the status page: whoever presents the STATUS_TOKEN secret, as
// a bearer token (scripts, curl) or as the password of HTTP Basic auth (any
// user name; browsers, phones). Compared in constant time (Hono's
// timingSafeEqual hashes both sides first, so lengths leak nothing either).
import { auth as basicAuth } from "hono/utils/basic-auth";
import { timingSafeEqual } from "hono/utils/buffer";

/** Shorter secrets leave the page off: a guessable token would expose the origins' addresses. */
export const MIN_TOKEN_CHARS = 16;

export type Access = "granted" | "denied" | "off" | "weak-token";

export async function checkAccess(request: Request, secret: string | undefined): Promise<Access> {
  // `wrangler secret put` takes what is typed or piped, often with a newline.
  const token = secret?.trim() ?? "";
  if (token === "") return "off";
  if (token.length < MIN_TOKEN_CHARS) return "weak-token";
  const presented = presentedToken(request);
  if (presented === undefined) return "denied";
  return (await timingSafeEqual(presented, token)) ? "granted" : "denied";
}

function presentedToken(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  if (header === null) return undefined;
  const bearer = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1];
  return basicAuth(request)?.password;
}
