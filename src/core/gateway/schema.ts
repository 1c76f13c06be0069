// Raw (as written) schema of the Gateway API documents edge-ingress reads:
// Gateways (their listeners) and HTTPRoutes, with the field names of
// gateway.networking.k8s.io/v1. In the native document they are written
// flat ({name, namespace, ...spec}); Kubernetes manifests are read into the
// same shape (gateway-manifest.ts). Constraints follow the API reference
// (apis/v1/httproute_types.go, gateway_types.go); what edge-ingress does
// not implement is refused by name, never ignored.
import * as v from "valibot";
import { got } from "../config/messages";
import { backendObjectReference } from "../filters/backend-ref";
import { httpRouteFilter, httpRouteFilterDocumented } from "../filters/registry";
import { parseDurationMs } from "./duration";

const str = (what: string) => v.string((i) => `must be ${what}, got ${got(i.input)}`);
const int = (min: number, max: number) =>
  v.pipe(
    v.number((i) => `must be a whole number from ${min} to ${max}, got ${got(i.input)}`),
    v.check((n) => Number.isInteger(n) && n >= min && n <= max, (i) => `must be a whole number from ${min} to ${max}, got ${got(i.input)}`),
  );
const listOf = <T extends v.GenericSchema>(item: T, max: number, what: string) =>
  v.pipe(v.array(item, (i) => `must be a list of ${what}, got ${got(i.input)}`), v.maxLength(max, `must list at most ${max} entries`));
/** Refuses a field edge-ingress does not implement, naming it. */
const unsupported = (why: string) => v.optional(v.custom<never>(() => false, why));

export const duration = v.pipe(
  str('a Gateway API duration such as "500ms", "10s" or "1m30s"'),
  v.check((d) => parseDurationMs(d) !== undefined, (i) => `must be a Gateway API duration such as "500ms", "10s" or "1m30s" (units h, m, s, ms), got ${got(i.input)}`),
);

const valueMatch = (nameSchema: v.GenericSchema<unknown, string>) =>
  v.strictObject({
    type: v.optional(v.picklist(["Exact", "RegularExpression"], (i) => `must be Exact or RegularExpression, got ${got(i.input)}`)),
    name: nameSchema,
    value: v.pipe(str("a string"), v.maxLength(4096, "must be at most 4096 characters")),
  });

export const httpRouteMatch = v.strictObject({
  path: v.optional(
    v.strictObject({
      type: v.optional(v.picklist(["Exact", "PathPrefix", "RegularExpression"], (i) => `must be Exact, PathPrefix or RegularExpression, got ${got(i.input)}`)),
      value: v.optional(v.pipe(str("a path"), v.maxLength(1024, "must be at most 1024 characters"))),
    }),
  ),
  headers: v.optional(listOf(valueMatch(v.pipe(str("a header name"), v.regex(/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/, (i) => `must be a header name, got ${got(i.input)}`))), 16, "header matches")),
  queryParams: v.optional(listOf(valueMatch(v.pipe(str("a query parameter name"), v.minLength(1, "must not be empty"))), 16, "query parameter matches")),
  method: v.optional(
    v.picklist(["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"], (i) => `must be an HTTP method in capitals (GET, POST, ...), got ${got(i.input)}`),
  ),
});

const backendRefWith = <F extends v.GenericSchema>(filter: F) =>
  v.strictObject({
    ...backendObjectReference,
    weight: v.optional(v.pipe(int(0, 1_000_000), v.description("Relative share of the rule's traffic; 0 sends none. Default 1."))),
    filters: v.optional(listOf(filter, 16, "filters")),
  });

const ruleWith = <F extends v.GenericSchema>(filter: F) => v.strictObject({
  name: v.optional(v.pipe(str("a rule name"), v.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, (i) => `must be a lower-case name, got ${got(i.input)}`))),
  matches: v.optional(listOf(httpRouteMatch, 64, "matches")),
  filters: v.optional(listOf(filter, 16, "filters")),
  backendRefs: v.optional(listOf(backendRefWith(filter), 16, "backendRefs")),
  timeouts: v.optional(
    v.strictObject({
      request: v.optional(v.pipe(duration, v.description('Deadline for the whole request (every retry included) up to the response headers; "0s" disables it.'))),
      backendRequest: v.optional(v.pipe(duration, v.description("Deadline for each try's response headers; default the pool's timeoutMs."))),
    }),
  ),
  retry: v.optional(
    v.strictObject({
      codes: v.optional(listOf(int(400, 599), 64, "status codes from 400 to 599")),
      attempts: v.optional(v.pipe(int(0, 10), v.description("Retries after the first try; 0 disables. Default 1 when retry is set."))),
      backoff: v.optional(v.pipe(duration, v.description("Base wait before a retry, doubled each time up to 10 s."))),
    }),
  ),
  // Refused with its path by compileRule (rules.ts), so the rule's other problems are reported too.
  sessionPersistence: v.optional(v.unknown()),
});

/** What the parser checks a rule with: filters by type only (rules.ts checks each through the registry). */
export const httpRouteRule = ruleWith(httpRouteFilter);

export const parentRef = v.strictObject({
  group: v.optional(str("a string")),
  kind: v.optional(str("a string")),
  namespace: v.optional(str("a namespace")),
  name: str("the name of a Gateway"),
  sectionName: v.optional(str("a listener name")),
  port: v.optional(int(1, 65535)),
});

const objectName = v.pipe(str("a name"), v.regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, (i) => `must be a lower-case DNS subdomain, got ${got(i.input)}`), v.maxLength(253));

const httpRouteFields = {
  name: objectName,
  namespace: v.optional(objectName),
  parentRefs: v.optional(listOf(parentRef, 32, "parent references")),
  hostnames: v.optional(listOf(str("a hostname"), 16, "hostnames")),
};

/** An HTTPRoute as the native document writes it, for the JSON Schema: each filter's fields spelled out. */
export const httpRoute = v.strictObject({ ...httpRouteFields, rules: v.optional(listOf(ruleWith(httpRouteFilterDocumented), 16, "rules")) });

/** The route without its rules: each rule is checked on its own, so one bad rule hides no other problem. */
export const httpRouteOutline = v.strictObject({ ...httpRouteFields, rules: v.optional(listOf(v.unknown(), 16, "rules")) });

export const listener = v.strictObject({
  name: v.pipe(str("a listener name"), v.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, (i) => `must be a lower-case name, got ${got(i.input)}`)),
  hostname: v.optional(str("a hostname")),
  port: int(1, 65535),
  protocol: v.picklist(["HTTP", "HTTPS"], (i) => `must be HTTP or HTTPS (TLS, TCP and UDP listeners are not supported), got ${got(i.input)}`),
  tls: v.optional(v.pipe(v.unknown(), v.description("Accepted and not used: Cloudflare terminates TLS for the zone."))),
  allowedRoutes: v.optional(
    v.strictObject({
      namespaces: v.optional(
        v.strictObject({
          from: v.optional(v.picklist(["Same", "All"], (i) => `must be Same or All (Selector is not supported), got ${got(i.input)}`)),
          selector: unsupported("namespace selectors are not supported by edge-ingress"),
        }),
      ),
      kinds: v.optional(
        v.array(
          v.strictObject({
            group: v.optional(v.literal("gateway.networking.k8s.io", (i) => `must be gateway.networking.k8s.io, got ${got(i.input)}`)),
            kind: v.literal("HTTPRoute", (i) => `must be HTTPRoute (the only route kind edge-ingress reads), got ${got(i.input)}`),
          }),
        ),
      ),
    }),
  ),
});

/** A Gateway as the native document writes it: its listeners are where the Worker accepts routes. */
export const gateway = v.strictObject({
  name: objectName,
  namespace: v.optional(objectName),
  gatewayClassName: v.optional(v.pipe(str("a string"), v.description("Accepted; the Worker is the Gateway whatever the class."))),
  listeners: v.pipe(listOf(listener, 64, "listeners"), v.minLength(1, "must list at least one listener")),
  addresses: unsupported("addresses are not supported: the Worker's address is its Cloudflare route or custom domain"),
  infrastructure: unsupported("infrastructure is not supported by edge-ingress"),
});

export type RawHttpRoute = v.InferOutput<typeof httpRouteOutline>;
export type RawGateway = v.InferOutput<typeof gateway>;
export type RawHttpRouteRule = v.InferOutput<typeof httpRouteRule>;
export type RawHttpRouteMatch = v.InferOutput<typeof httpRouteMatch>;
