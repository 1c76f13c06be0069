// StrictTransportSecurity (edge-ingress's own filter; on an Ingress, a tls
// section brings it with ingress-nginx's ConfigMap defaults: hsts "true",
// hsts-max-age 31536000, hsts-include-subdomains "true", hsts-preload
// "false"): sets Strict-Transport-Security on the origin's responses to
// HTTPS requests, replacing any the origin sent, and never on plain HTTP
// (RFC 6797 section 7.2: a browser ignores it there, and it would only
// advertise what the plain connection cannot vouch for).
import * as v from "valibot";
import { got } from "../config/messages";
import { frozenFilter, type Filter } from "./filter";
import { defineFilter } from "./module";

const schema = v.strictObject(
  {
    maxAgeSeconds: v.pipe(
      v.number((i) => `must be a whole number of seconds, got ${got(i.input)}`),
      v.check((n) => Number.isInteger(n) && n >= 0 && n <= 2 ** 31 - 1, (i) => `must be a whole number of seconds from 0 to 2147483647, got ${got(i.input)}`),
      v.description("max-age: how long browsers keep using HTTPS only. 0 tells them to forget it."),
    ),
    includeSubDomains: v.optional(v.pipe(v.boolean((i) => `must be true or false, got ${got(i.input)}`), v.description("Add includeSubDomains. Default false."))),
    preload: v.optional(v.pipe(v.boolean((i) => `must be true or false, got ${got(i.input)}`), v.description("Add preload (for browsers' preload lists). Default false."))),
  },
  (i) => `must be an object with maxAgeSeconds, includeSubDomains and preload, got ${got(i.input)}`,
);

type Raw = v.InferOutput<typeof schema>;

export function hstsValue(raw: Raw): string {
  return `max-age=${raw.maxAgeSeconds}${raw.includeSubDomains ? "; includeSubDomains" : ""}${raw.preload ? "; preload" : ""}`;
}

export const strictTransportSecurity = defineFilter<Raw>({
  type: "StrictTransportSecurity",
  field: "strictTransportSecurity",
  schema,
  onBackendRef: false,
  repeatable: false,
  compile(raw): Filter {
    const value = hstsValue(raw);
    return frozenFilter({
      type: "StrictTransportSecurity",
      onResponse(response) {
        if (response.request.scheme === "https") response.headers.set("strict-transport-security", value);
      },
      describe: () => [`HTTPS responses: Strict-Transport-Security: ${value}`],
    });
  },
});
