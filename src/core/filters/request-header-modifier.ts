// RequestHeaderModifier (Gateway API core): edits the headers the origin
// receives. It runs after the router set X-Forwarded-* and X-Request-Id, so
// what the user writes wins (removing x-request-id removes it).
import { frozenFilter, type Filter } from "./filter";
import { applyHeaderEdits, checkHeaderNames, describeHeaderEdits, headerEdits, headerFilterSchema, HOP_BY_HOP_REASONS } from "./header-modifier";
import { defineFilter } from "./module";

const FORBIDDEN = { ...HOP_BY_HOP_REASONS, host: "the origin receives the fetched URL's host: use a URLRewrite filter's hostname" };

export const requestHeaderModifier = defineFilter({
  type: "RequestHeaderModifier",
  field: "requestHeaderModifier",
  schema: headerFilterSchema,
  onBackendRef: true,
  repeatable: false,
  check: (raw) => checkHeaderNames(raw, FORBIDDEN),
  compile(raw): Filter {
    const edits = headerEdits(raw);
    return frozenFilter({
      type: "RequestHeaderModifier",
      onRequest(request) {
        applyHeaderEdits(request.headers, edits);
        return undefined;
      },
      describe: () => describeHeaderEdits(edits, "request header"),
    });
  },
});
