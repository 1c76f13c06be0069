// A reference to a backend (a pool) as the Gateway API writes it: group and
// kind default to a core Service, which is what a pool stands for; a
// namespace other than the route's would need a ReferenceGrant, which
// edge-ingress does not implement, so it is refused.
import * as v from "valibot";
import { got } from "../config/messages";

export const backendObjectReference = {
  group: v.optional(v.pipe(v.string((i) => `must be a string, got ${got(i.input)}`), v.description('"" (core) for a Service: a pool.'))),
  kind: v.optional(v.pipe(v.string((i) => `must be a string, got ${got(i.input)}`), v.description("Service (the default): a pool."))),
  name: v.pipe(v.string((i) => `must be the name of a pool, got ${got(i.input)}`), v.description("The pool that serves this backend.")),
  namespace: v.optional(v.pipe(v.string((i) => `must be a string, got ${got(i.input)}`), v.description("Must be the route's own namespace (ReferenceGrant is not implemented)."))),
  port: v.optional(
    v.pipe(
      v.number((i) => `must be a port number, got ${got(i.input)}`),
      v.integer(),
      v.minValue(1, "must be from 1 to 65535"),
      v.maxValue(65535, "must be from 1 to 65535"),
      v.description("Accepted for Kubernetes compatibility and ignored: the pool's origin URLs carry the port."),
    ),
  ),
};

export interface RawBackendObjectReference {
  readonly group?: string | undefined;
  readonly kind?: string | undefined;
  readonly name: string;
  readonly namespace?: string | undefined;
  readonly port?: number | undefined;
}

/** Problems with a reference that make it unusable whatever the pools (kind, namespace), by field. */
export function referenceProblems(ref: RawBackendObjectReference, namespace: string): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (ref.group !== undefined && ref.group !== "" && ref.group !== "core") {
    problems.push({ field: "group", message: `must be "" (a core Service, which a pool stands for), got ${got(ref.group)}` });
  }
  if (ref.kind !== undefined && ref.kind !== "Service") problems.push({ field: "kind", message: `must be Service (a pool), got ${got(ref.kind)}: other backend kinds are not supported` });
  if (ref.namespace !== undefined && ref.namespace !== namespace) {
    problems.push({
      field: "namespace",
      message: `must be the route's namespace ${got(namespace)}, got ${got(ref.namespace)}: cross-namespace references need a ReferenceGrant, which edge-ingress does not implement`,
    });
  }
  return problems;
}
