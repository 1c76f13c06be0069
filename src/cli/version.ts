// The version of a config: a content hash of its canonical JSON, so the same
// document gives the same version whatever the files' key order, comments or
// formatting, and apply can tell "nothing changed" without writing.
import { createHash } from "node:crypto";

/** JSON with object keys sorted at every level; arrays keep their order (rule order matters). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** First 12 hex digits of the SHA-256 of the canonical JSON. */
export function configVersion(document: unknown): string {
  return createHash("sha256").update(canonicalJson(document)).digest("hex").slice(0, 12);
}
