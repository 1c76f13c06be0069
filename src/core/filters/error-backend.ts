// ErrorBackend: another pool answers in place of the rule's, as
// ingress-nginx's default-backend and custom-http-errors annotations do:
//   - when the rule's pool cannot take the request (no origin available, or
//     none could be connected to), the request goes to this pool as it is;
//   - when the origin answers one of `statusCodes`, its answer is dropped and
//     this pool is asked instead, with the headers ingress-nginx sends its
//     error backend (docs/user-guide/custom-errors.md): X-Code, X-Format,
//     X-Original-URI, X-Namespace, X-Ingress-Name, X-Service-Name,
//     X-Request-ID. Its answer reaches the client unchanged.
// The filter marks the request; the edge (src/edge/error-backend.ts) acts.
import * as v from "valibot";
import { got } from "../config/messages";
import { frozenFilter, type Filter } from "./filter";
import { defineFilter, type FilterProblem } from "./module";

const schema = v.strictObject(
  {
    backendRef: v.pipe(
      v.strictObject({ name: v.string((i) => `must be a pool name, got ${got(i.input)}`) }, (i) => `must be an object with "name", got ${got(i.input)}`),
      v.description("The pool that answers instead."),
    ),
    statusCodes: v.pipe(
      v.optional(
        v.array(
          v.pipe(v.number((i) => `must be a status code, got ${got(i.input)}`), v.integer("must be a whole number"), v.minValue(300, "must be 300 to 599"), v.maxValue(599, "must be 300 to 599")),
          (i) => `must be a list of status codes, got ${got(i.input)}`,
        ),
      ),
      v.description("Origin statuses answered by the error backend instead (custom-http-errors). Default: none."),
    ),
    ingressName: v.pipe(v.optional(v.string()), v.description("Sent as X-Ingress-Name (set from the Ingress for annotations).")),
    namespace: v.pipe(v.optional(v.string()), v.description("Sent as X-Namespace.")),
  },
  (i) => `must be an object with backendRef and statusCodes, got ${got(i.input)}`,
);

type Raw = v.InferOutput<typeof schema>;

/** What the edge needs to send a request to the error backend. */
export interface ErrorBackendPlan {
  readonly pool: string;
  readonly statusCodes: ReadonlySet<number>;
  readonly ingressName: string;
  readonly namespace: string;
}

export const errorBackend = defineFilter<Raw>({
  type: "ErrorBackend",
  field: "errorBackend",
  schema,
  onBackendRef: false,
  repeatable: false,
  check(raw, ctx) {
    const problems: FilterProblem[] = [];
    if (!ctx.pools.has(raw.backendRef.name)) problems.push({ path: ["backendRef", "name"], message: `must name a pool (pools: ${[...ctx.pools].join(", ") || "none"}), got ${got(raw.backendRef.name)}` });
    return problems;
  },
  compile(raw): Filter {
    const plan: ErrorBackendPlan = Object.freeze({
      pool: raw.backendRef.name,
      statusCodes: new Set(raw.statusCodes ?? []),
      ingressName: raw.ingressName ?? "",
      namespace: raw.namespace ?? "",
    });
    return frozenFilter({
      type: "ErrorBackend",
      sendsTo: [plan.pool],
      onRequest(request) {
        request.errorBackend = plan;
        return undefined;
      },
      describe: () => [`pool ${plan.pool} answers when the rule's pool cannot${plan.statusCodes.size > 0 ? `, and instead of origin statuses ${[...plan.statusCodes].join(", ")}` : ""}`],
    });
  },
});

/** The headers ingress-nginx sends its error backend, on top of the request's forwarding headers. */
export function errorBackendHeaders(plan: ErrorBackendPlan, status: number, service: string, originalUri: string, accept: string | null, requestId: string): Record<string, string> {
  return {
    "x-code": String(status),
    // ingress-nginx sends the client's Accept, or text/html when there is none.
    "x-format": accept ?? "text/html",
    "x-original-uri": originalUri,
    "x-namespace": plan.namespace,
    "x-ingress-name": plan.ingressName,
    "x-service-name": service,
    "x-request-id": requestId,
  };
}
