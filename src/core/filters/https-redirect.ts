// HTTPSRedirect (edge-ingress's own filter; on an Ingress it is what a tls
// section, ssl-redirect and force-ssl-redirect become): a request that
// arrived over plain HTTP is answered with a redirect to the same host,
// path and query over HTTPS (port 443, left out of Location); an HTTPS
// request passes untouched. The scheme is the request URL's, as the runtime
// gives it to the Worker (Cloudflare sets it from the client's connection).
// 308 by default (ingress-nginx's http-redirect-code), so a POST stays a
// POST. ingress-nginx drops one trailing "/" of a query-less request URI
// unless preserve-trailing-slash is set; `preserveTrailingSlash: false`
// does the same, and the default keeps the path exactly. Runs first of all
// filters (the https stage): nothing else is decided over plain HTTP.
import * as v from "valibot";
import { got } from "../config/messages";
import { frozenFilter, type Filter, type FilterRequest } from "./filter";
import { defineFilter } from "./module";

const schema = v.strictObject(
  {
    statusCode: v.optional(
      v.pipe(v.picklist([301, 302, 303, 307, 308], (i) => `must be 301, 302, 303, 307 or 308, got ${got(i.input)}`), v.description("The redirect's status. Default 308.")),
    ),
    preserveTrailingSlash: v.optional(
      v.pipe(
        v.boolean((i) => `must be true or false, got ${got(i.input)}`),
        v.description('false: drop a trailing "/" of a request without query, as ingress-nginx does without preserve-trailing-slash. Default true.'),
      ),
    ),
  },
  (i) => `must be an object with statusCode or preserveTrailingSlash (or empty), got ${got(i.input)}`,
);

type Raw = v.InferOutput<typeof schema>;

export const DEFAULT_HTTPS_REDIRECT_CODE = 308;

export function httpsLocation(request: FilterRequest, preserveTrailingSlash: boolean): string {
  const path = !preserveTrailingSlash && request.search === "" && request.clientPath.endsWith("/") ? request.clientPath.slice(0, -1) : request.clientPath;
  return `https://${request.hostname}${path}${request.search}`;
}

export const httpsRedirect = defineFilter<Raw>({
  type: "HTTPSRedirect",
  field: "httpsRedirect",
  schema,
  onBackendRef: false,
  repeatable: false,
  compile(raw): Filter {
    const status = raw.statusCode ?? DEFAULT_HTTPS_REDIRECT_CODE;
    const preserve = raw.preserveTrailingSlash ?? true;
    return frozenFilter({
      type: "HTTPSRedirect",
      stage: "https",
      onRequest: (request: FilterRequest) =>
        request.scheme === "https" ? undefined : { status, headers: { location: httpsLocation(request, preserve) }, body: "" },
      describe: () => [`plain HTTP: redirect ${status} to https://, same host, path${preserve ? "" : " (one trailing / dropped)"} and query`],
    });
  },
});
