// Raw (as written) schema of the Kubernetes networking.k8s.io/v1 IngressSpec
// parts edge-ingress reads: rules, paths and backends. The native document and
// Ingress manifests share it, so both are validated the same way.
// Field names and constraints follow the Kubernetes API reference for Ingress.
import * as v from "valibot";
import { got } from "./messages";
import { isDnsSubdomain } from "./dns-name";
import { httpRouteFilter, httpRouteFilterDocumented } from "../filters/registry";
import { affinity } from "./affinity-schema";

export { isDnsSubdomain };
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** A Kubernetes Service name (RFC 1035 label); pools share the rule so manifests can name them. */
const POOL_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export function isPoolName(name: string): boolean {
  return name.length <= 63 && POOL_NAME.test(name);
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

const canaryCount = (min: number, what: string) =>
  v.pipe(
    v.number((i) => `must be ${what}, got ${got(i.input)}`),
    v.check((n) => Number.isInteger(n) && n >= min && n <= 999_999_999, (i) => `must be ${what}, got ${got(i.input)}`),
  );

/** Native only (an Ingress manifest says it with a canary Ingress): a second backend for this path, as ingress-nginx's canary. */
export const canaryBlock = v.strictObject(
  {
    backend: v.pipe(ingressBackend, v.description("The canary's backend: the pool that takes the share the rules below give it.")),
    header: v.optional(v.pipe(v.string(), v.description('Request header that decides first: "always" sends to the canary, "never" to the main backend (unless headerValue or headerPattern is set).'))),
    headerValue: v.optional(v.pipe(v.string(), v.description("The header's exact value that sends to the canary; any other value falls through to cookie and weight."))),
    headerPattern: v.optional(v.pipe(v.string(), v.description("A regular expression (RE2 syntax, unanchored) the header's value must match to go to the canary. Not used when headerValue is set."))),
    cookie: v.optional(v.pipe(v.string(), v.description('Cookie that decides second: "always" sends to the canary, "never" to the main backend.'))),
    weight: v.optional(v.pipe(canaryCount(0, "a whole number of at least 0"), v.description("Share of the remaining requests that go to the canary, out of weightTotal. Default 0 (none)."))),
    weightTotal: v.optional(v.pipe(canaryCount(1, "a whole number of at least 1"), v.description("What weight is out of: at least 100. Default 100."))),
    affinity: v.optional(v.pipe(affinity, v.description("Session affinity for requests sent to the canary's backend; overrides its pool's."))),
  },
  (i) => `must be a canary mapping with "backend", got ${got(i.input)}`,
);

const pathWith = <F extends v.GenericSchema>(filter: F) => v.strictObject({
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
  // Not in Kubernetes' IngressPath (a manifest may not write it): native
  // rules only, and where the Ingress annotations land once read.
  filters: v.optional(
    v.pipe(
      v.array(filter, (i) => `must be a list of filters, got ${got(i.input)}`),
      v.maxLength(16, "must list at most 16 filters"),
      v.description("edge-ingress only (not in Kubernetes' IngressPath): filters run on this path's requests, as an HTTPRoute rule's filters (the Ingress annotations become these)."),
    ),
  ),
  canary: v.optional(canaryBlock),
  affinity: v.optional(v.pipe(affinity, v.description("Session affinity for requests of this path; overrides the pool's (an Ingress's affinity annotations become this)."))),
});

export const httpIngressPath = pathWith(httpRouteFilter);

const ruleWith = <P extends v.GenericSchema>(path: P) => v.strictObject({
  host: v.optional(
    v.pipe(
      v.string((i) => `must be a string, got ${got(i.input)}`),
      v.description('Precise ("api.example.com") or wildcard ("*.example.com", one label). Omit to match every host.'),
    ),
  ),
  http: v.optional(
    v.strictObject({
      paths: v.pipe(
        v.array(path, (i) => `must be a list of paths, got ${got(i.input)}`),
        v.minLength(1, "must list at least one path"),
      ),
    }),
  ),
});

export const ingressRule = ruleWith(httpIngressPath);

/** A rule with its paths unread: each path is then checked on its own, so that one bad path does not hide the others' problems. */
export const ingressRuleShell = ruleWith(v.unknown());

/** The same, each filter's fields spelled out, for the JSON Schema. */
export const ingressRuleDocumented = ruleWith(pathWith(httpRouteFilterDocumented));

export type RawIngressRule = v.InferOutput<typeof ingressRule>;
export type RawIngressBackend = v.InferOutput<typeof ingressBackend>;
export type RawCanary = v.InferOutput<typeof canaryBlock>;
