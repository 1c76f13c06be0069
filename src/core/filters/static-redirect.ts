// StaticRedirect (edge-ingress): ingress-nginx's permanent-redirect and
// temporal-redirect. Every request is answered with this exact Location
// (nginx `return <code> <url>;`: the request's path and query are not
// appended) and no origin is asked.
import * as v from "valibot";
import { got } from "../config/messages";
import { frozenFilter, type Filter } from "./filter";
import { defineFilter } from "./module";

export const REDIRECT_CODES = [301, 302, 303, 307, 308] as const;

export function redirectUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be an absolute http(s) URL, got ${got(value)}`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `must be an absolute http(s) URL, got ${got(value)}`;
  if (/[\s"<>\\^`{|}]/.test(value)) return `must not contain spaces or characters a URL must escape, got ${got(value)}`;
  return undefined;
}

const schema = v.strictObject(
  {
    location: v.pipe(
      v.string((i) => `must be an absolute http(s) URL, got ${got(i.input)}`),
      v.rawCheck(({ dataset, addIssue }) => {
        if (!dataset.typed) return;
        const problem = redirectUrlProblem(dataset.value);
        if (problem) addIssue({ message: problem });
      }),
      v.description("The Location of the redirect, as written (the request's path is not appended)."),
    ),
    statusCode: v.optional(
      v.pipe(v.picklist(REDIRECT_CODES, (i) => `must be 301, 302, 303, 307 or 308, got ${got(i.input)}`), v.description("Default 301.")),
    ),
  },
  (i) => `must be an object with location and statusCode, got ${got(i.input)}`,
);

export const staticRedirect = defineFilter<v.InferOutput<typeof schema>>({
  type: "StaticRedirect",
  field: "staticRedirect",
  schema,
  onBackendRef: false,
  repeatable: false,
  compile(raw): Filter {
    const answer = Object.freeze({ status: raw.statusCode ?? 301, headers: Object.freeze({ location: raw.location }), body: "" });
    return frozenFilter({
      type: "StaticRedirect",
      onRequest: () => answer,
      describe: () => [`redirect ${answer.status} to ${raw.location}`],
    });
  },
});
