// Checks that need every Ingress read first, because ingress-nginx applies
// them across Ingresses: a canary takes part of the traffic of another
// Ingress with its host and path (it becomes that path's `canary`), and
// use-regex "true" turns every path of its host, on any Ingress, into a
// regular expression (and without it, an ImplementationSpecific path is a
// plain prefix there, which a warning says).
import { child, formatLocation, isRecord, type DocLocation } from "./locations";
import { addProblem, addWarning, type MergeState } from "./merge-state";
import { got } from "./messages";

interface IngressPath {
  readonly host: unknown;
  readonly path: unknown;
  readonly pathType: unknown;
  readonly at: DocLocation;
  /** state.rules[rule].http.paths[index] */
  readonly rule: number;
  readonly index: number;
}

export function checkIngressPairs(state: MergeState): void {
  const paths = ingressPaths(state);
  pairCanaries(state, paths);
  for (const regex of state.regexIngresses) {
    const plain = paths.find((p) => regex.hosts.includes(p.host) && (p.pathType === "Exact" || p.pathType === "Prefix"));
    if (!plain) continue;
    addProblem(state, regex.at,
      `refused: ${regex.because === undefined ? 'with "true"' : `when ${regex.because} is set`}, ingress-nginx reads every path of host ${got(plain.host ?? "*")} as a case-insensitive regular expression, ` +
        `including the ${String(plain.pathType)} path ${got(plain.path)} at ${formatLocation(plain.at)}, which edge-ingress matches as written: ` +
        "make the host's paths ImplementationSpecific, or remove the annotation");
  }
  warnImplicitRegex(state, paths);
}

/**
 * edge-ingress reads an ImplementationSpecific path as a regular expression
 * (anchored, case-insensitive), which ingress-nginx does only on a host where
 * some Ingress sets use-regex "true" or a rewrite-target; elsewhere it
 * matches the path as a plain, case-sensitive prefix, so "/v1.0" would also
 * take "/v1x0" and "/V1.0" here. Said once per Ingress, naming its paths.
 */
function warnImplicitRegex(state: MergeState, paths: readonly IngressPath[]): void {
  const regexHosts = new Set(state.regexIngresses.flatMap((r) => r.hosts));
  const byIngress = new Map<string, { at: DocLocation; paths: string[] }>();
  for (const p of paths) {
    if (p.pathType !== "ImplementationSpecific" || typeof p.path !== "string" || regexHosts.has(p.host)) continue;
    const at: DocLocation = { ...p.at, segments: ["spec", "rules"] };
    const key = formatLocation(at);
    const entry = byIngress.get(key) ?? { at, paths: [] };
    entry.paths.push(JSON.stringify(p.path));
    byIngress.set(key, entry);
  }
  for (const { at, paths: listed } of byIngress.values()) {
    addWarning(state, at,
      `ImplementationSpecific paths ${listed.join(", ")} are read as regular expressions, anchored at the start and case-insensitive, as ingress-nginx reads them with use-regex: "true"; without it ingress-nginx matches them as plain, case-sensitive prefixes. Add the annotation to say you mean a regex, or use pathType Prefix`);
  }
}

/** Every path of every merged Ingress rule (native rules are edge-ingress's own, not ingress-nginx's). */
function ingressPaths(state: MergeState): IngressPath[] {
  const out: IngressPath[] = [];
  state.rules.forEach((rule, r) => {
    const source = state.ruleSources[r];
    if (source?.ingress === undefined || !isRecord(rule) || !isRecord(rule.http) || !Array.isArray(rule.http.paths)) return;
    rule.http.paths.forEach((p, i) => {
      if (isRecord(p)) out.push({ host: rule.host, path: p.path, pathType: p.pathType, at: child(source, "http", "paths", i), rule: r, index: i });
    });
  });
  return out;
}

/**
 * Each path of a canary Ingress becomes the `canary` of the main Ingress
 * path with its host and path (as ingress-nginx pairs them by location): the
 * canary's backend is the alternative the canary rule chooses per request.
 */
function pairCanaries(state: MergeState, paths: readonly IngressPath[]): void {
  const taken = new Map<string, DocLocation>();
  for (const canary of state.canaries) {
    for (const c of canary.paths) {
      const mains = paths.filter((p) => p.host === c.host && p.path === c.path);
      if (mains.length === 0) {
        addProblem(state, c.at,
          `no other Ingress has host ${got(c.host ?? "*")} and path ${got(c.path)}: a canary Ingress takes part of the traffic of a main Ingress with the same host and path, ` +
            `and there is none (ingress-nginx would not use it either). Add the main Ingress, or remove the canary annotations (${formatLocation(canary.at)}) to route it on its own`);
        continue;
      }
      for (const main of mains) {
        const key = `${main.rule} ${main.index}`;
        const earlier = taken.get(key);
        if (earlier !== undefined) {
          addProblem(state, c.at,
            `${formatLocation(main.at)} already has a canary, ${formatLocation(earlier)}: a path takes at most one canary Ingress (ingress-nginx uses only one). Merge the two canaries or remove one`);
          continue;
        }
        taken.set(key, c.at);
        attachCanary(state, main, { backend: c.backend, ...canary.block });
      }
    }
  }
}

/** Writes the canary onto a copy of the main path (the manifest as read stays untouched). */
function attachCanary(state: MergeState, main: IngressPath, canary: Readonly<Record<string, unknown>>): void {
  const rule = state.rules[main.rule] as Record<string, unknown> & { http: { paths: unknown[] } };
  const paths = rule.http.paths.map((p, i) => (i === main.index && isRecord(p) ? { ...p, canary } : p));
  state.rules[main.rule] = { ...rule, http: { ...rule.http, paths } };
}
