// Compiles ingress-nginx's canary annotations (internal/ingress/annotations/
// canary; docs/user-guide/nginx-configuration/annotations.md "Canary") into a
// CanaryRule, reporting every problem. Where ingress-nginx logs a warning and
// falls back to a default, this refuses the value instead.
import type { Problem } from "../config/types";
import { compilePattern } from "../routing/pattern";
import type { CanaryRule } from "./canary";
import { COOKIE_NAME } from "./cookies";

/** The annotation names without the "nginx.ingress.kubernetes.io/" prefix. */
export type CanaryAnnotations = Readonly<Record<string, string | undefined>>;

export type CanaryResult =
  | { readonly ok: true; readonly rule: CanaryRule | undefined; readonly notes: readonly Problem[] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CANARY_KEYS = ["canary-by-header", "canary-by-header-value", "canary-by-header-pattern", "canary-by-cookie", "canary-weight", "canary-weight-total"];

/** `rule` is undefined when the Ingress is not a canary (canary unset or "false", and no other canary annotation). */
export function compileCanary(annotations: CanaryAnnotations, prefix = ""): CanaryResult {
  const problems: Problem[] = [];
  const notes: Problem[] = [];
  const at = (name: string) => `${prefix}${name}`;
  const bad = (name: string, message: string) => problems.push({ path: at(name), message: `${message}, got ${JSON.stringify(annotations[name])}` });

  const enabledText = annotations["canary"]?.trim().toLowerCase();
  if (enabledText !== undefined && enabledText !== "true" && enabledText !== "false") {
    bad("canary", 'must be "true" or "false"');
    return { ok: false, problems };
  }
  if (enabledText !== "true") {
    const others = CANARY_KEYS.filter((key) => annotations[key] !== undefined);
    if (others.length === 0) return { ok: true, rule: undefined, notes };
    const verb = others.length === 1 ? "is" : "are";
    problems.push({ path: at("canary"), message: `must be "true" when ${others.join(", ")} ${verb} set (ingress-nginx refuses a canary configured but not enabled)` });
    return { ok: false, problems };
  }

  const integer = (name: string, fallback: number, min: number): number => {
    const text = annotations[name];
    if (text === undefined) return fallback;
    if (!/^\d{1,9}$/.test(text.trim()) || Number(text.trim()) < min) {
      bad(name, `must be a whole number of at least ${min}`);
      return fallback;
    }
    return Number(text.trim());
  };
  const weight = integer("canary-weight", 0, 0);
  const weightTotal = integer("canary-weight-total", 100, 1);
  if (weightTotal < 100) {
    // balancer.lua uses max(100, total): a smaller total would silently mean percent.
    bad("canary-weight-total", "must be at least 100 (ingress-nginx treats a smaller total as 100)");
  }
  if (weight > weightTotal && weightTotal >= 100) notes.push({ path: at("canary-weight"), message: `${weight} is more than canary-weight-total ${weightTotal}: every request goes to the canary` });

  const header = annotations["canary-by-header"];
  if (header !== undefined && !TOKEN.test(header)) bad("canary-by-header", "must be a header name");
  const headerValue = annotations["canary-by-header-value"];
  const patternText = annotations["canary-by-header-pattern"];
  for (const name of ["canary-by-header-value", "canary-by-header-pattern"]) {
    if (annotations[name] !== undefined && header === undefined) problems.push({ path: at(name), message: "needs canary-by-header (the header whose value it tests)" });
    if (annotations[name] === "") bad(name, "must not be empty");
  }
  let headerPattern: CanaryRule["headerPattern"];
  if (patternText !== undefined && patternText !== "") {
    if (headerValue !== undefined) {
      notes.push({ path: at("canary-by-header-pattern"), message: "not used: canary-by-header-value is set and takes precedence, as in ingress-nginx" });
    } else {
      const compiled = compilePattern(patternText);
      if (typeof compiled === "string") bad("canary-by-header-pattern", compiled);
      else headerPattern = compiled;
    }
  }
  const cookie = annotations["canary-by-cookie"];
  if (cookie !== undefined && !COOKIE_NAME.test(cookie)) bad("canary-by-cookie", "must be a cookie name");

  if (problems.length > 0) return { ok: false, problems };
  const rule: CanaryRule = Object.freeze({
    weight,
    weightTotal,
    ...(header !== undefined && { header }),
    ...(headerValue !== undefined && { headerValue }),
    ...(headerPattern !== undefined && { headerPattern }),
    ...(cookie !== undefined && { cookie }),
  });
  return { ok: true, rule, notes };
}
