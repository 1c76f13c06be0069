// Reads one Kubernetes Ingress manifest into the merge: the envelope
// (apiVersion, metadata, spec) is checked here, with the rules the API server
// applies on top of the OpenAPI schema, so a manifest `kubectl apply` refuses
// is refused here too (source: kubernetes/kubernetes
// pkg/apis/networking/validation/validation.go, ValidateIngressSpec). The
// rules and backends themselves are validated by parseConfig on the merged
// document, with the schema native documents share (ingress-schema.ts). What
// edge-ingress does with each field and annotation is in annotations.ts and
// manifest-verdicts.ts.
import * as v from "valibot";
import { INGRESS_FIELDS } from "./manifest-verdicts";
import { judgeAnnotations, REWRITE_TARGET, SSL_REDIRECT, USE_REGEX } from "./ingress-annotations";
import { authFilters } from "./ingress-auth";
import { readIngressPolicies, withAffinity } from "./ingress-canary-affinity";
import { noteCanaryInherited, trafficFilters } from "./ingress-traffic-policies";
import { ingressRecord, readTls } from "./ingress-record";
import { annotationFilters, withPathFilters } from "./ingress-rewrites";
import { readHostAnnotations } from "./ingress-hosts";
import { ingressPathFilters, readBackendProtocol } from "./ingress-policies";
import { checkApiServerRules, ingressClassOf } from "./ingress-api-rules";
import { recordHeaderTarget } from "./configmap-headers";
import { got, issuesToProblems } from "./messages";
import { child, formatLocation, isRecord, splitPath, type DocLocation } from "./locations";
import { addDefaultBackend, addNote, addProblem, addRule, addWarning, type CanaryPath, type MergeState } from "./merge-state";

export const INGRESS_API_VERSION = "networking.k8s.io/v1";


// kubectl refuses non-string values too ("cannot unmarshal bool ... of type string").
const stringMap = v.record(v.string(), v.string((i) => `must be a string (quote it: annotation and label values are strings), got ${got(i.input)}`));

// `kubectl get -o yaml` output carries uid, resourceVersion, managedFields and
// more: accepted as the field table says. Any other metadata field is refused,
// so that a misspelt `annotations` cannot drop every annotation unnoticed.
const SERVER_WRITTEN = Object.fromEntries(
  INGRESS_FIELDS.filter((f) => f.field.startsWith("metadata.")).map((f) => [f.field.slice("metadata.".length), v.optional(v.unknown())]),
);

const envelope = v.strictObject(
  {
    apiVersion: v.string(),
    kind: v.literal("Ingress"),
    metadata: v.strictObject(
      {
        ...SERVER_WRITTEN,
        name: v.string((i) => `must be a string, got ${got(i.input)}`),
        namespace: v.optional(v.string((i) => `must be a string, got ${got(i.input)}`)),
        annotations: v.optional(stringMap),
        labels: v.optional(stringMap),
      },
      (i) => (i.input === undefined ? "is required" : `must be a mapping with "name", got ${got(i.input)}`),
    ),
    spec: v.strictObject(
      {
        ingressClassName: v.optional(v.string((i) => `must be a string, got ${got(i.input)}`)),
        defaultBackend: v.optional(v.unknown()),
        rules: v.optional(v.array(v.unknown(), (i) => `must be a list of Ingress rules, got ${got(i.input)}`)),
        // Certificates are not needed (Cloudflare terminates TLS); the redirect is warned about.
        tls: v.optional(
          v.array(
            v.strictObject({ hosts: v.optional(v.array(v.string())), secretName: v.optional(v.string()) }),
            (i) => `must be a list of {hosts, secretName}, got ${got(i.input)}`,
          ),
        ),
      },
      (i) => `must be an IngressSpec mapping, got ${got(i.input)}`,
    ),
    status: v.optional(v.unknown()),
  },
  // The manifest itself is a mapping (readDocument checked): this message is only about a missing field.
  "is required",
);

export function readIngress(value: Record<string, unknown>, docAt: DocLocation, state: MergeState): void {
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const spec = isRecord(value.spec) ? value.spec : {};
  const name = typeof metadata.name === "string" ? metadata.name : "(unnamed)";
  // Every message about this manifest names it.
  const at: DocLocation = typeof metadata.name === "string" ? { ...docAt, ingress: metadata.name } : docAt;
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  const className = ingressClassOf(spec, annotations);

  // Another controller's Ingresses are not ours to judge: filter before validating.
  const wanted = state.options.ingressClass;
  if (wanted !== undefined && className !== wanted) {
    const has = typeof className === "string" ? `class ${JSON.stringify(className)}` : "no ingress class";
    addNote(state, docAt, `skipped Ingress ${JSON.stringify(name)} (${has}, not ${JSON.stringify(wanted)})`);
    return;
  }
  if (value.apiVersion !== INGRESS_API_VERSION) {
    const hint = typeof value.apiVersion === "string" && value.apiVersion.endsWith("v1beta1")
      ? ' (v1beta1 was removed in Kubernetes 1.22: rewrite it for v1, e.g. with "kubectl convert")'
      : "";
    addProblem(state, child(at, "apiVersion"), `must be ${INGRESS_API_VERSION} for kind Ingress, got ${got(value.apiVersion)}${hint}`);
    return;
  }
  const parsed = v.safeParse(envelope, value, { abortEarly: false });
  if (!parsed.success) {
    for (const p of issuesToProblems(parsed.issues)) addProblem(state, child(at, ...splitPath(p.path)), p.message);
  }
  checkApiServerRules(metadata, spec, isRecord(value.spec), annotations, at, state);
  checkDuplicate(metadata, name, at, state);

  const rules = Array.isArray(spec.rules) ? spec.rules : [];
  const paths = rules.flatMap((rule, r) => rulePaths(rule, child(at, "spec", "rules", r)));
  judgeAnnotations(annotations, { hasRegexPaths: paths.some((p) => p.pathType === "ImplementationSpecific") }, at, state);
  const annotationAt = (key: string) => child(at, "metadata", "annotations", key);
  if (annotations[USE_REGEX] === "true") state.regexIngresses.push({ at: annotationAt(USE_REGEX), hosts: rules.map((r) => (isRecord(r) ? r.host : undefined)) });
  // ingress-nginx reads every path of the host as a regex once rewrite-target is set, as with use-regex.
  else if (typeof annotations[REWRITE_TARGET] === "string") {
    state.regexIngresses.push({ at: annotationAt(REWRITE_TARGET), hosts: rules.map((r) => (isRecord(r) ? r.host : undefined)), because: REWRITE_TARGET });
  }
  const policies = readIngressPolicies(annotations, paths, paths.some((p) => p.pathType === "ImplementationSpecific"), at, state);
  if (policies.canary) {
    // Its paths become canaries of the main Ingress's paths once every file is read (ingress-pairs.ts); its rules stay out of the merge.
    noteCanaryInherited(annotations, at, state);
    if (spec.defaultBackend !== undefined) {
      addProblem(state, child(at, "spec", "defaultBackend"),
        "a canary Ingress takes part of the traffic of another Ingress's paths; a defaultBackend has no main Ingress path to share: move it to a non-canary Ingress");
    }
  } else {
    const filtersFor = annotationFilters(annotations, at, state);
    // The HTTPS and access filters of the path's host first (they run first anyway: request/stages.ts), then CORS, body size, timeouts and the error backend, then the rewrites.
    const policyFor = ingressPathFilters(annotations, at, state);
    // Authentication comes next (request/stages.ts: after the HTTPS redirect and the access lists).
    const auth = authFilters(annotations, at, state);
    const withTraffic = trafficFilters(annotations, typeof metadata.namespace === "string" ? metadata.namespace : "default", at, state);
    const merged = withAffinity(rules.map((rule) => withPathFilters(rule, (p) => withTraffic([...policyFor(isRecord(rule) ? rule.host : undefined), ...auth], filtersFor(p)))), policies.affinity);
    merged.forEach((rule, i) => addRule(state, rule, child(at, "spec", "rules", i)));
    // The ConfigMaps' headers (proxy-set-headers, add-headers, custom-headers) go on once every file is read.
    recordHeaderTarget(annotations, merged, typeof metadata.namespace === "string" ? metadata.namespace : "default", at, state);
    readHostAnnotations(annotations, merged, at, state);
    readBackendProtocol(annotations, [...paths.map((p) => p.pool), backendName(spec.defaultBackend)].filter((n): n is string => n !== undefined), at, state);
    // policyFor(undefined) and withTraffic([], []): the filters of a path with no host and none of its own, which is what the defaultBackend would need.
    if (spec.defaultBackend !== undefined && checkDefaultBackend([...policyFor(undefined), ...auth], withTraffic([], []), child(at, "spec", "defaultBackend"), state)) {
      addDefaultBackend(state, spec.defaultBackend, child(at, "spec", "defaultBackend"));
    }
    if (spec.defaultBackend !== undefined && policies.affinity !== undefined) {
      addWarning(state, child(at, "spec", "defaultBackend"),
        "session affinity applies to this Ingress's paths, not to requests no rule matches: give the pool an `affinity` block in a native document to make those sticky too");
    }
  }
  readTls(spec.tls, spec.rules, annotations[SSL_REDIRECT] === "false", child(at, "spec", "tls"), state);
  if (typeof metadata.name === "string") state.ingresses.push(ingressRecord(metadata, annotations, spec.tls));
}

/** What each kind of filter an Ingress's annotations make is, in words. */
const FILTER_WORDS: Readonly<Record<string, string>> = {
  AccessControl: "the allow and deny lists",
  HTTPSRedirect: "the HTTPS redirect",
  BasicAuth: "the authentication",
  ExternalAuth: "the authentication",
  NginxCORS: "CORS",
  RequestBodyLimit: "the body size limit",
  BackendTimeouts: "the timeouts",
  ErrorBackend: "the default-backend error pages",
};

/**
 * An Ingress's annotations become filters of its paths, and the defaultBackend
 * takes requests no path matches (of every host), where ingress-nginx applies
 * them too. It is served without them here, so an access list, HTTPS
 * redirect or authentication the annotations ask for refuses it (a security
 * setting is never skipped), and the rest is a warning. True when it may be added.
 */
function checkDefaultBackend(security: readonly Record<string, unknown>[], traffic: readonly Record<string, unknown>[], at: DocLocation, state: MergeState): boolean {
  const words = (filters: readonly Record<string, unknown>[]) => {
    const all = [...new Set(filters.map((f) => FILTER_WORDS[f.type as string] ?? String(f.type)))];
    return all.length === 1 ? all[0]! : `${all.slice(0, -1).join(", ")} and ${all.at(-1)!}`;
  };
  if (security.length > 0) {
    addProblem(state, at,
      `would be served without ${words(security)} that the annotations ask for (they apply to the Ingress's paths): move it into a rule's path, or into another Ingress`);
    return false;
  }
  if (traffic.length > 0) {
    addWarning(state, at, `${words(traffic)} from the annotations apply to this Ingress's paths, not to requests no rule matches, which this defaultBackend serves without them`);
  }
  return true;
}

function backendName(backend: unknown): string | undefined {
  if (!isRecord(backend)) return undefined;
  const ref = isRecord(backend.service) ? backend.service : isRecord(backend.resource) ? backend.resource : undefined;
  return typeof ref?.name === "string" ? ref.name : undefined;
}

function rulePaths(rule: unknown, at: DocLocation): (CanaryPath & { readonly pathType: unknown; readonly pool: string | undefined })[] {
  if (!isRecord(rule) || !isRecord(rule.http) || !Array.isArray(rule.http.paths)) return [];
  return rule.http.paths.map((p, i) => ({
    host: rule.host,
    path: isRecord(p) ? p.path : undefined,
    backend: isRecord(p) ? p.backend : undefined,
    pathType: isRecord(p) ? p.pathType : undefined,
    at: child(at, "http", "paths", i),
    pool: isRecord(p) ? backendName(p.backend) : undefined,
  }));
}

function checkDuplicate(metadata: Record<string, unknown>, name: string, at: DocLocation, state: MergeState): void {
  if (typeof metadata.name !== "string") return;
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : "";
  const key = `${namespace}/${name}`;
  const earlier = state.ingressNames.get(key);
  if (earlier) {
    addProblem(state, child(at, "metadata", "name"),
      `an Ingress of this name and namespace is already defined at ${formatLocation(earlier)} (kubectl would keep only the last one)`);
  } else state.ingressNames.set(key, child(at, "metadata", "name"));
}
