// A rule path's `canary` block (native config) compiled into the canary
// rule the request path decides with (policy/canary.ts). The checks are
// compileCanary's, shared with the canary annotations: this maps the native
// field names to the annotation names and the problems back.
import { compileCanary } from "../policy/canary-config";
import type { CanaryRule } from "../policy/canary";
import type { RawCanary } from "./ingress-schema";
import type { Problem } from "./types";

/** Native field -> canary annotation, in the order ingress-nginx documents them. */
export const CANARY_ANNOTATION_OF = {
  header: "canary-by-header",
  headerValue: "canary-by-header-value",
  headerPattern: "canary-by-header-pattern",
  cookie: "canary-by-cookie",
  weight: "canary-weight",
  weightTotal: "canary-weight-total",
} as const;

export function compileNativeCanary(raw: RawCanary, at: string, problems: Problem[]): CanaryRule | undefined {
  const annotations: Record<string, string> = { canary: "true" };
  for (const [field, name] of Object.entries(CANARY_ANNOTATION_OF)) {
    const value = raw[field as keyof typeof CANARY_ANNOTATION_OF];
    if (value !== undefined) annotations[name] = String(value);
  }
  const compiled = compileCanary(annotations);
  if (compiled.ok) return compiled.rule;
  const fields = Object.entries(CANARY_ANNOTATION_OF).sort((a, b) => b[1].length - a[1].length);
  for (const p of compiled.problems) {
    const field = fields.find(([, name]) => name === p.path)?.[0] ?? p.path;
    // The message names annotations ("needs canary-by-header"): say the native fields instead.
    const message = fields.reduce((text, [f, name]) => text.replaceAll(name, f), p.message);
    problems.push({ path: `${at}.${field}`, message });
  }
  return undefined;
}
