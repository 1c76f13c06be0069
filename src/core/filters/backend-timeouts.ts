// BackendTimeouts: a rule's own deadlines towards the origin, in place of
// its pool's, as ingress-nginx's proxy-*-timeout annotations set them:
//   responseMs    the wait for the origin's response headers, per try (the
//                 pool's timeoutMs): proxy-read-timeout, plus
//                 proxy-connect-timeout when both are set, since workerd
//                 opens the connection inside that same wait and has no
//                 separate connect deadline;
//   uploadIdleMs  the longest pause while the request body is relayed (the
//                 pool's uploadIdleTimeoutMs): proxy-send-timeout.
// An HTTPRoute rule's timeouts.backendRequest, when set, wins over responseMs.
import * as v from "valibot";
import { got } from "../config/messages";
import { frozenFilter, type Filter } from "./filter";
import { defineFilter } from "./module";

const ms = (what: string) =>
  v.optional(v.pipe(v.number((i) => `must be a number of milliseconds, got ${got(i.input)}`), v.integer("must be whole milliseconds"), v.minValue(1, "must be 1 ms or more"), v.maxValue(3_600_000, "must be at most one hour"), v.description(what)));

const schema = v.strictObject(
  {
    responseMs: ms("Deadline for the origin's response headers, per try, instead of the pool's timeoutMs."),
    uploadIdleMs: ms("Longest pause while relaying the request body, instead of the pool's uploadIdleTimeoutMs."),
  },
  (i) => `must be an object with responseMs and/or uploadIdleMs, got ${got(i.input)}`,
);

type Raw = v.InferOutput<typeof schema>;

export const backendTimeouts = defineFilter<Raw>({
  type: "BackendTimeouts",
  field: "backendTimeouts",
  schema,
  onBackendRef: false,
  repeatable: false,
  compile(raw): Filter {
    return frozenFilter({
      type: "BackendTimeouts",
      onRequest(request) {
        if (raw.responseMs !== undefined) request.responseTimeoutMs = raw.responseMs;
        if (raw.uploadIdleMs !== undefined) request.uploadIdleTimeoutMs = raw.uploadIdleMs;
        return undefined;
      },
      describe: () => [`origin deadlines: ${raw.responseMs !== undefined ? `response headers ${raw.responseMs} ms` : "pool's response deadline"}, ${raw.uploadIdleMs !== undefined ? `upload pauses ${raw.uploadIdleMs} ms` : "pool's upload pause limit"}`],
    });
  },
});
