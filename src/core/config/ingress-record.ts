// What edge-ingress keeps of an Ingress besides its rules, and what it says
// about its tls section: the record goes into the stored config (so changing
// an annotation or tls is a new version that apply shows and writes).
import { SSL_REDIRECT } from "./ingress-annotations";
import { isRecord, type DocLocation } from "./locations";
import { addNote, addWarning, type MergeState } from "./merge-state";
import type { IngressRecord } from "./types";

/** kubectl's copy of the whole manifest: not stored, since the manifest itself is. */
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/**
 * Cloudflare terminates TLS, so certificates are not needed; but ingress-nginx
 * redirects HTTP to HTTPS for TLS hosts unless ssl-redirect is "false", and
 * edge-ingress does not build that redirect yet.
 */
export function readTls(tls: unknown, noRedirect: boolean, at: DocLocation, state: MergeState): void {
  if (!Array.isArray(tls) || tls.length === 0) return;
  if (noRedirect) return addNote(state, at, "ignored: Cloudflare terminates TLS at the edge, so certificates are not needed");
  const hosts = tls.flatMap((t) => (isRecord(t) && Array.isArray(t.hosts) ? t.hosts.filter((h) => typeof h === "string") : []));
  addWarning(state, at,
    "Cloudflare terminates TLS at the edge, so certificates are not needed, but ingress-nginx redirects HTTP to HTTPS for TLS hosts by default " +
      `(${hosts.join(", ") || "no hosts listed"}), and that redirect is not built yet: plain HTTP requests are proxied as they are. ` +
      `Turn on "Always Use HTTPS" for the zone in Cloudflare, or set ${SSL_REDIRECT}: "false" if no redirect is wanted`);
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
