// What edge-ingress keeps of an Ingress besides its rules, and what it says
// about its tls section: the record goes into the stored config (so changing
// an annotation or tls is a new version that apply shows and writes).
import { SSL_REDIRECT } from "./ingress-annotations";
import { isRecord, type DocLocation } from "./locations";
import { addNote, type MergeState } from "./merge-state";
import type { IngressRecord } from "./types";

/** kubectl's copy of the whole manifest: not stored, since the manifest itself is. */
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/**
 * Cloudflare terminates TLS, so certificates are not needed; the tls hosts
 * are redirected to HTTPS and get HSTS as ingress-nginx does
 * (ingress-policies.ts): a note says so, naming the hosts.
 */
export function readTls(tls: unknown, rules: unknown, noRedirect: boolean, at: DocLocation, state: MergeState): void {
  if (!Array.isArray(tls) || tls.length === 0) return;
  // ingress-nginx gives every host of the Ingress's rules a certificate, listed in a tls entry or not (ingress-tls.ts).
  const hosts = Array.isArray(rules) ? [...new Set(rules.flatMap((r) => (isRecord(r) && typeof r.host === "string" ? [r.host.toLowerCase()] : [])))] : [];
  addNote(state, at,
    `Cloudflare terminates TLS at the edge, so certificates are not needed; hosts ${hosts.join(", ") || "(none: no rule names a host)"} serve HTTPS, as ingress-nginx gives them a certificate: ` +
      `their paths are redirected from HTTP to HTTPS (308), whichever Ingress they come from, unless it sets ${SSL_REDIRECT}: "false"${noRedirect ? ", as this one does" : ""}, ` +
      "and HTTPS responses carry Strict-Transport-Security: max-age=31536000; includeSubDomains (ingress-nginx's ConfigMap defaults)");
}

/** What the stored config keeps of the manifest besides its rules, so that changing it is a new version. */
export function ingressRecord(metadata: Record<string, unknown>, annotations: Record<string, unknown>, tls: unknown): IngressRecord {
  const kept = Object.entries(annotations).filter(([key, value]) => key !== LAST_APPLIED && typeof value === "string") as [string, string][];
  return {
    name: metadata.name as string,
    ...(typeof metadata.namespace === "string" ? { namespace: metadata.namespace } : {}),
    ...(kept.length > 0 ? { annotations: Object.fromEntries(kept) } : {}),
    ...(Array.isArray(tls) && tls.length > 0 ? { tls: tls as IngressRecord["tls"] } : {}),
  };
}
