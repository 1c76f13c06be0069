// ResponseHeaderModifier (Gateway API extended): edits the headers of the
// origin's response before it reaches the client. The router's own answers
// (errors, redirects) are not edited.
import { frozenFilter, type Filter } from "./filter";
import { applyHeaderEdits, checkHeaderNames, describeHeaderEdits, headerEdits, headerFilterSchema, HOP_BY_HOP_REASONS } from "./header-modifier";
import { defineFilter } from "./module";

export const responseHeaderModifier = defineFilter({
  type: "ResponseHeaderModifier",
  field: "responseHeaderModifier",
  schema: headerFilterSchema,
  onBackendRef: true,
  repeatable: false,
  check: (raw) => checkHeaderNames(raw, HOP_BY_HOP_REASONS),
  compile(raw): Filter {
    const edits = headerEdits(raw);
    return frozenFilter({
      type: "ResponseHeaderModifier",
      onResponse(response) {
        applyHeaderEdits(response.headers, edits);
      },
      describe: () => describeHeaderEdits(edits, "response header"),
    });
  },
});
