import { afterEach, describe, expect, it, vi } from "vitest";
import * as v from "valibot";
import type { FilterRequest } from "./filter";
import type { FilterContext } from "./module";
import { headerNameProblem, headerValueProblem, nginxHeaders, REQUEST_HEADER_REASONS, RESPONSE_HEADER_REASONS } from "./nginx-headers";

const ctx: FilterContext = { pools: new Set(), matchPathTypes: ["PathPrefix"], namespace: "default", onBackendRef: false };

function compile(raw: unknown) {
  const parsed = v.parse(nginxHeaders.schema, raw);
  expect(nginxHeaders.check?.(parsed, ctx)).toEqual([]);
  return nginxHeaders.compile(parsed, ctx);
}

const request = (headers: Headers) => ({ headers }) as unknown as FilterRequest;

afterEach(() => vi.useRealTimers());

describe("NginxHeaders values", () => {
  it("accepts text and $msec / ${msec}", () => {
    for (const value of ["true", "t=${msec}", "t=$msec", "", "a $msec b ${msec}", "100%"]) expect(headerValueProblem(value), value).toBeUndefined();
  });

  it("refuses every other nginx variable by name, and a $ that starts none", () => {
    expect(headerValueProblem("$host")).toContain("$host");
    expect(headerValueProblem("${remote_addr}")).toContain("$remote_addr");
    expect(headerValueProblem("t=$msecs")).toContain("$msecs");
    expect(headerValueProblem("$1")).toContain("$1");
    expect(headerValueProblem("costs $ 5")).toContain('"$" that starts no variable');
    expect(headerValueProblem("${msec")).toContain("unclosed");
  });

  it("refuses CR, LF and NUL", () => {
    expect(headerValueProblem("a\r\nSet-Cookie: x=1")).toContain("CR, LF or NUL");
  });

  it("refuses names that are not tokens, hop-by-hop fields and the router's own", () => {
    expect(headerNameProblem("X Bad", REQUEST_HEADER_REASONS)).toContain("valid header name");
    expect(headerNameProblem("X-Forwarded-For", REQUEST_HEADER_REASONS)).toContain("router sets it");
    expect(headerNameProblem("X-Request-Id", REQUEST_HEADER_REASONS)).toContain("router sets it");
    expect(headerNameProblem("Host", REQUEST_HEADER_REASONS)).toContain("preserveHost");
    expect(headerNameProblem("Connection", RESPONSE_HEADER_REASONS)).toContain("hop-by-hop");
    expect(headerNameProblem("Set-Cookie", RESPONSE_HEADER_REASONS)).toContain("cookies");
    expect(headerNameProblem("X-Frame-Options", RESPONSE_HEADER_REASONS)).toBeUndefined();
  });

  it("reports each bad entry at its path", () => {
    const raw = v.parse(nginxHeaders.schema, { request: [{ name: "x-a", value: "$host" }, { name: "X-A", value: "1" }], response: [{ name: "set-cookie", value: "a=1" }] });
    expect(nginxHeaders.check?.(raw, ctx)).toEqual([
      { path: ["request", 0, "value"], message: expect.stringContaining("$host") },
      { path: ["request", 1, "name"], message: expect.stringContaining("twice") },
      { path: ["response", 0, "name"], message: expect.stringContaining("cookies") },
    ]);
  });
});

describe("NginxHeaders", () => {
  it("sets request headers, replacing the client's, with $msec as nginx writes it", () => {
    vi.useFakeTimers();
    vi.setSystemTime(1712345678123);
    const filter = compile({ request: [{ name: "X-Request-Start", value: "t=${msec}" }, { name: "X-Using-Nginx-Controller", value: "true" }] });
    const headers = new Headers({ "x-using-nginx-controller": "client" });
    expect(filter.onRequest?.(request(headers))).toBeUndefined();
    expect(headers.get("x-request-start")).toBe("t=1712345678.123");
    expect(headers.get("x-using-nginx-controller")).toBe("true");
    expect(filter.onResponse).toBeUndefined();
  });

  it("removes a header whose value is empty, as nginx's proxy_set_header and more_set_headers do", () => {
    const filter = compile({ request: [{ name: "Accept-Encoding", value: "" }], response: [{ name: "X-Powered-By", value: "" }] });
    const request_ = new Headers({ "accept-encoding": "gzip" });
    filter.onRequest?.(request(request_));
    expect(request_.has("accept-encoding")).toBe(false);
    const response = new Headers({ "x-powered-by": "php" });
    filter.onResponse?.({ status: 200, headers: response, request: request(new Headers()) });
    expect(response.has("x-powered-by")).toBe(false);
    expect(filter.describe()).toEqual(["request header: remove accept-encoding", "response header: remove x-powered-by"]);
  });

  it("sets response headers, replacing the origin's", () => {
    const filter = compile({ response: [{ name: "Content-Type", value: "application/json" }] });
    const headers = new Headers({ "content-type": "text/html" });
    filter.onResponse?.({ status: 200, headers, request: request(new Headers()) });
    expect(headers.get("content-type")).toBe("application/json");
    expect(filter.onRequest).toBeUndefined();
    expect(filter.describe()).toEqual(["response header: set content-type: application/json"]);
  });
});
