// ingress-nginx's CORS (annotations.md #enable-cors): defaults, origin lists
// and one-label wildcards, preflights answered with 204.
import { describe, expect, it } from "vitest";
import * as v from "valibot";
import type { Filter, FilterRequest } from "./filter";
import type { FilterContext } from "./module";
import { nginxCors } from "./nginx-cors";
import { parseNginxSize, requestBodyLimit } from "./body-limit";

const ctx: FilterContext = { pools: new Set(), matchPathTypes: ["Prefix"], namespace: "default", onBackendRef: false };

function compile(config: unknown, module = nginxCors): Filter {
  const parsed = v.safeParse(module.schema, config);
  if (!parsed.success) throw new Error(parsed.issues[0]?.message);
  expect(module.check?.(parsed.output, ctx) ?? []).toEqual([]);
  return module.compile(parsed.output, ctx);
}

function request(headers: Record<string, string>, method = "GET"): FilterRequest {
  return {
    method, scheme: "https", hostname: "api.example.com", port: 443, clientPath: "/", path: "/", search: "", upstreamHost: undefined,
    clientHeaders: new Headers(headers), headers: new Headers(headers), matchedPrefix: undefined, mirrors: [], random: () => 0, clientIp: undefined, country: undefined, asn: undefined,
  };
}

function responseHeaders(filter: Filter, origin: string | undefined): Headers {
  const headers = new Headers();
  filter.onResponse?.({ status: 200, headers, request: request(origin === undefined ? {} : { origin }) });
  return headers;
}

describe("NginxCORS", () => {
  it("sends ingress-nginx's defaults: any origin, credentials, its methods and headers, 20 days", () => {
    const h = responseHeaders(compile({}), "https://web.example.net");
    expect(Object.fromEntries(h)).toEqual({
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "GET, PUT, POST, DELETE, PATCH, OPTIONS",
      "access-control-allow-headers": "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization",
      "access-control-allow-credentials": "true",
      "access-control-max-age": "1728000",
    });
  });

  it("echoes a listed origin (port included) and leaves others without CORS headers", () => {
    const f = compile({ allowOrigin: ["https://origin-site.com:4443", "http://origin-site.com", "myprotocol://example.org:1199"] });
    expect(responseHeaders(f, "https://origin-site.com:4443").get("access-control-allow-origin")).toBe("https://origin-site.com:4443");
    expect(responseHeaders(f, "myprotocol://example.org:1199").get("access-control-allow-origin")).toBe("myprotocol://example.org:1199");
    expect(responseHeaders(f, "https://origin-site.com").get("access-control-allow-origin")).toBeNull();
    expect(responseHeaders(f, "https://evil.example").get("access-control-allow-origin")).toBeNull();
    expect(responseHeaders(f, "https://evil.example").get("vary")).toBe("Origin");
  });

  it("reads *. as exactly one label", () => {
    const f = compile({ allowOrigin: ["https://*.origin-site.com:4443", "http://*.origin-site.com"] });
    expect(responseHeaders(f, "https://api.origin-site.com:4443").get("access-control-allow-origin")).toBe("https://api.origin-site.com:4443");
    expect(responseHeaders(f, "http://www.origin-site.com").get("access-control-allow-origin")).toBe("http://www.origin-site.com");
    expect(responseHeaders(f, "http://a.b.origin-site.com").get("access-control-allow-origin")).toBeNull();
    expect(responseHeaders(f, "http://origin-site.com").get("access-control-allow-origin")).toBeNull();
    expect(responseHeaders(f, "http://*.origin-site.com").get("access-control-allow-origin")).toBeNull();
  });

  it("leaves credentials out when false and sends expose headers as written", () => {
    const f = compile({ allowCredentials: false, exposeHeaders: "*, X-CustomResponseHeader", maxAgeSeconds: 600 });
    const h = responseHeaders(f, "https://web.example.net");
    expect(h.get("access-control-allow-credentials")).toBeNull();
    expect(h.get("access-control-expose-headers")).toBe("*, X-CustomResponseHeader");
    expect(h.get("access-control-max-age")).toBe("600");
  });

  it("answers a preflight with 204 and the CORS headers; other methods and requests without Origin go on", () => {
    const f = compile({ allowOrigin: ["https://app.example"] });
    const answer = f.onRequest?.(request({ origin: "https://app.example", "access-control-request-method": "PUT" }, "OPTIONS"));
    expect(answer?.status).toBe(204);
    expect(answer?.headers["access-control-allow-origin"]).toBe("https://app.example");
    expect(answer?.headers["access-control-max-age"]).toBe("1728000");
    const refused = f.onRequest?.(request({ origin: "https://evil.example" }, "OPTIONS"));
    expect(refused?.status).toBe(204);
    expect(refused?.headers["access-control-allow-origin"]).toBeUndefined();
    expect(f.onRequest?.(request({ origin: "https://app.example" }, "GET"))).toBeUndefined();
    expect(f.onRequest?.(request({}, "OPTIONS"))).toBeUndefined();
  });

  it("refuses an origin that is not scheme://host[:port]", () => {
    const parsed = v.parse(nginxCors.schema, { allowOrigin: ["https://ok.example", "not an origin"] });
    expect(nginxCors.check?.(parsed, ctx)).toEqual([{ path: ["allowOrigin", 1], message: expect.stringContaining('got "not an origin"') }]);
  });
});

describe("RequestBodyLimit", () => {
  it("reads nginx sizes in powers of 1024", () => {
    expect(parseNginxSize("8m")).toBe(8 * 1024 * 1024);
    expect(parseNginxSize("512K")).toBe(512 * 1024);
    expect(parseNginxSize("1g")).toBe(1024 ** 3);
    expect(parseNginxSize("1048576")).toBe(1048576);
    expect(parseNginxSize("0")).toBe(0);
    for (const bad of ["", "1.5m", "8mb", "-1", "m", "1t"]) expect(parseNginxSize(bad), bad).toBeUndefined();
  });

  it("marks the request with its limit; 0 means none", () => {
    const r = request({});
    expect(compile({ maxBytes: 1024 }, requestBodyLimit).onRequest?.(r)).toBeUndefined();
    expect(r.maxBodyBytes).toBe(1024);
    compile({ maxBytes: 0 }, requestBodyLimit).onRequest?.(r);
    expect(r.maxBodyBytes).toBeUndefined();
  });
});
