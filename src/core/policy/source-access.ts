// Client-address access control as ingress-nginx applies its
// denylist-source-range and whitelist-source-range (alias
// allowlist-source-range) annotations. Its nginx.tmpl emits, per location,
//   deny <each denylist entry>;  allow <each allowlist entry>;  deny all;
// (the last two only when an allow list is set), and nginx's access module
// (ngx_http_access_module: "rules are checked in sequence until the first
// match is found") therefore gives:
//   1. in the deny list                  -> denied (deny wins over allow);
//   2. an allow list is set: in it       -> allowed, else denied;
//   3. no allow list                     -> allowed.
// A client address that is missing or unparseable (never the case behind
// Cloudflare, where CF-Connecting-IP is always set; possible in tests or
// behind a misconfigured chain) is DENIED whenever either list is set: an
// allow list cannot vouch for it, and a deny list cannot rule it out, so we
// fail closed rather than let a stripped address walk past a block list.
// Denied requests get 403, as nginx's allow/deny.
import type { Problem } from "../config/types";
import { parseIp } from "./ip";
import { parseAddressList, type AddressList } from "./cidr";

export interface SourceAccessSpec {
  /** Raw `whitelist-source-range` / `allowlist-source-range` value, if set. */
  readonly allow?: string;
  /** Raw `denylist-source-range` value, if set. */
  readonly deny?: string;
}

export type AccessVerdict = "allowed" | "denied";

export interface SourceAccess {
  /**
   * The verdict for one client address (CF-Connecting-IP as received).
   * Missing or unparseable addresses are denied (see the file comment). Never throws.
   */
  check(clientAddress: string | null | undefined): AccessVerdict;
  readonly allow?: AddressList;
  readonly deny?: AddressList;
}

export type SourceAccessResult =
  | { readonly ok: true; readonly access: SourceAccess; readonly notes: readonly Problem[] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** Field names used in problem paths; callers may pass the annotation keys they read. */
export interface SourceAccessPaths {
  readonly allow: string;
  readonly deny: string;
}

const DEFAULT_PATHS: SourceAccessPaths = { allow: "whitelist-source-range", deny: "denylist-source-range" };

/** Compiles both lists once; every bad entry of either list is reported. Never throws. */
export function compileSourceAccess(spec: SourceAccessSpec, paths: SourceAccessPaths = DEFAULT_PATHS): SourceAccessResult {
  const problems: Problem[] = [];
  const notes: Problem[] = [];
  const compileOne = (text: string | undefined, path: string): AddressList | undefined => {
    if (text === undefined) return undefined;
    const result = parseAddressList(text, path);
    if (!result.ok) {
      problems.push(...result.problems);
      return undefined;
    }
    notes.push(...result.notes);
    return result.list;
  };
  const allow = compileOne(spec.allow, paths.allow);
  const deny = compileOne(spec.deny, paths.deny);
  if (problems.length > 0) return { ok: false, problems };
  const check = (clientAddress: string | null | undefined): AccessVerdict => {
    if (allow === undefined && deny === undefined) return "allowed";
    const address = parseIp(clientAddress);
    if (address === undefined) return "denied";
    if (deny?.containsAddress(address)) return "denied";
    if (allow !== undefined) return allow.containsAddress(address) ? "allowed" : "denied";
    return "allowed";
  };
  return { ok: true, access: Object.freeze({ check, allow, deny }), notes };
}
