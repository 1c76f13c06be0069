// Raw (as written) schema of the native edge-ingress document. Defaults are
// filled in by normalize.ts, not here, so the JSON Schema generated from this
// file describes what a user writes. Every field says its meaning, default
// and bounds; the same text ends up in the editor through the JSON Schema.
import * as v from "valibot";
import { got } from "./messages";
import { ingressBackend, ingressRuleDocumented } from "./ingress-schema";
import { gateway, httpRoute } from "../gateway/schema";
import { probeHeaders } from "./probe-headers";
import { statusPathSchema } from "./status-path";
import { preciseHostname } from "../filters/hostname";

const hostHeader = (whose: string) =>
  v.pipe(preciseHostname, v.description(`The Host ${whose} receives instead of the origin URL's host (sent with cf.resolveOverride: both must be hostnames in your Cloudflare zone).`));

export const policyNames = ["random", "round-robin", "least-recent"] as const;

const int = (min: number, max: number, what: string) =>
  v.pipe(
    v.number((i) => `must be ${what}, got ${got(i.input)}`),
    v.check((n) => Number.isInteger(n) && n >= min && n <= max, (i) => `must be ${what}, got ${got(i.input)}`),
  );

const originUrl = v.pipe(
  v.string((i) => `must be an absolute http(s) URL, got ${got(i.input)}`),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = originUrlProblem(dataset.value);
    if (problem) addIssue({ message: problem });
  }),
  v.description("Absolute http(s) URL of the origin; a path, if any, is prefixed to every proxied path."),
);

export function originUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `must be an absolute http(s) URL, got ${got(raw)}`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `must be an absolute http(s) URL, got ${got(raw)}`;
  if (url.username || url.password) return `must not carry credentials (they would be logged and forwarded), got ${got(url.host)}`;
  if (url.search || url.hash || raw.includes("?") || raw.includes("#")) return `must not have a query or fragment, got ${got(raw)}`;
  return undefined;
}

export const origin = v.strictObject({
  url: originUrl,
  weight: v.optional(v.pipe(int(1, 10_000, "a positive integer up to 10000"), v.description("Relative share of traffic. Default 1."))),
  hostHeader: v.optional(hostHeader("this origin")),
});

const statusMessage = (i: { input: unknown }) => `must be a status code (200) or range ("200-399"), got ${got(i.input)}`;
const statusSpec = v.union(
  [int(100, 599, "an HTTP status code"), v.pipe(v.string(), v.regex(/^[1-5]\d\d(-[1-5]\d\d)?$/, statusMessage))],
  statusMessage,
);

export const healthCheck = v.strictObject({
  path: v.optional(
    v.pipe(
      v.string(),
      v.check((p) => p.startsWith("/"), (i) => `must start with "/", got ${got(i.input)}`),
      v.description('Path probed on each origin (after its base path). Default "/".'),
    ),
  ),
  method: v.optional(v.picklist(["GET", "HEAD"], (i) => `must be GET or HEAD, got ${got(i.input)}`)),
  expectedStatus: v.optional(
    v.pipe(
      v.array(statusSpec, (i) => `must be a list of status codes or ranges, got ${got(i.input)}`),
      v.minLength(1, "must list at least one status code or range"),
      v.description('Statuses that count as healthy, codes or ranges. Default ["200-399"].'),
    ),
  ),
  bodyContains: v.optional(v.pipe(v.string(), v.minLength(1, "must not be empty"), v.description("Text the body must contain."))),
  timeoutMs: v.optional(v.pipe(int(100, 30_000, "a whole number of milliseconds from 100 to 30000"), v.description("Per-probe deadline. Default 5000."))),
  healthyThreshold: v.optional(v.pipe(int(1, 10, "a whole number from 1 to 10"), v.description("Consecutive good probes to come back up. Default 2."))),
  unhealthyThreshold: v.optional(v.pipe(int(1, 10, "a whole number from 1 to 10"), v.description("Consecutive failed probes to go down. Default 2."))),
  headers: v.optional(probeHeaders),
});

export const passiveEjection = v.strictObject({
  consecutiveFailures: v.optional(v.pipe(int(1, 100, "a whole number from 1 to 100"), v.description("Live failures in a row that eject an origin. Default 5."))),
  cooldownMs: v.optional(v.pipe(int(1_000, 3_600_000, "a whole number of milliseconds from 1000 to 3600000"), v.description("How long an ejected origin is skipped. Default 30000."))),
  on5xx: v.optional(v.pipe(v.boolean((i) => `must be true or false, got ${got(i.input)}`), v.description("Count 5xx responses as failures. Default false."))),
});

export const pool = v.strictObject({
  policy: v.optional(
    v.pipe(
      v.picklist(policyNames, (i) => `must be one of random, round-robin, least-recent, got ${got(i.input)}`),
      v.description("How an origin is picked. Default round-robin."),
    ),
  ),
  origins: v.pipe(
    v.array(origin, (i) => `must be a list of origins, got ${got(i.input)}`),
    v.minLength(1, "must list at least one origin"),
  ),
  timeoutMs: v.optional(
    v.pipe(
      int(100, 600_000, "a whole number of milliseconds from 100 to 600000"),
      v.description("Deadline for an origin's response headers, counted from when the request has been sent; past it, 504. Default 30000."),
    ),
  ),
  uploadIdleTimeoutMs: v.optional(
    v.pipe(
      int(100, 600_000, "a whole number of milliseconds from 100 to 600000"),
      v.description(
        "Longest pause in a request body upload: a client that sends nothing for this long gets 408 (not counted against the origin); an origin that reads nothing for this long, 504. Default 60000.",
      ),
    ),
  ),
  healthCheck: v.optional(healthCheck),
  whenAllDown: v.optional(
    v.pipe(
      v.union([v.string(), v.literal(503)], (i) => `must be "fail-open", "503" or a pool name, got ${got(i.input)}`),
      v.description('When every origin is down: "fail-open" (default: use them all), "503", or the name of a fallback pool.'),
    ),
  ),
  passiveEjection: v.optional(passiveEjection),
  hostHeader: v.optional(hostHeader("every origin of the pool")),
  preserveHost: v.optional(
    v.pipe(
      v.boolean((i) => `must be true or false, got ${got(i.input)}`),
      v.description("Send the client's host as Host, as ingress-nginx does (sent with cf.resolveOverride). Default false: the origin URL's host."),
    ),
  ),
});

export const pathNormalization = v.strictObject({
  escapedSlashes: v.optional(
    v.pipe(
      v.picklist(["reject", "keep"], (i) => `must be "reject" or "keep", got ${got(i.input)}`),
      v.description('Encoded "/" and "\\" (%2F, %5C) in a path: "reject" answers 400 (default); "keep" forwards them encoded, as part of one segment.'),
    ),
  ),
  mergeSlashes: v.optional(
    v.pipe(v.boolean((i) => `must be true or false, got ${got(i.input)}`), v.description('Merge "//" into "/" before matching and forwarding. Default true.')),
  ),
});

const poolsMessage = (i: { input: unknown }) => `must be a map of pool name to pool, got ${got(i.input)}`;
const rulesMessage = (i: { input: unknown }) => `must be a list of Ingress rules, got ${got(i.input)}`;
const gatewaysMessage = (i: { input: unknown }) => `must be a list of Gateways, got ${got(i.input)}`;
const httpRoutesMessage = (i: { input: unknown }) => `must be a list of HTTPRoutes, got ${got(i.input)}`;
const documentMessage = (i: { input: unknown }) => `must be a mapping with "pools", got ${got(i.input)}`;

/** The whole native document: what the JSON Schema describes. */
export const nativeDocument = v.strictObject(
  {
    $schema: v.optional(v.string()),
    pools: v.pipe(
      v.record(v.string(), pool, poolsMessage),
      v.description("Pools of origins by name; rules and defaultBackend refer to them as service names."),
    ),
    rules: v.optional(v.array(ingressRuleDocumented, rulesMessage)),
    defaultBackend: v.optional(ingressBackend),
    pathNormalization: v.optional(
      v.pipe(pathNormalization, v.description("How request paths are normalized before they are matched and forwarded (see README, Matching rules).")),
    ),
    statusPath: v.optional(statusPathSchema),
    gateways: v.optional(
      v.pipe(v.array(gateway, gatewaysMessage), v.description("Gateway API Gateways: their listeners are where HTTPRoutes attach (the Worker is the Gateway).")),
    ),
    httpRoutes: v.optional(
      v.pipe(v.array(httpRoute, httpRoutesMessage), v.description("Gateway API HTTPRoutes: name, namespace, then the HTTPRouteSpec fields (parentRefs, hostnames, rules).")),
    ),
  },
  documentMessage,
);

/**
 * An Ingress manifest's record in the merged document (types.ts IngressRecord):
 * the CLI writes it, users do not, so the JSON Schema leaves it out.
 */
export const ingressRecord = v.strictObject(
  {
    name: v.string((i) => `must be a string, got ${got(i.input)}`),
    namespace: v.optional(v.string((i) => `must be a string, got ${got(i.input)}`)),
    annotations: v.optional(v.record(v.string(), v.string((i) => `must be a string, got ${got(i.input)}`))),
    tls: v.optional(v.array(v.strictObject({ hosts: v.optional(v.array(v.string())), secretName: v.optional(v.string()) }))),
  },
  (i) => (i.input === undefined ? "is required" : `must be an Ingress record with "name", got ${got(i.input)}`),
);

/**
 * The document's outline only. parseConfig checks each pool, rule and the
 * defaultBackend on its own against the schemas above, so a value of the
 * wrong type in one of them does not hide the problems of the others.
 */
export const documentOutline = v.strictObject(
  {
    $schema: v.optional(v.string()),
    pools: v.record(v.string(), v.unknown(), poolsMessage),
    rules: v.optional(v.array(v.unknown(), rulesMessage)),
    defaultBackend: v.optional(v.unknown()),
    ingresses: v.optional(v.array(v.unknown(), (i) => `must be a list of Ingress records, got ${got(i.input)}`)),
    pathNormalization: v.optional(v.unknown()),
    statusPath: v.optional(v.unknown()),
    gateways: v.optional(v.array(v.unknown(), gatewaysMessage)),
    httpRoutes: v.optional(v.array(v.unknown(), httpRoutesMessage)),
  },
  documentMessage,
);

export type RawDocument = v.InferOutput<typeof nativeDocument>;
export type RawPool = v.InferOutput<typeof pool>;
export type RawHealthCheck = v.InferOutput<typeof healthCheck>;
