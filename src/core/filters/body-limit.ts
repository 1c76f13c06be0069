// RequestBodyLimit: the largest request body a rule accepts, as nginx's
// client_max_body_size (ingress-nginx's proxy-body-size). The filter only
// marks the request; the edge answers 413 before contacting an origin when
// Content-Length is over, and cuts a chunked body off at the limit (then
// also 413), so an origin never receives more than the limit.
import * as v from "valibot";
import { got } from "../config/messages";
import { frozenFilter, type Filter } from "./filter";
import { defineFilter } from "./module";

const schema = v.strictObject(
  {
    maxBytes: v.pipe(
      v.number((i) => `must be a number of bytes, got ${got(i.input)}`),
      v.integer("must be a whole number of bytes"),
      v.minValue(0, (i) => `must be 0 (no limit) or more bytes, got ${got(i.input)}`),
      v.description("Largest request body in bytes; 0: no limit (the zone's plan limit still applies)."),
    ),
  },
  (i) => `must be an object with maxBytes, got ${got(i.input)}`,
);

type Raw = v.InferOutput<typeof schema>;

const UNITS: Readonly<Record<string, number>> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * An nginx size ("8m", "512k", "1g", "1048576"; units case-insensitive,
 * powers of 1024, as nginx's ngx_parse_offset) in bytes; undefined when it
 * is not one.
 */
export function parseNginxSize(text: string): number | undefined {
  const m = /^(\d{1,15})([kmg]?)$/i.exec(text.trim());
  if (!m) return undefined;
  const bytes = Number(m[1]) * (UNITS[(m[2] as string).toLowerCase()] as number);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

export const requestBodyLimit = defineFilter<Raw>({
  type: "RequestBodyLimit",
  field: "requestBodyLimit",
  schema,
  onBackendRef: false,
  repeatable: false,
  compile(raw): Filter {
    const maxBytes = raw.maxBytes;
    return frozenFilter({
      type: "RequestBodyLimit",
      onRequest(request) {
        request.maxBodyBytes = maxBytes === 0 ? undefined : maxBytes;
        return undefined;
      },
      describe: () => [maxBytes === 0 ? "no request body limit" : `request bodies over ${maxBytes} bytes answered 413`],
    });
  },
});
