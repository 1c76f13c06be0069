// RequestMirror (Gateway API extended): a copy of the request goes to
// another pool, for all requests or a percent/fraction of them; its answer
// is dropped and the client never waits for it (src/edge/mirror.ts). The
// spec lets a rule mirror to several backends.
import * as v from "valibot";
import { got } from "../config/messages";
import { backendObjectReference, referenceProblems } from "./backend-ref";
import { frozenFilter, type Filter } from "./filter";
import { defineFilter, type FilterProblem } from "./module";

const schema = v.strictObject(
  {
    backendRef: v.strictObject(backendObjectReference, (i) => `must be a backend reference with "name", got ${got(i.input)}`),
    percent: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100, (i) => `must be from 0 to 100, got ${got(i.input)}`))),
    fraction: v.optional(
      v.strictObject({
        numerator: v.pipe(v.number(), v.integer(), v.minValue(0, (i) => `must be 0 or more, got ${got(i.input)}`)),
        denominator: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1, (i) => `must be 1 or more, got ${got(i.input)}`))),
      }),
    ),
  },
  (i) => `must be an object with backendRef, got ${got(i.input)}`,
);

type Raw = v.InferOutput<typeof schema>;

export const requestMirror = defineFilter<Raw>({
  type: "RequestMirror",
  field: "requestMirror",
  schema,
  onBackendRef: true,
  repeatable: true,
  check(raw, ctx) {
    const problems: FilterProblem[] = referenceProblems(raw.backendRef, ctx.namespace).map((p) => ({ path: ["backendRef", p.field], message: p.message }));
    if (!ctx.pools.has(raw.backendRef.name)) {
      problems.push({ path: ["backendRef", "name"], message: `no pool named ${got(raw.backendRef.name)} (pools: ${[...ctx.pools].join(", ") || "none"})` });
    }
    if (raw.percent !== undefined && raw.fraction !== undefined) problems.push({ path: ["fraction"], message: "cannot be set together with percent" });
    const f = raw.fraction;
    if (f !== undefined && f.numerator > (f.denominator ?? 100)) problems.push({ path: ["fraction", "numerator"], message: "must not exceed the denominator" });
    return problems;
  },
  compile(raw): Filter {
    const share = raw.percent !== undefined ? raw.percent / 100 : raw.fraction !== undefined ? raw.fraction.numerator / (raw.fraction.denominator ?? 100) : 1;
    const target = Object.freeze({ pool: raw.backendRef.name });
    return frozenFilter({
      type: "RequestMirror",
      sendsTo: [target.pool],
      onRequest(request) {
        if (share >= 1 || request.random() < share) request.mirrors.push(target);
        return undefined;
      },
      describe: () => [`mirror ${share >= 1 ? "every request" : `${Math.round(share * 10000) / 100}% of requests`} to pool ${target.pool}`],
    });
  },
});
