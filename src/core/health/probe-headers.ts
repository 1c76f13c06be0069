// The headers one probe sends: text as written, secrets read from the Worker
// env when the probe is sent (so a rotated secret is used at the next run),
// every value checked by the HTTP field grammar before fetch() sees it. A
// problem becomes the probe's failure reason, naming the secret or header,
// never its value.
import type { HealthCheckSpec } from "../config/types";
import { fieldValueProblem } from "../http/field-syntax";

/** Reads a Worker env entry by name: a secret is a string there. */
export type SecretLookup = (name: string) => unknown;

export type ResolvedProbeHeaders =
  | { readonly ok: true; readonly headers: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly reason: string; readonly secret?: string };

export function resolveProbeHeaders(headers: HealthCheckSpec["headers"], secret: SecretLookup): ResolvedProbeHeaders {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === "string") {
      // Only a config read leniently from KV can still hold a bad text value.
      const problem = fieldValueProblem(value);
      if (problem) return { ok: false, reason: `header ${name} is not a valid header value: ${problem}` };
      resolved[name] = value;
      continue;
    }
    const found = secret(value.secret);
    if (found === undefined || found === null) return { ok: false, secret: value.secret, reason: `secret ${value.secret} is not set` };
    if (typeof found !== "string") {
      return { ok: false, secret: value.secret, reason: `secret ${value.secret} is not a text secret (it is a binding of another kind)` };
    }
    const problem = fieldValueProblem(found);
    if (problem) return { ok: false, secret: value.secret, reason: `secret ${value.secret} is not a valid header value: ${problem}` };
    resolved[name] = found;
  }
  return { ok: true, headers: resolved };
}
