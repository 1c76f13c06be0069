// Credentials in health-check headers, as the CLI shows them: a value written
// as {secret: NAME} is shown as that reference (the value lives in a Worker
// secret and never passes through the CLI); a plain-text value of a
// credential-like header is shown as `<redacted, N chars>` and draws a
// `validate` warning recommending a secret.
import { locatePath, type MergeResult } from "../core/config/manifests";
import { joinPath } from "../core/config/messages";
import type { StoredConfig } from "../core/config/stored";
import type { Config, HeaderValue } from "../core/config/types";
import type { Warning } from "./warnings";

/** Names whose values are credentials: Authorization, Cookie, X-Api-Key, X-Auth-Token, ... */
const CREDENTIAL_NAME = /auth|token|secret|key|passw|session|cookie|signature|credential/i;

export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}

/** How a header value may be printed: the secret's name, a redaction, or the text itself. */
export function describeHeaderValue(name: string, value: HeaderValue): string {
  if (typeof value !== "string") return `{secret: ${value.secret}}`;
  return isCredentialHeader(name) ? `<redacted, ${value.length} chars>` : JSON.stringify(value);
}

/** One warning per plain-text credential in a health check. */
export function plainCredentialWarnings(config: Config, merge: MergeResult): Warning[] {
  const warnings: Warning[] = [];
  for (const pool of config.pools.values()) {
    for (const [name, value] of Object.entries(pool.healthCheck?.headers ?? {})) {
      if (typeof value !== "string" || !isCredentialHeader(name)) continue;
      const secret = `${pool.name}_${name}`.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
      warnings.push({
        at: locatePath(merge, joinPath(["pools", pool.name, "healthCheck", "headers", name])),
        message:
          "holds a credential in plain text, which is stored as is in KV and in every copy of this file; " +
          `keep it in a Worker secret instead: \`npx wrangler secret put ${secret}\`, then write {secret: ${secret}}`,
      });
    }
  }
  return warnings;
}

/**
 * The stored config with plain-text credential values replaced by
 * `<redacted, N chars>`, for printing (`apply --dry-run`). The second value
 * says whether anything was redacted.
 */
export function redactStoredConfig(entry: StoredConfig): [StoredConfig, boolean] {
  const [config, redacted] = redactDocument(entry.config);
  return [{ ...entry, config }, redacted];
}

function redactDocument(doc: unknown): [unknown, boolean] {
  const pools = field(doc, "pools");
  if (!isObject(pools)) return [doc, false];
  let redacted = false;
  const newPools: Record<string, unknown> = {};
  for (const [name, pool] of Object.entries(pools)) {
    const headers = field(field(pool, "healthCheck"), "headers");
    if (!isObject(headers)) {
      newPools[name] = pool;
      continue;
    }
    const newHeaders: Record<string, unknown> = {};
    for (const [header, value] of Object.entries(headers)) {
      const hide = typeof value === "string" && isCredentialHeader(header);
      redacted ||= hide;
      newHeaders[header] = hide ? `<redacted, ${value.length} chars>` : value;
    }
    const healthCheck = field(pool, "healthCheck") as Record<string, unknown>;
    newPools[name] = { ...(pool as Record<string, unknown>), healthCheck: { ...healthCheck, headers: newHeaders } };
  }
  return [{ ...(doc as Record<string, unknown>), pools: newPools }, redacted];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function field(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}
