// htpasswd files as nginx's auth_basic_user_file reads them, which is what
// ingress-nginx's auth-type: basic with auth-secret-type auth-file (the
// Secret's "auth" key) produces; auth-map Secrets (user -> hash) are the same
// entries without the file syntax. Format (nginx docs): one "name:password"
// or "name:password:comment" per line, "#" starts a comment line; nginx uses
// the first line whose name matches (case-sensitive), so a later duplicate is
// reported and ignored. CRLF line ends are accepted.
// Compile once per config version; verify() per request (see verify-cache.ts
// to pay a bcrypt verification once per isolate and user).
import type { Problem } from "../config/types";
import { parsePasswordHash, type HashScheme, type PasswordHash } from "./password-hash";

export interface HtpasswdOptions {
  /** Prefix of problem paths, e.g. `ingresses.app.annotations["auth-secret"]`. */
  readonly path?: string;
  /** Refuse weak schemes (apr1, $1$, {SHA}, {SSHA}) instead of noting them. Default false. */
  readonly refuseWeak?: boolean;
}

export interface HtpasswdEntry {
  readonly user: string;
  readonly hash: PasswordHash;
  /** The exact stored hash text; part of the verification cache key, so a changed password is re-verified. */
  readonly hashText: string;
}

export interface Htpasswd {
  readonly users: readonly string[];
  /** The entry nginx would use for this user, if any. */
  entry(user: string): HtpasswdEntry | undefined;
  /** Is this password right for this user? Unknown users are refused without hashing, as nginx. Never throws. */
  verify(user: string, password: string): boolean;
}

export type HtpasswdResult =
  | { readonly ok: true; readonly htpasswd: Htpasswd; readonly notes: readonly Problem[] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** Parses the text of an htpasswd file. Every bad line is reported; nothing secret is echoed. */
export function parseHtpasswd(text: unknown, options: HtpasswdOptions = {}): HtpasswdResult {
  const base = options.path ?? "htpasswd";
  if (typeof text !== "string") return { ok: false, problems: [{ path: base, message: `must be the text of an htpasswd file, got ${typeof text}` }] };
  const candidates: Candidate[] = [];
  const lineProblems: Problem[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "" || line.startsWith("#")) return;
    const colon = line.indexOf(":");
    if (colon <= 0) {
      lineProblems.push({ path: `${base} line ${index + 1}`, message: colon === 0 ? "empty user name" : 'expected "user:hash"' });
      return;
    }
    const rest = line.slice(colon + 1);
    const end = rest.indexOf(":"); // an optional ":comment" follows the hash
    candidates.push({ user: line.slice(0, colon), hashText: end === -1 ? rest : rest.slice(0, end), path: `${base} line ${index + 1}` });
  });
  const compiled = compileEntries(candidates, options.refuseWeak ?? false);
  const problems = [...lineProblems, ...compiled.problems].sort((a, b) => lineNumber(a.path) - lineNumber(b.path));
  if (problems.length > 0) return { ok: false, problems };
  if (compiled.entries.size === 0) return { ok: false, problems: [{ path: base, message: "no users: every request would be refused" }] };
  return { ok: true, htpasswd: build(compiled.entries), notes: compiled.notes };
}

/** Builds from an auth-map (user -> hash), as ingress-nginx's auth-secret-type: auth-map. */
export function htpasswdFromMap(map: Readonly<Record<string, string>>, options: HtpasswdOptions = {}): HtpasswdResult {
  const base = options.path ?? "auth-map";
  const compiled = compileEntries(Object.entries(map).map(([user, hashText]) => ({ user, hashText: String(hashText).trim(), path: `${base}[${JSON.stringify(user)}]` })), options.refuseWeak ?? false);
  if (compiled.problems.length > 0) return { ok: false, problems: compiled.problems };
  if (compiled.entries.size === 0) return { ok: false, problems: [{ path: base, message: "no users: every request would be refused" }] };
  return { ok: true, htpasswd: build(compiled.entries), notes: compiled.notes };
}

interface Candidate {
  readonly user: string;
  readonly hashText: string;
  readonly path: string;
}

function compileEntries(candidates: readonly Candidate[], refuseWeak: boolean) {
  const entries = new Map<string, HtpasswdEntry>();
  const problems: Problem[] = [];
  const notes: Problem[] = [];
  const weakBy = new Map<HashScheme, number>();
  for (const { user, hashText, path } of candidates) {
    if (user === "") {
      problems.push({ path, message: "empty user name" });
      continue;
    }
    const hash = parsePasswordHash(hashText);
    if (typeof hash === "string") {
      problems.push({ path, message: `user ${JSON.stringify(user)}: ${hash}` });
      continue;
    }
    if (hash.weak && refuseWeak) {
      problems.push({ path, message: `user ${JSON.stringify(user)}: weak ${hash.scheme} hash refused; store a bcrypt hash (htpasswd -B)` });
      continue;
    }
    if (entries.has(user)) {
      notes.push({ path, message: `user ${JSON.stringify(user)} appears again; only the first line counts, as in nginx` });
      continue;
    }
    if (hash.weak) {
      weakBy.set(hash.scheme, (weakBy.get(hash.scheme) ?? 0) + 1);
      notes.push({ path, message: `user ${JSON.stringify(user)}: weak ${hash.scheme} hash (fast to guess offline); re-hash with bcrypt (htpasswd -B)` });
    }
    entries.set(user, Object.freeze({ user, hash, hashText }));
  }
  return { entries, problems, notes };
}

function build(entries: ReadonlyMap<string, HtpasswdEntry>): Htpasswd {
  return Object.freeze({
    users: Object.freeze([...entries.keys()]),
    entry: (user: string) => (typeof user === "string" ? entries.get(user) : undefined),
    verify(user: string, password: string): boolean {
      const entry = typeof user === "string" ? entries.get(user) : undefined;
      return entry !== undefined && entry.hash.verify(password);
    },
  });
}

function lineNumber(path: string): number {
  const match = / line (\d+)$/.exec(path);
  return match === null ? 0 : Number(match[1]);
}
