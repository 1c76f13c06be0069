// Checks that need every Ingress read first, because ingress-nginx applies
// them across Ingresses: a canary takes part of the traffic of another
// Ingress with its host and path, and use-regex "true" turns every path of
// its host, on any Ingress, into a regular expression.
import { child, formatLocation, isRecord, type DocLocation } from "./locations";
import { addProblem, type MergeState } from "./merge-state";
import { got } from "./messages";

interface IngressPath {
  readonly host: unknown;
  readonly path: unknown;
  readonly pathType: unknown;
  readonly at: DocLocation;
}

export function checkIngressPairs(state: MergeState): void {
  const paths = ingressPaths(state);
  for (const canary of state.canaries) {
    const mains = canary.paths.flatMap((c) => paths.filter((p) => p.host === c.host && p.path === c.path));
    if (mains.length === 0) {
      addProblem(state, canary.at,
        "refused: canary Ingresses are not built yet; no other Ingress has this one's host and path, so ingress-nginx would not use it as a canary either: remove the annotation to route it as an ordinary Ingress");
      continue;
    }
    const shared = mains.map((m) => `${formatLocation(m.at)} (host ${got(m.host ?? "*")}, path ${got(m.path)})`).join("; ");
    addProblem(state, canary.at,
      `refused: canary Ingresses are not built yet, and this one has the host and path of ${shared}: ingress-nginx would send part of its traffic here, edge-ingress would not. ` +
        "For a weighted split, put both services' origins in one pool with weights; else remove the canary Ingress");
  }
  for (const regex of state.regexIngresses) {
    const plain = paths.find((p) => regex.hosts.includes(p.host) && (p.pathType === "Exact" || p.pathType === "Prefix"));
    if (!plain) continue;
    addProblem(state, regex.at,
      `refused: ${regex.because === undefined ? 'with "true"' : `when ${regex.because} is set`}, ingress-nginx reads every path of host ${got(plain.host ?? "*")} as a case-insensitive regular expression, ` +
        `including the ${String(plain.pathType)} path ${got(plain.path)} at ${formatLocation(plain.at)}, which edge-ingress matches as written: ` +
        "make the host's paths ImplementationSpecific, or remove the annotation");
  }
}

/** Every path of every merged Ingress rule (native rules are edge-ingress's own, not ingress-nginx's). */
function ingressPaths(state: MergeState): IngressPath[] {
  const out: IngressPath[] = [];
  state.rules.forEach((rule, r) => {
    const source = state.ruleSources[r];
    if (source?.ingress === undefined || !isRecord(rule) || !isRecord(rule.http) || !Array.isArray(rule.http.paths)) return;
    rule.http.paths.forEach((p, i) => {
      if (isRecord(p)) out.push({ host: rule.host, path: p.path, pathType: p.pathType, at: child(source, "http", "paths", i) });
    });
  });
  return out;
}
