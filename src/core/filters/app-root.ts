// AppRoot (edge-ingress): ingress-nginx's app-root. A request for exactly
// "/" (any query) is answered 302 with Location <scheme>://<Host><path>,
// the Host as the client sent it (port included, as nginx's $http_host);
// every other path goes on unchanged.
import * as v from "valibot";
import { got } from "../config/messages";
import { frozenFilter, type Filter } from "./filter";
import { defineFilter } from "./module";

const WELL_KNOWN: Readonly<Record<string, number>> = { http: 80, https: 443 };

const schema = v.strictObject(
  {
    path: v.pipe(
      v.string((i) => `must be a path, got ${got(i.input)}`),
      v.check((p) => /^\/[-A-Za-z0-9._~:/]*$/.test(p), (i) => `must be a path starting with "/", got ${got(i.input)}`),
      v.description("Where a request for / is redirected (302)."),
    ),
  },
  (i) => `must be an object with path, got ${got(i.input)}`,
);

export const appRoot = defineFilter<v.InferOutput<typeof schema>>({
  type: "AppRoot",
  field: "appRoot",
  schema,
  onBackendRef: false,
  repeatable: false,
  compile(raw): Filter {
    return frozenFilter({
      type: "AppRoot",
      onRequest(request) {
        if (request.path !== "/") return undefined;
        const host = request.port === WELL_KNOWN[request.scheme] ? request.hostname : `${request.hostname}:${request.port}`;
        return { status: 302, headers: { location: `${request.scheme}://${host}${raw.path}` }, body: "" };
      },
      describe: () => [`redirect / to ${raw.path} (302)`],
    });
  },
});
