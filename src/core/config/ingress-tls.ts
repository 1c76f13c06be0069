// Which hosts serve HTTPS, decided as ingress-nginx decides it, across every
// Ingress: a host gets a certificate from each Ingress that has a non-empty
// spec.tls and a rule for it (the secret of the tls entry that lists the
// host, else the controller's default certificate: createServers in its
// controller.go). Every path on such a host is then redirected to HTTPS,
// unless its own Ingress says ssl-redirect: "false", and its HTTPS answers
// carry HSTS, whichever Ingress the path comes from. So the set is read from
// every document before any Ingress's paths get their filters.
import { ingressClassOf } from "./ingress-api-rules";
import { isRecord } from "./locations";

/** The lower-case hosts of the rules of every Ingress (of `ingressClass`, when given) that has a non-empty spec.tls. */
export function tlsHostsOf(documents: readonly unknown[], ingressClass: string | undefined, apiVersion: string): ReadonlySet<string> {
  const hosts = new Set<string>();
  const visit = (value: unknown): void => {
    if (!isRecord(value)) return;
    if ((value.kind === "List" || value.kind === "IngressList") && Array.isArray(value.items)) return value.items.forEach(visit);
    if (value.kind !== "Ingress" || value.apiVersion !== apiVersion || !isRecord(value.spec)) return;
    const { spec } = value;
    const annotations = isRecord(value.metadata) && isRecord(value.metadata.annotations) ? value.metadata.annotations : {};
    if (ingressClass !== undefined && ingressClassOf(spec, annotations) !== ingressClass) return;
    if (!Array.isArray(spec.tls) || spec.tls.length === 0 || !Array.isArray(spec.rules)) return;
    for (const rule of spec.rules) if (isRecord(rule) && typeof rule.host === "string") hosts.add(rule.host.toLowerCase());
  };
  documents.forEach(visit);
  return hosts;
}
