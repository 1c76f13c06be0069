// Raw (as written) schema of the Kubernetes networking.k8s.io/v1 IngressSpec
// parts edge-ingress reads: rules, paths and backends. The native document and
// Ingress manifests share it, so both are validated the same way.
// Field names and constraints follow the Kubernetes API reference for Ingress.
import * as v from "valibot";
import { got } from "./messages";

/** RFC 1123 label, as Kubernetes validates host names (lower case only). */
const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS_SUBDOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`);
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** A Kubernetes Service name (RFC 1035 label); pools share the rule so manifests can name them. */
const POOL_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export function isPoolName(name: string): boolean {
  return name.length <= 63 && POOL_NAME.test(name);
}

/** A Kubernetes DNS subdomain (object names, ingress classes, hosts without the "*."). */
export function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && DNS_SUBDOMAIN.test(name);
}

export function hostProblem(host: string): string | undefined {
  if (host.includes(":")) return `must be a host name without port or scheme, got ${got(host)}`;
  if (IPV4.test(host)) return `must be a DNS name, not an IP address (as Kubernetes requires), got ${got(host)}`;
  const name = host.startsWith("*.") ? host.slice(2) : host;
  if (!isDnsSubdomain(name)) {
    return `must be a lower-case DNS name, optionally starting with "*." (e.g. "api.example.com", "*.example.com"), got ${got(host)}`;
  }
  return undefined;
}

const poolName = v.pipe(
  v.string((i) => `must be a string, got ${got(i.input)}`),
  v.check(
    isPoolName,
    (i) => `must be a lower-case name of letters, digits and "-" (a Kubernetes Service name), got ${got(i.input)}`,
  ),
);

const portNumberMessage = (i: { input: unknown }) => `must be a port number from 1 to 65535, got ${got(i.input)}`;
const servicePort = v.strictObject(
  {
    number: v.optional(v.pipe(v.number(portNumberMessage), v.integer(portNumberMessage), v.minValue(1, portNumberMessage), v.maxValue(65535, portNumberMessage))),
    name: v.optional(v.string((i) => `must be a port name, got ${got(i.input)}`)),
  },
  (i) => `must be an object with "number" or "name", got ${got(i.input)}`,
);

export const ingressBackend = v.pipe(
  v.strictObject(
    {
      service: v.optional(
        v.strictObject({
          name: v.pipe(poolName, v.description("Name of the pool that serves this backend.")),
          port: v.optional(v.pipe(servicePort, v.description("Accepted for Kubernetes compatibility and ignored."))),
        }),
      ),
      resource: v.optional(
        v.strictObject({
          apiGroup: v.optional(v.string()),
          kind: v.string(),
          name: v.pipe(poolName, v.description("Name of the pool that serves this backend.")),
        }),
      ),
    },
    (i) => `must be an object with "service" or "resource", got ${got(i.input)}`,
  ),
  v.check(
    (b) => (b.service === undefined) !== (b.resource === undefined),
    'must set exactly one of "service" and "resource"',
  ),
);

export const pathTypes = ["Exact", "Prefix", "ImplementationSpecific"] as const;

export const httpIngressPath = v.strictObject({
  path: v.optional(
    v.pipe(
      v.string((i) => `must be a string, got ${got(i.input)}`),
      v.description("Exact/Prefix: an absolute path. ImplementationSpecific: a regular expression anchored at the start, case-insensitive."),
    ),
  ),
  pathType: v.picklist(
    pathTypes,
    (i) => `must be one of Exact, Prefix, ImplementationSpecific, got ${got(i.input)}`,
  ),
  backend: ingressBackend,
  // edge-ingress's own: filters on an Ingress-style path (authentication), written as on an HTTPRoute rule.
  filters: v.optional(
    v.pipe(
      v.array(v.looseObject({ type: v.string((i) => `must be a filter type, got ${got(i.input)}`) }), (i) => `must be a list of filters, got ${got(i.input)}`),
      v.description('edge-ingress only: BasicAuth or ExternalAuth filters for this path, written as on an HTTPRoute rule ({type: BasicAuth, basicAuth: {...}}). Ingress auth annotations become these.'),
    ),
  ),
});

export const ingressRule = v.strictObject({
  host: v.optional(
    v.pipe(
      v.string((i) => `must be a string, got ${got(i.input)}`),
      v.description('Precise ("api.example.com") or wildcard ("*.example.com", one label). Omit to match every host.'),
    ),
  ),
  http: v.optional(
    v.strictObject({
      paths: v.pipe(
        v.array(httpIngressPath, (i) => `must be a list of paths, got ${got(i.input)}`),
        v.minLength(1, "must list at least one path"),
      ),
    }),
  ),
});

export type RawIngressRule = v.InferOutput<typeof ingressRule>;
export type RawIngressBackend = v.InferOutput<typeof ingressBackend>;
