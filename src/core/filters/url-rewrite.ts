// URLRewrite (Gateway API extended): changes the path and/or the Host the
// origin receives. A Host rewrite is carried out by fetching the URL with
// that host and connecting to the origin's own host (cf.resolveOverride,
// src/edge/forward.ts); the client's host stays in X-Forwarded-Host.
import * as v from "valibot";
import { got } from "../config/messages";
import { frozenFilter, type Filter } from "./filter";
import { preciseHostname } from "./hostname";
import { defineFilter } from "./module";
import { checkPathModifier, describePathModifier, modifyPath, pathModifierSchema } from "./path-modifier";

const schema = v.strictObject(
  {
    hostname: v.optional(v.pipe(preciseHostname, v.description("The Host the origin receives."))),
    path: v.optional(pathModifierSchema),
  },
  (i) => `must be an object with hostname or path, got ${got(i.input)}`,
);

export const urlRewrite = defineFilter<v.InferOutput<typeof schema>>({
  type: "URLRewrite",
  field: "urlRewrite",
  schema,
  onBackendRef: true,
  repeatable: false,
  check: (raw, ctx) => checkPathModifier(raw.path, ctx),
  compile(raw): Filter {
    const { hostname, path } = raw;
    return frozenFilter({
      type: "URLRewrite",
      ...(hostname === undefined ? {} : { rewritesHost: hostname }),
      onRequest(request) {
        if (hostname !== undefined) request.upstreamHost = hostname;
        if (path !== undefined) request.path = modifyPath(request.path, path, request.matchedPrefix);
        return undefined;
      },
      describe: () => [...(hostname ? [`rewrite Host to ${hostname}`] : []), ...(path ? [`rewrite ${describePathModifier(path)}`] : [])],
    });
  },
});
