// Kubernetes DNS subdomains, in a module of its own: the filters' host
// names and the Ingress schema both check them, and the Ingress schema
// imports the filters.

/** RFC 1123 label, as Kubernetes validates host names (lower case only). */
const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS_SUBDOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`);

/** A Kubernetes DNS subdomain (object names, ingress classes, hosts without the "*."). */
export function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && DNS_SUBDOMAIN.test(name);
}
