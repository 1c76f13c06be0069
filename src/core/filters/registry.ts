// Filters by Gateway API type: the one list the config schema, the parser,
// explain and the Worker read. Adding a filter is one file exporting a
// FilterModule and its line here.
import * as v from "valibot";
import { got } from "../config/messages";
import { cors } from "./cors";
import type { FilterModule } from "./module";
import { requestHeaderModifier } from "./request-header-modifier";
import { requestMirror } from "./request-mirror";
import { requestRedirect } from "./request-redirect";
import { responseHeaderModifier } from "./response-header-modifier";
import { urlRewrite } from "./url-rewrite";

export const FILTERS: readonly FilterModule[] = Object.freeze([requestHeaderModifier, responseHeaderModifier, requestRedirect, urlRewrite, requestMirror, cors]);

export const filtersByType: ReadonlyMap<string, FilterModule> = new Map(FILTERS.map((f) => [f.type, f]));

const TYPES = FILTERS.map((f) => f.type).join(", ");

/**
 * One HTTPRouteFilter: `type` plus the one field of that type. An
 * ExtensionRef (implementation-specific filters) is refused by name.
 */
export const httpRouteFilter = v.pipe(
  v.looseObject(
    {
      type: v.pipe(
        v.string((i) => `must be one of ${TYPES}, got ${got(i.input)}`),
        v.check((t) => t !== "ExtensionRef", "ExtensionRef filters are not supported by edge-ingress"),
        v.check((t) => t === "ExtensionRef" || filtersByType.has(t), (i) => `must be one of ${TYPES}, got ${got(i.input)}`),
      ),
    },
    (i) => `must be a filter object with "type", got ${got(i.input)}`,
  ),
  v.description(`A Gateway API HTTPRouteFilter: type (${TYPES}) and the field of that type.`),
);
