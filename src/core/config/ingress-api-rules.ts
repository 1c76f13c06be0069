// What the Kubernetes API server refuses in an Ingress beyond its OpenAPI
// schema (kubernetes/kubernetes pkg/apis/networking/validation/validation.go,
// ValidateIngressSpec): names, the class, an empty spec, absolute
// ImplementationSpecific paths, service ports. A manifest `kubectl apply`
// refuses is refused here too.
import { isDnsSubdomain } from "./ingress-schema";
import { got } from "./messages";
import { child, isRecord, type DocLocation } from "./locations";
import { addProblem, type MergeState } from "./merge-state";

export const CLASS_ANNOTATION = "kubernetes.io/ingress.class";

/** An Ingress's class: spec.ingressClassName, else the older annotation (what --ingress-class compares). */
export function ingressClassOf(spec: Readonly<Record<string, unknown>>, annotations: Readonly<Record<string, unknown>>): unknown {
  return typeof spec.ingressClassName === "string" ? spec.ingressClassName : annotations[CLASS_ANNOTATION];
}

/** IANA_SVC_NAME, as Kubernetes validates port names. */
const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export function checkApiServerRules(
  metadata: Record<string, unknown>,
  spec: Record<string, unknown>,
  specIsMapping: boolean,
  annotations: Record<string, unknown>,
  at: DocLocation,
  state: MergeState,
): void {
  const name = metadata.name;
  if (typeof name === "string" && !isDnsSubdomain(name)) {
    addProblem(state, child(at, "metadata", "name"), `must be a lower-case DNS subdomain (letters, digits, "-" and "."), got ${got(name)}`);
  }
  const className = spec.ingressClassName;
  if (typeof className === "string" && !isDnsSubdomain(className)) {
    addProblem(state, child(at, "spec", "ingressClassName"), `must be a lower-case DNS subdomain, got ${got(className)}`);
  }
  const annotated = annotations[CLASS_ANNOTATION];
  if (typeof className === "string" && typeof annotated === "string" && annotated !== className) {
    addProblem(state, child(at, "metadata", "annotations", CLASS_ANNOTATION), `must match spec.ingressClassName (${JSON.stringify(className)}) when both are set, got ${got(annotated)}`);
  }
  const rules = Array.isArray(spec.rules) ? spec.rules : [];
  // A missing or malformed spec is reported by the schema already.
  if (specIsMapping && rules.length === 0 && spec.defaultBackend === undefined) {
    addProblem(state, child(at, "spec"), "either `defaultBackend` or `rules` must be specified");
  }
  rules.forEach((rule, r) => {
    const paths = isRecord(rule) && isRecord(rule.http) && Array.isArray(rule.http.paths) ? rule.http.paths : [];
    paths.forEach((p, i) => {
      if (!isRecord(p)) return;
      const pathAt = child(at, "spec", "rules", r, "http", "paths", i);
      checkPath(p, pathAt, state);
      for (const field of ["canary", "affinity"]) {
        if (p[field] === undefined) continue;
        addProblem(state, child(pathAt, field), `is not a field of an Ingress path (Kubernetes refuses it): use the ${field} annotations, or a native rule`);
      }
      checkPort(p.backend, child(pathAt, "backend"), state);
    });
  });
  checkPort(spec.defaultBackend, child(at, "spec", "defaultBackend"), state);
}

/**
 * Exact and Prefix paths are checked by parseConfig for every document (the
 * same sequences the API server refuses); an ImplementationSpecific path is
 * free there (a regex) but must still be absolute for the API server.
 */
function checkPath(p: Record<string, unknown>, at: DocLocation, state: MergeState): void {
  const path = p.path;
  if (p.filters !== undefined) addProblem(state, child(at, "filters"), "unknown field: a Kubernetes IngressPath has no filters (native rules have them; on an Ingress, annotations say what to do)");
  if (p.pathType === "ImplementationSpecific" && typeof path === "string" && path !== "" && !path.startsWith("/")) {
    addProblem(state, child(at, "path"), `must be an absolute path, got ${got(path)}`);
  }
}

/** The API server requires a service backend's port, by name or by number (edge-ingress then ignores it). */
function checkPort(backend: unknown, at: DocLocation, state: MergeState): void {
  if (!isRecord(backend) || !isRecord(backend.service)) return;
  const port = backend.service.port;
  const portAt = child(at, "service", "port");
  // Any other non-mapping is the schema's to report (ingress-schema.ts).
  if (port === undefined || port === null || (isRecord(port) && port.name === undefined && port.number === undefined)) {
    addProblem(state, portAt, "port name or number is required (Kubernetes requires it; edge-ingress ignores it)");
    return;
  }
  if (!isRecord(port)) return;
  if (port.name !== undefined && port.number !== undefined) {
    addProblem(state, portAt, "cannot set both port name & port number");
    return;
  }
  const portName = port.name;
  if (typeof portName === "string" && (portName.length > 15 || !PORT_NAME.test(portName) || !/[a-z]/.test(portName) || portName.includes("--"))) {
    addProblem(state, child(portAt, "name"), `must be an IANA service name (at most 15 lower-case letters, digits and "-", with a letter), got ${got(portName)}`);
  }
}
