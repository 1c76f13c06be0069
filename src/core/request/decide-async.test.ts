// The request decision with an asynchronous step (authentication): it stays
// synchronous for rules without one, waits only when it reaches one, and
// then carries on with the rule's other filters.
import { describe, expect, it } from "vitest";
import type { RequestServices } from "../filters/filter";
import { parseConfig } from "../config/parse";
import { compileRuntime } from "../runtime";
import { decide } from "./decide";

const doc = {
  pools: { web: { origins: [{ url: "http://web.test" }] } },
  gateways: [{ name: "edge", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] }],
  httpRoutes: [{
    name: "r", parentRefs: [{ name: "edge" }], hostnames: ["a.test"],
    rules: [
      { matches: [{ path: { value: "/plain" } }], filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-set", value: "1" }] } }], backendRefs: [{ name: "web" }] },
      {
        matches: [{ path: { value: "/auth" } }],
        // Written after the header modifier: it runs first all the same.
        filters: [
          { type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-user", value: "header-modifier" }] } },
          { type: "ExternalAuth", externalAuth: { url: "https://auth.test/", responseHeaders: ["x-user"] } },
        ],
        backendRefs: [{ name: "web" }],
      },
    ],
  }],
};

function runtime() {
  const parsed = parseConfig(doc);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return compileRuntime("v1", parsed.config, { random: () => 0 });
}
const incoming = (path: string) => ({ method: "GET", url: new URL(`http://a.test${path}`), headers: new Headers(), clientIp: "192.0.2.1", requestId: "r1" });
function services(status: number): RequestServices {
  return {
    secret: () => undefined,
    fetch: async () => new Response(null, { status, headers: { "x-user": "from-auth" } }),
    verifyPassword: () => "refused",
    log: () => {},
    requestId: "r1",
  };
}

describe("decide with an asynchronous step", () => {
  it("stays synchronous for a rule without one, even when services are given", () => {
    const decision = decide(runtime(), incoming("/plain"), () => 0, services(200));
    if (decision instanceof Promise) return expect.fail("the decision went async");
    expect(decision.kind === "forward" && decision.upstream.headers.get("x-set")).toBe("1");
  });

  it("waits for authentication, then runs the rule's other filters after it", async () => {
    const decision = decide(runtime(), incoming("/auth"), () => 0, services(200));
    expect(decision).toBeInstanceOf(Promise);
    const done = await decision;
    expect(done.kind).toBe("forward");
    // The header modifier ran after the auth step copied X-User: what the rule says wins, as written.
    expect(done.kind === "forward" && done.upstream.headers.get("x-user")).toBe("header-modifier");
  });

  it("stops at a refusal, before any other filter and any backend", async () => {
    const done = await decide(runtime(), incoming("/auth"), () => 0, services(403));
    expect(done.kind === "answer" && done.answer.status).toBe(403);
  });

  it("without services (the CLI) answers 401 synchronously rather than letting the request through", () => {
    const decision = decide(runtime(), incoming("/auth"), () => 0);
    expect(decision.kind === "answer" && decision.answer).toMatchObject({ status: 401, error: "auth-required" });
  });
});

describe("authentication in the fixed order, host and route", () => {
  // The host's ExternalAuth and the route's BasicAuth, written before the route's access list and HTTPS redirect.
  const hostDoc = {
    pools: { web: { origins: [{ url: "http://web.test" }] } },
    hosts: [{ host: "h.test", filters: [{ type: "ExternalAuth", externalAuth: { url: "https://auth.test/", responseHeaders: ["x-user"] } }] }],
    rules: [{
      host: "h.test",
      http: {
        paths: [{
          path: "/", pathType: "Prefix", backend: { service: { name: "web" } },
          filters: [
            { type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-rule", value: "1" }] } },
            { type: "BasicAuth", basicAuth: { secret: "USERS" } },
            { type: "AccessControl", accessControl: { allowSourceRanges: ["192.0.2.0/24"] } },
            { type: "HTTPSRedirect", httpsRedirect: {} },
          ],
        }],
      },
    }],
  };
  function hostRuntime() {
    const parsed = parseConfig(hostDoc);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    return compileRuntime("v1", parsed.config, { random: () => 0 });
  }
  const request = (scheme: string, clientIp: string) => ({
    method: "GET", url: new URL(`${scheme}://h.test/x`), headers: new Headers({ authorization: `Basic ${btoa("alice:pw")}` }), clientIp, requestId: "r1",
  });
  /** Services that record which authentication ran, in order. */
  function recording(authStatus: number) {
    const calls: string[] = [];
    const s: RequestServices = {
      secret: () => "alice:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=",
      fetch: async () => {
        calls.push("external");
        return new Response(null, { status: authStatus, headers: { "x-user": "from-auth" } });
      },
      verifyPassword: () => {
        calls.push("basic");
        return "verified";
      },
      log: () => {},
      requestId: "r1",
    };
    return { calls, services: s };
  }

  it("redirects plain HTTP and refuses a denied address synchronously, before any authentication", () => {
    const { calls, services: s } = recording(200);
    const redirected = decide(hostRuntime(), request("http", "192.0.2.1"), () => 0, s);
    if (redirected instanceof Promise) return expect.fail("the HTTPS redirect waited");
    expect(redirected.kind === "answer" && redirected.answer.status).toBe(308);
    const denied = decide(hostRuntime(), request("https", "198.51.100.1"), () => 0, s);
    if (denied instanceof Promise) return expect.fail("the access list waited");
    expect(denied.kind === "answer" && denied.answer).toMatchObject({ status: 403, error: "forbidden" });
    expect(calls).toEqual([]);
  });

  it("then runs the host's authentication, the route's, and the route's other filters", async () => {
    const { calls, services: s } = recording(200);
    const decision = decide(hostRuntime(), request("https", "192.0.2.1"), () => 0, s);
    expect(decision).toBeInstanceOf(Promise);
    const done = await decision;
    expect(calls).toEqual(["external", "basic"]);
    expect(done.kind).toBe("forward");
    expect(done.kind === "forward" && [done.upstream.headers.get("x-user"), done.upstream.headers.get("x-rule")]).toEqual(["from-auth", "1"]);
  });

  it("stops at the host's refusal: the route's authentication is never asked", async () => {
    const { calls, services: s } = recording(403);
    const done = await decide(hostRuntime(), request("https", "192.0.2.1"), () => 0, s);
    expect(done.kind === "answer" && done.answer).toMatchObject({ status: 403, error: "auth-denied" });
    expect(calls).toEqual(["external"]);
  });
});
