// The active value as `apply` writes it: still a StoredConfig (format 1, so
// any reader that knows only {format, version, appliedAt, config} reads it
// as before), led by a digest and the prepared form (prepared.ts), its head
// and then its lazy area:
//
//   {"digest":"<sha-256 hex>","preparedBytes":N,"prepared":{...},"lazy":[...],"format":1,"version":...,"config":{...}}
//
// The digest covers every byte (UTF-8) after its own field, so a value edited
// by hand (or truncated, or written by something else) fails it and goes
// through full validation, as before; a value that passes was written by
// `apply`, which validated it. The Worker reads the value as bytes, hashes
// them (Web Crypto, native) and decodes and parses only the head (the N bytes
// after `"prepared":`); the lazy area's items are decoded one by one when
// first used, and the native document never. In workerd, decoding a whole
// value to text and encoding it back for the hash cost more than the hash
// itself (BENCHMARKS.md).
import { decodePrepared, encodePrepared } from "./prepared";
import { lazyItemsOf } from "./prepared-packed";
import { STORED_FORMAT, type StoredConfig, type ValidStored } from "./stored";
import type { Config } from "./types";

const HEAD = '{"digest":"';
const DIGEST_HEX = 64;
const SIZE = '","preparedBytes":';
const PREPARED = ',"prepared":';
const LAZY = ',"lazy":';
/** Where the digest's coverage starts. */
const GUARDED_AT = HEAD.length + DIGEST_HEX;
/** Longer than any head: `preparedBytes` is a safe integer. */
const MAX_HEAD_BYTES = GUARDED_AT + SIZE.length + 16 + PREPARED.length;

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
  const preparedText = JSON.stringify({ ...prepared.head, format: stored.format ?? 1, version: stored.version, appliedAt: stored.appliedAt });
  const envelope = JSON.stringify(stored);
  const guarded = `${SIZE}${utf8.encode(preparedText).length}${PREPARED}${preparedText}${LAZY}${prepared.lazy},${envelope.slice(1)}`;
  const digest = await sha256Hex(guarded);
  return { text: `${HEAD}${digest}${guarded}`, digest };
}

/** The digest a value claims in its first characters (not checked), or undefined when it has none. */
export function claimedDigest(text: string): string | undefined {
  if (!text.startsWith(HEAD) || !text.startsWith(SIZE, GUARDED_AT)) return undefined;
  return text.slice(HEAD.length, GUARDED_AT);
}

/** claimedDigest of a value read as bytes. */
export function claimedDigestOf(bytes: Uint8Array): string | undefined {
  return claimedDigest(headOf(bytes));
}

/** The digest of a value read as bytes when it is the digest the value claims, else undefined (no digest, or a value changed since). */
export async function verifiedDigest(bytes: Uint8Array): Promise<string | undefined> {
  const claimed = claimedDigestOf(bytes);
  if (claimed === undefined) return undefined;
  return (await sha256Hex(bytes.subarray(GUARDED_AT))) === claimed ? claimed : undefined;
}

/**
 * The config of a value `apply` wrote, read from its prepared form; undefined
 * for any other value (no digest, a digest that does not match, a prepared
 * form this Worker does not know): the caller then validates it in full.
 * `digest` is verifiedDigest(bytes), when the caller has it already.
 */
export async function readFastStored(bytes: Uint8Array, digest?: string): Promise<FastStored | undefined> {
  const verified = digest ?? (await verifiedDigest(bytes));
  if (verified === undefined) return undefined;
  const head = headOf(bytes);
  const sizeAt = GUARDED_AT + SIZE.length;
  const sizeEnd = head.indexOf(",", sizeAt);
  const size = Number(head.slice(sizeAt, sizeEnd));
  if (sizeEnd < 0 || !Number.isSafeInteger(size) || !head.startsWith(PREPARED, sizeEnd)) return undefined;
  const preparedAt = sizeEnd + PREPARED.length;
  const lazyAt = preparedAt + size + LAZY.length;
  if (ascii(bytes, preparedAt + size, lazyAt) !== LAZY) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(utf8Decoder.decode(bytes.subarray(preparedAt, preparedAt + size)));
  } catch {
    return undefined;
  }
  const config = decodePrepared(value, lazyItemsOf(bytes, lazyAt));
  const { format, version, appliedAt } = value as { format?: unknown; version?: unknown; appliedAt?: unknown };
  // A newer format is refused by name on the full path.
  if (format !== STORED_FORMAT || !config || typeof version !== "string" || typeof appliedAt !== "string") return undefined;
  return { ok: true, version, appliedAt, config, digest: verified };
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", typeof data === "string" ? utf8.encode(data) : data));
  let hex = "";
  for (const byte of hash) hex += (byte < 16 ? "0" : "") + byte.toString(16);
  return hex;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** bytes[from, to) as text (native: a new isolate runs JavaScript in its interpreter); the head is ASCII in any value that has one. */
function ascii(bytes: Uint8Array, from: number, to: number): string {
  return utf8Decoder.decode(bytes.subarray(from, to));
}

/** The first bytes of a value, as far as a head can reach. */
const headOf = (bytes: Uint8Array): string => ascii(bytes, 0, Math.min(bytes.length, MAX_HEAD_BYTES));
