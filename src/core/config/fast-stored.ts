// The active value as `apply` writes it: still a StoredConfig (format 1, so
// any reader that knows only {format, version, appliedAt, config} reads it
// as before), led by a digest and the prepared form:
//
//   {"digest":"<sha-256 hex>","preparedChars":N,"prepared":{...},"format":1,"version":...,"config":{...}}
//
// The digest covers every character after its own field, so a value edited by
// hand (or truncated, or written by something else) fails it and goes through
// full validation, as before; a value that passes was written by `apply`,
// which validated it, and only its prepared form is parsed (the N characters
// after `"prepared":`), never the native document. Hashing is native (Web
// Crypto) and costs about a millisecond per megabyte.
import { decodePrepared, encodePrepared } from "./prepared";
import { STORED_FORMAT, type StoredConfig, type ValidStored } from "./stored";
import type { Config } from "./types";

const HEAD = '{"digest":"';
const DIGEST_HEX = 64;
const CHARS = '","preparedChars":';
const PREPARED = ',"prepared":';

/** A CLI-written value, checked and decoded without validation. */
export interface FastStored extends ValidStored {
  readonly digest: string;
}

/**
 * The text `apply` and `rollback` write for `stored`, whose document parsed
 * as `config`. Without a prepared form (see prepared.ts) it is the plain
 * StoredConfig, which readers validate in full; `digest` is then undefined.
 */
export async function storedText(stored: StoredConfig, config: Config | undefined): Promise<{ readonly text: string; readonly digest: string | undefined }> {
  const prepared = config && encodePrepared(config);
  if (!prepared) return { text: JSON.stringify(stored), digest: undefined };
  const preparedText = JSON.stringify({ ...prepared, format: stored.format ?? 1, version: stored.version, appliedAt: stored.appliedAt });
  const envelope = JSON.stringify(stored);
  const guarded = `${CHARS}${preparedText.length}${PREPARED}${preparedText},${envelope.slice(1)}`;
  const digest = await sha256Hex(guarded);
  return { text: `${HEAD}${digest}${guarded}`, digest };
}

/** The digest a value claims in its first characters (not checked), or undefined when it has none. */
export function claimedDigest(text: string): string | undefined {
  if (!text.startsWith(HEAD) || !text.startsWith(CHARS, HEAD.length + DIGEST_HEX)) return undefined;
  return text.slice(HEAD.length, HEAD.length + DIGEST_HEX);
}

/**
 * The config of a value `apply` wrote, read from its prepared form; undefined
 * for any other value (no digest, a digest that does not match, a prepared
 * form this Worker does not know): the caller then validates it in full.
 */
export async function readFastStored(text: string): Promise<FastStored | undefined> {
  const digest = claimedDigest(text);
  if (digest === undefined) return undefined;
  const guardedAt = HEAD.length + DIGEST_HEX;
  const countAt = guardedAt + CHARS.length;
  const countEnd = text.indexOf(",", countAt);
  const chars = Number(text.slice(countAt, countEnd));
  if (countEnd < 0 || !Number.isSafeInteger(chars) || !text.startsWith(PREPARED, countEnd)) return undefined;
  if ((await sha256Hex(text.slice(guardedAt))) !== digest) return undefined;
  const preparedAt = countEnd + PREPARED.length;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(preparedAt, preparedAt + chars));
  } catch {
    return undefined;
  }
  const config = decodePrepared(value);
  const { format, version, appliedAt } = value as { format?: unknown; version?: unknown; appliedAt?: unknown };
  // A newer format is refused by name on the full path.
  if (format !== STORED_FORMAT || !config || typeof version !== "string" || typeof appliedAt !== "string") return undefined;
  return { ok: true, version, appliedAt, config, digest };
}

export async function sha256Hex(text: string): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  let hex = "";
  for (const byte of hash) hex += (byte < 16 ? "0" : "") + byte.toString(16);
  return hex;
}
