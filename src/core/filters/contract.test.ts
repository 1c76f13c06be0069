// One contract every filter passes, as the selection policies share one:
// it compiles from a valid config, describes itself, leaves a request it
// does not concern alone, never throws on odd input, and a local answer is
// a well-formed status with string headers. Each filter adds its own cases
// in its own test file; a new filter only needs a sample config here.
import { describe, expect, it } from "vitest";
import * as v from "valibot";
import type { FilterRequest, RequestServices } from "./filter";
import type { FilterContext } from "./module";
import { FILTERS } from "./registry";

/** A valid config for each registered filter: the contract fails for a filter without one. */
const SAMPLES: Readonly<Record<string, unknown>> = {
  RequestHeaderModifier: { set: [{ name: "x-a", value: "1" }], add: [{ name: "x-b", value: "2" }], remove: ["x-c"] },
  ResponseHeaderModifier: { set: [{ name: "x-a", value: "1" }], remove: ["server"] },
  RequestRedirect: { scheme: "https", statusCode: 301 },
  URLRewrite: { hostname: "elsewhere.example", path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/v2" } },
  RequestMirror: { backendRef: { name: "shadow" }, percent: 50 },
  CORS: { allowOrigins: ["https://app.example", "https://*.example.com"], allowCredentials: true, allowMethods: ["GET"], maxAge: 60 },
  HTTPSRedirect: { statusCode: 301 },
  AccessControl: { allowSourceRanges: ["10.0.0.0/8", "2001:db8::/32"], denyCountries: ["XX"], allowAsns: [13335] },
  StrictTransportSecurity: { maxAgeSeconds: 31536000, includeSubDomains: true },
  RewriteTarget: { pattern: "/a(/|$)(.*)", target: "/$2", caseInsensitive: true },
  AppRoot: { path: "/app" },
  StaticRedirect: { location: "https://www.example.org/", statusCode: 308 },
  NginxCORS: { allowOrigin: ["https://app.example:4443", "http://*.example.com"], allowCredentials: false, maxAgeSeconds: 600 },
  RequestBodyLimit: { maxBytes: 8 * 1024 * 1024 },
  NginxHeaders: { request: [{ name: "X-Request-Start", value: "t=${msec}" }], response: [{ name: "X-Frame-Options", value: "DENY" }] },
  BackendTimeouts: { responseMs: 5000, uploadIdleMs: 10000 },
  ErrorBackend: { backendRef: { name: "shadow" }, statusCodes: [404, 503], ingressName: "app" },
  BasicAuth: { secret: "USERS", realm: "Staff" },
  ExternalAuth: { url: "https://auth.example/check", responseHeaders: ["x-user"], signin: "https://login.example/start" },
};

/** Services for the asynchronous step: a secret with one {SHA} user, an auth service answering 401. */
const services: RequestServices = {
  secret: () => "alice:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=",
  fetch: async () => new Response("no", { status: 401 }),
  verifyPassword: () => "refused",
  log: () => {},
  requestId: "r1",
};

const ctx: FilterContext = { pools: new Set(["shadow", "web"]), matchPathTypes: ["PathPrefix"], namespace: "default", onBackendRef: false };

function request(headers: Record<string, string> = {}, method = "GET", path = "/a/b"): FilterRequest {
  return {
    method,
    scheme: "http",
    hostname: "www.example.com",
    port: 80,
    clientPath: path,
    path,
    search: "",
    upstreamHost: undefined,
    clientHeaders: new Headers(headers),
    headers: new Headers(headers),
    matchedPrefix: "/a",
    mirrors: [],
    random: () => 0.99,
    clientIp: "192.0.2.1",
    country: "DE",
    asn: 64500,
  };
}

describe.each(FILTERS.map((m) => [m.type, m] as const))("filter contract: %s", (type, module) => {
  const parsed = v.safeParse(module.schema, SAMPLES[type]);
  const compile = () => {
    if (!parsed.success) throw new Error(`no valid sample config for ${type}`);
    expect(module.check?.(parsed.output, ctx) ?? []).toEqual([]);
    return module.compile(parsed.output, ctx);
  };

  it("has a sample config that validates, compiles and describes itself", () => {
    const filter = compile();
    expect(filter.type).toBe(type);
    expect(filter.describe().length).toBeGreaterThan(0);
    expect(filter.onRequest ?? filter.onRequestAsync ?? filter.onResponse).toBeDefined();
    expect(filter.onRequest !== undefined && filter.onRequestAsync !== undefined).toBe(false);
  });

  it("refuses a config of the wrong shape with a message, never throws", () => {
    for (const bad of [null, 42, "x", [], { unknownField: 1 }]) {
      const result = v.safeParse(module.schema, bad);
      expect(result.success, JSON.stringify(bad)).toBe(false);
      if (!result.success) expect(result.issues[0]?.message).toMatch(/\w/);
    }
  });

  it("never throws on odd requests, and any local answer is well formed", async () => {
    const filter = compile();
    const odd = [
      request(),
      request({ origin: "null" }, "OPTIONS", "/"),
      request({ origin: "https://app.example", "access-control-request-method": "PUT" }, "OPTIONS"),
      request({ origin: "not a url" }, "POST", "/%zz/..;x"),
      request({}, "GET", ""),
    ];
    for (const r of odd) {
      const answer = filter.onRequest?.(r) ?? (await filter.onRequestAsync?.(r, services));
      if (answer !== undefined) {
        expect(answer.status).toBeGreaterThanOrEqual(200);
        expect(answer.status).toBeLessThan(600);
        for (const value of Object.values(answer.headers)) expect(typeof value).toBe("string");
      }
      expect(() => filter.onResponse?.({ status: 200, headers: new Headers(), request: r })).not.toThrow();
    }
  });

  it("leaves a request it does not concern untouched (CORS without Origin; the others act on every request)", () => {
    if (type !== "CORS") return;
    const filter = compile();
    const r = request();
    expect(filter.onRequest?.(r)).toBeUndefined();
    const headers = new Headers({ "x-kept": "1" });
    filter.onResponse?.({ status: 200, headers, request: r });
    expect([...headers]).toEqual([["x-kept", "1"]]);
  });
});

describe("filter registry", () => {
  it("gives every filter a unique type and field", () => {
    expect(new Set(FILTERS.map((f) => f.type)).size).toBe(FILTERS.length);
    expect(new Set(FILTERS.map((f) => f.field)).size).toBe(FILTERS.length);
    expect(Object.keys(SAMPLES).sort()).toEqual(FILTERS.map((f) => f.type).sort());
  });
});
