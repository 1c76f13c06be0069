// The canary and session-affinity annotations of one Ingress, compiled
// (policy/canary-config.ts, policy/affinity-config.ts) into the native
// blocks the merged document carries: `affinity` on each of its paths, and
// for a canary Ingress a `canary` block placed on the main Ingress's path
// once every file is read (ingress-pairs.ts). Affinity is per path, not per
// pool: two Ingresses may send one Service sticky cookies of their own.
import { compileAffinitySpec, type AffinitySpec } from "../policy/affinity-config";
import { compileCanary } from "../policy/canary-config";
import { NGINX_PREFIX } from "./annotations";
import { CANARY_ANNOTATION_OF } from "./canary-native";
import { child, isRecord, type DocLocation } from "./locations";
import { addNote, addProblem, type CanaryPath, type MergeState } from "./merge-state";
import type { Problem } from "./types";

export interface IngressPolicies {
  /** A valid canary Ingress: its rules are not merged, its paths become canaries (ingress-pairs.ts). */
  readonly canary: boolean;
  /** The native `affinity` block for each of its paths (or its canaries). */
  readonly affinity: Readonly<Record<string, unknown>> | undefined;
}

/** Reads the canary and affinity annotations of one Ingress. */
export function readIngressPolicies(
  raw: Readonly<Record<string, unknown>>,
  paths: readonly CanaryPath[],
  hasRegexPaths: boolean,
  at: DocLocation,
  state: MergeState,
): IngressPolicies {
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) if (key.startsWith(NGINX_PREFIX) && typeof value === "string") annotations[key.slice(NGINX_PREFIX.length)] = value;
  const annotationAt = (name: string) => child(at, "metadata", "annotations", `${NGINX_PREFIX}${name}`);
  const report = (list: readonly Problem[], add: (at: DocLocation, message: string) => void) => list.forEach((p) => add(annotationAt(p.path), p.message));

  const compiled = compileAffinitySpec(annotations, { pathIsRegex: hasRegexPaths });
  if (!compiled.ok) report(compiled.problems, (a, m) => addProblem(state, a, m));
  else report(compiled.notes, (a, m) => addNote(state, a, m));
  const affinity = compiled.ok && compiled.spec !== undefined ? affinityBlock(compiled.spec) : undefined;

  const enabled = annotations["canary"]?.trim().toLowerCase();
  if (enabled === undefined || enabled === "false") {
    // Each canary annotation is refused where it is written (ingress-nginx refuses a canary configured but not enabled).
    const stray = Object.values(CANARY_ANNOTATION_OF).filter((name) => annotations[name] !== undefined);
    for (const name of stray) addProblem(state, annotationAt(name), 'has no effect without canary: "true" on this Ingress, and ingress-nginx refuses a canary configured but not enabled: set canary: "true", or remove it');
    if (stray.length > 0) return { canary: false, affinity };
  }
  const canary = compileCanary(annotations);
  if (!canary.ok) {
    report(canary.problems, (a, m) => addProblem(state, a, m));
    return { canary: annotations["canary"]?.trim().toLowerCase() === "true", affinity };
  }
  report(canary.notes, (a, m) => addNote(state, a, m));
  if (canary.rule === undefined) return { canary: false, affinity };
  const block: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(CANARY_ANNOTATION_OF)) {
    const value = annotations[name];
    if (value === undefined) continue;
    // A pattern beside a value is not used (noted above), as in ingress-nginx.
    if (field === "headerPattern" && annotations["canary-by-header-value"] !== undefined) continue;
    block[field] = field === "weight" || field === "weightTotal" ? Number(value.trim()) : value;
  }
  // ingress-nginx applies a canary Ingress's affinity annotations to the canary's backend.
  if (affinity !== undefined) block.affinity = affinity;
  state.canaries.push({ at: annotationAt("canary"), paths, block });
  return { canary: true, affinity };
}

/** The Ingress's rules with the affinity block on every path (copies; the manifest as read stays untouched). */
export function withAffinity(rules: readonly unknown[], affinity: Readonly<Record<string, unknown>> | undefined): readonly unknown[] {
  if (affinity === undefined) return rules;
  return rules.map((rule) =>
    isRecord(rule) && isRecord(rule.http) && Array.isArray(rule.http.paths)
      ? { ...rule, http: { ...rule.http, paths: rule.http.paths.map((p) => (isRecord(p) ? { ...p, affinity } : p)) } }
      : rule,
  );
}

/** The native affinity block for cookie affinity as the annotations set it. */
function affinityBlock(spec: AffinitySpec): Record<string, unknown> {
  const cookie: Record<string, unknown> = { name: spec.cookieName, mode: spec.mode };
  if (spec.path !== undefined) cookie.path = spec.path;
  if (spec.domain !== undefined) cookie.domain = spec.domain;
  if (spec.maxAgeSeconds !== undefined) cookie.maxAgeSeconds = spec.maxAgeSeconds;
  if (spec.expiresSeconds !== undefined) cookie.expiresSeconds = spec.expiresSeconds;
  if (spec.sameSite !== undefined) cookie.sameSite = spec.sameSite;
  if (spec.conditionalSameSiteNone) cookie.conditionalSameSiteNone = true;
  if (spec.secure !== undefined) cookie.secure = spec.secure;
  return { cookie };
}

