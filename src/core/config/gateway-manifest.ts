// Reads Gateway API manifests (gateway.networking.k8s.io/v1 Gateway and
// HTTPRoute) into the merge, in the flat shape the native document uses
// ({name, namespace, ...spec}); parseConfig validates them there
// (src/core/gateway). Kinds edge-ingress does not implement are refused by
// name, never skipped: a GRPCRoute left out would be traffic silently lost.
import { got } from "./messages";
import { child, isRecord, type DocLocation } from "./locations";
import { addNote, addProblem, type MergeState } from "./merge-state";

export const GATEWAY_API_VERSION = "gateway.networking.k8s.io/v1";

/** Kinds of the Gateway API that are refused, and why. */
export const UNSUPPORTED_GATEWAY_KINDS: Readonly<Record<string, string>> = {
  GRPCRoute: "GRPCRoute is not supported by edge-ingress (only HTTPRoute)",
  TLSRoute: "TLSRoute is not supported: Cloudflare terminates TLS, the Worker sees HTTP only",
  TCPRoute: "TCPRoute is not supported: a Worker serves HTTP only",
  UDPRoute: "UDPRoute is not supported: a Worker serves HTTP only",
  ReferenceGrant: "ReferenceGrant is not supported: cross-namespace references are refused",
  BackendTLSPolicy: "BackendTLSPolicy (policy attachment) is not supported: the origin URL's scheme decides TLS",
  BackendLBPolicy: "BackendLBPolicy (policy attachment) is not supported: set the pool's policy",
  ListenerSet: "ListenerSet is not supported: put the listeners on the Gateway",
};

export const GATEWAY_KINDS = new Set(["Gateway", "HTTPRoute", "GatewayClass", ...Object.keys(UNSUPPORTED_GATEWAY_KINDS)]);

/** Where a merged Gateway or HTTPRoute came from: metadata and spec are read from different places of a manifest. */
export interface ObjectSource {
  readonly metadata: DocLocation;
  readonly spec: DocLocation;
}

const SPEC_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Gateway: ["gatewayClassName", "listeners", "addresses", "infrastructure", "allowedListeners", "tls", "backendTLS"],
  HTTPRoute: ["parentRefs", "hostnames", "rules", "useDefaultGateways"],
};

export function readGatewayApiObject(value: Record<string, unknown>, kind: string, at: DocLocation, state: MergeState): void {
  const metadata = isRecord(value.metadata) ? value.metadata : undefined;
  const name = typeof metadata?.name === "string" ? metadata.name : undefined;
  const namespace = typeof metadata?.namespace === "string" ? metadata.namespace : undefined;
  const label = `${kind} ${namespace ?? "default"}/${name ?? "(unnamed)"}`;
  const located: DocLocation = { ...at, object: label };
  const reason = UNSUPPORTED_GATEWAY_KINDS[kind];
  if (reason !== undefined) return addProblem(state, child(located, "kind"), reason);
  if (kind === "GatewayClass") return addNote(state, at, `skipped GatewayClass ${JSON.stringify(name ?? "")} (the Worker is the Gateway whatever its class)`);

  if (value.apiVersion !== GATEWAY_API_VERSION) {
    const hint = typeof value.apiVersion === "string" && value.apiVersion.startsWith("gateway.networking.k8s.io/") ? ` (edge-ingress reads ${GATEWAY_API_VERSION} only)` : "";
    return addProblem(state, child(located, "apiVersion"), `must be ${GATEWAY_API_VERSION} for kind ${kind}, got ${got(value.apiVersion)}${hint}`);
  }
  for (const key of Object.keys(value)) {
    if (!["apiVersion", "kind", "metadata", "spec", "status"].includes(key)) addProblem(state, child(located, key), "unknown field (check its spelling and indentation)");
  }
  if (metadata === undefined || name === undefined) return addProblem(state, child(located, "metadata", "name"), `is required, got ${got(metadata?.name)}`);
  if (metadata.namespace !== undefined && namespace === undefined) return addProblem(state, child(located, "metadata", "namespace"), `must be a string, got ${got(metadata.namespace)}`);
  const spec = value.spec;
  if (!isRecord(spec)) return addProblem(state, child(located, "spec"), `must be a ${kind}Spec mapping, got ${got(spec)}`);
  const known = SPEC_FIELDS[kind] ?? [];
  for (const key of Object.keys(spec)) {
    if (!known.includes(key)) addProblem(state, child(located, "spec", key), "unknown field (check its spelling and indentation)");
    else if (key === "useDefaultGateways" || key === "allowedListeners" || key === "tls" || key === "backendTLS") {
      addProblem(state, child(located, "spec", key), `${key} is not supported by edge-ingress`);
    }
  }
  const flat: Record<string, unknown> = { name, ...(namespace === undefined ? {} : { namespace }) };
  for (const key of known) if (spec[key] !== undefined && !["useDefaultGateways", "allowedListeners", "tls", "backendTLS"].includes(key)) flat[key] = spec[key];
  const source: ObjectSource = { metadata: child(located, "metadata"), spec: child(located, "spec") };
  if (kind === "Gateway") {
    state.gateways.push(flat);
    state.gatewaySources.push(source);
  } else {
    state.httpRoutes.push(flat);
    state.httpRouteSources.push(source);
  }
}

/** A native document's `gateways:` or `httpRoutes:` list. */
export function readNativeGatewayList(value: unknown, field: "gateways" | "httpRoutes", at: DocLocation, state: MergeState): void {
  if (!Array.isArray(value)) return addProblem(state, child(at, field), `must be a list of ${field === "gateways" ? "Gateways" : "HTTPRoutes"}, got ${got(value)}`);
  value.forEach((item, i) => {
    const itemAt = child(at, field, i);
    const source = { metadata: itemAt, spec: itemAt };
    if (field === "gateways") {
      state.gateways.push(item);
      state.gatewaySources.push(source);
    } else {
      state.httpRoutes.push(item);
      state.httpRouteSources.push(source);
    }
  });
}
