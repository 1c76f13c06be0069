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
export function readTls(tls: unknown, noRedirect: boolean, at: DocLocation, state: MergeState): void {
  if (!Array.isArray(tls) || tls.length === 0) return;
  const hosts = tls.flatMap((t) => (isRecord(t) && Array.isArray(t.hosts) ? t.hosts.filter((h) => typeof h === "string") : []));
  const redirect = noRedirect ? `not redirected (${SSL_REDIRECT}: "false")` : "redirected from HTTP to HTTPS (308)";
  addNote(state, at,
    `Cloudflare terminates TLS at the edge, so certificates are not needed; hosts ${hosts.join(", ") || "(none listed: nothing is redirected)"} are ${redirect}, ` +
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
