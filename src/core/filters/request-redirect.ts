// RequestRedirect (Gateway API core; path and 303/307/308 extended): the
// router answers with a redirect and no origin is asked. Unset parts come
// from the request (RequestRedirect field docs): the scheme and host the
// client used, the path (or the modified one); the port is the filter's,
// else the new scheme's well-known port, else the port the client used, and
// is left out of Location when it is the scheme's well-known port.
import * as v from "valibot";
import { got } from "../config/messages";
import { frozenFilter, type Filter, type FilterRequest } from "./filter";
import { preciseHostname } from "./hostname";
import { defineFilter } from "./module";
import { checkPathModifier, describePathModifier, modifyPath, pathModifierSchema } from "./path-modifier";

const schema = v.strictObject(
  {
    scheme: v.optional(v.picklist(["http", "https"], (i) => `must be http or https, got ${got(i.input)}`)),
    hostname: v.optional(preciseHostname),
    path: v.optional(pathModifierSchema),
    port: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535, (i) => `must be a port from 1 to 65535, got ${got(i.input)}`))),
    statusCode: v.optional(v.picklist([301, 302, 303, 307, 308], (i) => `must be 301, 302, 303, 307 or 308, got ${got(i.input)}`)),
  },
  (i) => `must be an object with scheme, hostname, path, port or statusCode, got ${got(i.input)}`,
);

const WELL_KNOWN: Readonly<Record<string, number>> = { http: 80, https: 443 };

export const requestRedirect = defineFilter<v.InferOutput<typeof schema>>({
  type: "RequestRedirect",
  field: "requestRedirect",
  schema,
  onBackendRef: false,
  repeatable: false,
  check: (raw, ctx) => checkPathModifier(raw.path, ctx),
  compile(raw): Filter {
    const status = raw.statusCode ?? 302;
    const location = (request: FilterRequest): string => {
      const scheme = raw.scheme ?? request.scheme;
      const port = raw.port ?? (raw.scheme !== undefined ? WELL_KNOWN[raw.scheme] : request.port);
      const host = raw.hostname ?? request.hostname;
      const hostPort = port === undefined || port === WELL_KNOWN[scheme] ? host : `${host}:${port}`;
      const path = raw.path === undefined ? request.path : modifyPath(request.path, raw.path, request.matchedPrefix);
      return `${scheme}://${hostPort}${path}${request.search}`;
    };
    return frozenFilter({
      type: "RequestRedirect",
      onRequest: (request: FilterRequest) => ({ status, headers: { location: location(request) }, body: "" }),
      describe: () => [
        `redirect ${status}${raw.scheme ? ` to scheme ${raw.scheme}` : ""}${raw.hostname ? `, host ${raw.hostname}` : ""}${raw.port ? `, port ${raw.port}` : ""}${raw.path ? `, ${describePathModifier(raw.path)}` : ""}`,
      ],
    });
  },
});
