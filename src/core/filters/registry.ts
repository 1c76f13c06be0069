// Filters by Gateway API type: the one list the config schema, the parser,
// explain and the Worker read. Adding a filter is one file exporting a
// FilterModule and its line here.
import * as v from "valibot";
import { got } from "../config/messages";
import { accessControl } from "./access-control";
import { backendTimeouts } from "./backend-timeouts";
import { basicAuth } from "./basic-auth";
import { requestBodyLimit } from "./body-limit";
import { cors } from "./cors";
import { errorBackend } from "./error-backend";
import { externalAuth } from "./external-auth";
import { httpsRedirect } from "./https-redirect";
import type { FilterModule } from "./module";
import { nginxCors } from "./nginx-cors";
import { nginxHeaders } from "./nginx-headers";
import { requestHeaderModifier } from "./request-header-modifier";
import { requestMirror } from "./request-mirror";
import { requestRedirect } from "./request-redirect";
import { responseHeaderModifier } from "./response-header-modifier";
import { strictTransportSecurity } from "./strict-transport-security";
import { urlRewrite } from "./url-rewrite";
import { appRoot } from "./app-root";
import { rewriteTarget } from "./rewrite-target";
import { staticRedirect } from "./static-redirect";

export const FILTERS: readonly FilterModule[] = Object.freeze([requestHeaderModifier, responseHeaderModifier, requestRedirect, urlRewrite, requestMirror, cors, rewriteTarget, appRoot, staticRedirect,
  // edge-ingress's own, for what ingress-nginx annotations ask (the https and access stages, request/stages.ts).
  httpsRedirect, accessControl, strictTransportSecurity,
  // The auth stage: an asynchronous request step (filter.ts).
  basicAuth, externalAuth,
  // ingress-nginx's CORS, proxy-body-size, default-backend/custom-http-errors and proxy-*-timeout.
  nginxCors, requestBodyLimit, errorBackend, backendTimeouts,
  // The controller ConfigMap's proxy-set-headers and add-headers, and the custom-headers annotation.
  nginxHeaders]);

export const filtersByType: ReadonlyMap<string, FilterModule> = new Map(FILTERS.map((f) => [f.type, f]));

const TYPES = FILTERS.map((f) => f.type).join(", ");

/**
 * One HTTPRouteFilter: `type` plus the one field of that type. The type and
 * the field are checked against the registry when the rule is compiled
 * (src/core/gateway/rules.ts), where an ExtensionRef (implementation-specific
 * filters) is refused by name.
 */
export const httpRouteFilter = v.pipe(
  v.looseObject({ type: v.pipe(v.string((i) => `must be one of ${TYPES}, got ${got(i.input)}`), v.description(`One of ${TYPES}.`)) }, (i) => `must be a filter object with "type", got ${got(i.input)}`),
  v.description(`A Gateway API HTTPRouteFilter: type (${TYPES}) and the field of that type.`),
);

/** Why a filter type cannot be used, or undefined when the registry has it. */
export function filterTypeProblem(type: string): string | undefined {
  if (type === "ExtensionRef") return "ExtensionRef filters are not supported by edge-ingress";
  return filtersByType.has(type) ? undefined : `must be one of ${TYPES}, got ${got(type)}`;
}

/**
 * The same, spelled out per type for the JSON Schema (editors complete and
 * check each filter's fields); the parser checks the type and the field
 * through the registry, with paths and messages of its own.
 */
export const httpRouteFilterDocumented = v.pipe(
  v.union(FILTERS.map((f) => v.strictObject({ type: v.literal(f.type), [f.field]: f.documented ?? f.schema }))),
  v.description(`A Gateway API HTTPRouteFilter: type (${TYPES}) and the field of that type.`),
);
