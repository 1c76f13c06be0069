// Listener isolation (GatewayHTTPListenerIsolation): a request is served by
// the routes of the most specific listener matching its host, on its
// address. The conformance test's own manifests run as vectors
// (test/fixtures/conformance/gateway-conformance-listener-isolation.json);
// these cover what they do not: a listener with no route attached, the
// config's warnings and errors, explain, the prepared form, and Ingress
// rules beside a Gateway.
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../test/support/seeded-random";
import { preparedRoundTrip } from "../config/prepared";
import { parseConfig } from "../config/parse";
import type { Config } from "../config/types";
import { decide } from "../request/decide";
import { PLAIN_GET } from "../routing/conditions";
import { explainRoute } from "../routing/explain";
import { compileRuntime } from "../runtime";
import { hostnameCovers, isolatingListener } from "./hostnames";

const pools = Object.fromEntries(["any", "wide", "narrow", "ingress"].map((p) => [p, { origins: [{ url: `https://${p}.example.net` }] }]));
const listener = (name: string, hostname?: string, port = 80) => ({ name, port, protocol: "HTTP", ...(hostname ? { hostname } : {}) });
const route = (name: string, section: string | undefined, pool: string, extra: Record<string, unknown> = {}) => ({
  name,
  parentRefs: [{ name: "edge", ...(section ? { sectionName: section } : {}) }],
  rules: [{ backendRefs: [{ name: pool }] }],
  ...extra,
});

function config(doc: Record<string, unknown>): Config {
  const parsed = parseConfig({ pools, ...doc });
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  return parsed.config;
}

/** The pool a GET for `url` goes to, or its status: the Worker's decision. */
function poolFor(c: Config, url: string): string | number {
  const d = decide(compileRuntime("v1", c, { random: seededRandom(1) }), { method: "GET", url: new URL(url), headers: new Headers(), clientIp: "192.0.2.1", requestId: "r" }, seededRandom(2));
  if (d.kind === "forward") return d.pool;
  return d.kind === "no-route" ? 404 : d.kind;
}

// One wide listener, a narrower one inside it, and a precise one with no route attached.
const LISTENERS = [listener("any"), listener("wide", "*.example.com"), listener("narrow", "*.foo.example.com"), listener("lone", "abc.foo.example.com")];

describe("listener hostnames", () => {
  it("says which hostnames a listener hostname matches whole", () => {
    expect(hostnameCovers("*.example.com", "a.example.com")).toBe(true);
    expect(hostnameCovers("*.example.com", "a.b.example.com")).toBe(true);
    expect(hostnameCovers("*.example.com", "*.example.com")).toBe(true);
    expect(hostnameCovers("*.example.com", "*.foo.example.com")).toBe(true);
    expect(hostnameCovers("*.foo.example.com", "*.example.com")).toBe(false);
    expect(hostnameCovers("*.example.com", "example.com")).toBe(false);
    expect(hostnameCovers("*.example.com", "a.example.net")).toBe(false);
    expect(hostnameCovers("a.example.com", "a.example.com")).toBe(true);
    expect(hostnameCovers("a.example.com", "*.example.com")).toBe(false);
    expect(hostnameCovers("*.example.com", "xexample.com")).toBe(false);
  });

  it("names the more specific listener that takes a hostname from a listener", () => {
    const [any, wide, narrow, lone] = LISTENERS.map((l) => ({ ...l, hostname: l.hostname }));
    const all = [any!, wide!, narrow!, lone!];
    expect(isolatingListener(all, any!, "*.example.com")).toBe(wide);
    expect(isolatingListener(all, any!, "bar.com")).toBeUndefined();
    expect(isolatingListener(all, any!, undefined)).toBeUndefined();
    expect(isolatingListener(all, wide!, "*.example.com")).toBeUndefined();
    expect(isolatingListener(all, wide!, "x.foo.example.com")).toBe(narrow);
    expect(isolatingListener(all, narrow!, "abc.foo.example.com")).toBe(lone);
    // A less specific listener never takes from a more specific one.
    expect(isolatingListener(all, lone!, "abc.foo.example.com")).toBeUndefined();
    // Another Gateway's listener with the same hostname is as specific: both serve it.
    expect(isolatingListener([...all, { ...wide!, name: "other" }], wide!, "*.example.com")).toBeUndefined();
  });
});

describe("listener isolation in routing", () => {
  const doc = {
    gateways: [{ name: "edge", listeners: LISTENERS }],
    httpRoutes: [route("any", "any", "any"), route("wide", "wide", "wide"), route("narrow", "narrow", "narrow")],
  };

  it("gives each host the routes of its most specific listener only, 404 when none is attached to it", () => {
    for (const c of [config(doc), preparedRoundTrip(config(doc))]) {
      expect(c).toBeDefined();
      const at = (url: string) => poolFor(c as Config, url);
      expect(at("http://bar.com/")).toBe("any");
      expect(at("http://bar.example.com/")).toBe("wide");
      expect(at("http://x.y.example.com/")).toBe("wide");
      expect(at("http://bar.foo.example.com/")).toBe("narrow");
      // "lone" has no route: its host is not served by "narrow", "wide" or "any".
      expect(at("http://abc.foo.example.com/")).toBe(404);
      expect(at("http://abc.foo.example.com/x")).toBe(404);
      // Other ports have no listener.
      expect(at("http://bar.com:8080/")).toBe(404);
    }
  });

  it("isolates hosts several labels under a listener without routes, however far below it", () => {
    // The routes on this address have no wildcard hostname of their own.
    const c = config({ gateways: [{ name: "edge", listeners: [listener("any"), listener("narrow", "*.foo.example.com")] }], httpRoutes: [route("any", "any", "any")] });
    const at = (url: string) => poolFor(c, url);
    expect(at("http://x.foo.example.com/")).toBe(404);
    expect(at("http://a.b.foo.example.com/")).toBe(404);
    expect(at("http://foo.example.com/")).toBe("any");
    const prepared = preparedRoundTrip(c) as Config;
    expect(poolFor(prepared, "http://a.b.foo.example.com/")).toBe(404);
  });

  it("takes no host from an Ingress rule more specific than the HTTPRoute group a listener without routes is cut from", () => {
    const ingressRule = (host: string) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "ingress" } } }] } });
    const c = config({
      rules: [ingressRule("*.foo.example.com")],
      gateways: [{ name: "edge", listeners: [listener("wide", "*.example.com"), listener("lone", "abc.foo.example.com")] }],
      httpRoutes: [route("r", "wide", "wide")],
    });
    for (const each of [c, preparedRoundTrip(c) as Config]) {
      expect(poolFor(each, "http://x.foo.example.com/")).toBe("ingress");
      expect(poolFor(each, "http://abc.foo.example.com/")).toBe("ingress");
      expect(poolFor(each, "http://bar.example.com/")).toBe("wide");
    }
  });

  it("keeps Ingress rules for hosts no route on a covering listener claims", () => {
    // A listener with no route does not take hosts from the Ingress rules without host.
    const c = config({
      rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "ingress" } } }] } }],
      gateways: [{ name: "edge", listeners: [listener("wide", "*.example.com"), listener("lone", "abc.example.com")] }],
      httpRoutes: [route("r", "wide", "wide", { hostnames: ["bar.example.com"] })],
    });
    expect(poolFor(c, "http://abc.example.com/")).toBe("ingress");
    expect(poolFor(c, "http://bar.example.com/")).toBe("wide");
  });

  it("keeps a route attached to the whole Gateway on every listener its hostnames reach", () => {
    const c = config({ gateways: [{ name: "edge", listeners: LISTENERS }], httpRoutes: [route("all", undefined, "any", { hostnames: ["*.example.com"] })] });
    expect(c.warnings ?? []).toEqual([]);
    expect(poolFor(c, "http://bar.example.com/")).toBe("any");
    expect(poolFor(c, "http://bar.foo.example.com/")).toBe("any");
    expect(poolFor(c, "http://abc.foo.example.com/")).toBe("any");
  });

  it("explains a host that its listener isolates", () => {
    const runtime = compileRuntime("v1", config(doc), { random: seededRandom(1) });
    const e = explainRoute(runtime.table, "abc.foo.example.com", "/x", PLAIN_GET);
    expect(e.match).toBeUndefined();
    expect(e.hostReason).toContain("default/edge listener lone (abc.foo.example.com, http:80)");
    expect(e.hostReason).toContain("listener isolation");
  });
});

describe("listener isolation in the config", () => {
  it("warns about a hostname a more specific listener takes from a route", () => {
    const c = config({ gateways: [{ name: "edge", listeners: LISTENERS }], httpRoutes: [route("any", "any", "any", { hostnames: ["bar.com", "*.example.com"] })] });
    expect(c.warnings).toEqual([
      {
        path: "httpRoutes[0].hostnames",
        message:
          "*.example.com reaches this route through default/edge listener any (any host, http:80), but default/edge listener wide (*.example.com, http:80) is more specific and owns those hosts: requests for them are served by the routes attached to it only (listener isolation)",
      },
    ]);
    expect(poolFor(c, "http://bar.com/")).toBe("any");
    expect(poolFor(c, "http://bar.example.com/")).toBe(404);
  });

  it("warns, without refusing the config, about a route that listener isolation leaves with nothing to serve", () => {
    // A refusal would make values an earlier version applied invalid for the parts of the Worker that validate them again.
    const c = config({ gateways: [{ name: "edge", listeners: LISTENERS }], httpRoutes: [route("any", "any", "any", { hostnames: ["a.example.com"] })] });
    expect(c.warnings).toEqual([
      {
        path: "httpRoutes[0].hostnames",
        message:
          "a.example.com reaches this route through default/edge listener any (any host, http:80), but default/edge listener wide (*.example.com, http:80) is more specific and owns those hosts: requests for them are served by the routes attached to it only (listener isolation); the route serves nothing",
      },
    ]);
    expect(poolFor(c, "http://a.example.com/")).toBe(404);
  });

  it("names the most specific listener as the owner, whatever the order of the listeners", () => {
    const reversed = [...LISTENERS].reverse();
    const c = config({ gateways: [{ name: "edge", listeners: reversed }], httpRoutes: [route("any", "any", "any", { hostnames: ["abc.foo.example.com"] })] });
    expect(c.warnings?.map((w) => w.message)).toEqual([expect.stringContaining("but default/edge listener lone (abc.foo.example.com, http:80) is more specific")]);
  });

  it("warns about a hostname taken on one address even when the route serves it on another", () => {
    const c = config({
      gateways: [{ name: "edge", listeners: [listener("http"), { name: "https", port: 443, protocol: "HTTPS" }, { name: "api", port: 443, protocol: "HTTPS", hostname: "api.example.com" }] }],
      httpRoutes: [{ ...route("r", undefined, "any", { hostnames: ["api.example.com"] }), parentRefs: [{ name: "edge", sectionName: "http" }, { name: "edge", sectionName: "https" }] }],
    });
    expect(c.warnings?.map((w) => w.message)).toEqual([expect.stringContaining("api.example.com reaches this route through default/edge listener https (any host, https:443), but default/edge listener api")]);
    expect(poolFor(c, "http://api.example.com/")).toBe("any");
    expect(poolFor(c, "https://api.example.com/")).toBe(404);
  });

  it("isolates per address: a listener on another port takes nothing", () => {
    const c = config({ gateways: [{ name: "edge", listeners: [listener("any"), listener("alt", "*.example.com", 8080)] }], httpRoutes: [route("any", "any", "any", { hostnames: ["*.example.com"] })] });
    expect(c.warnings ?? []).toEqual([]);
    expect(poolFor(c, "http://bar.example.com/")).toBe("any");
    expect(poolFor(c, "http://bar.example.com:8080/")).toBe(404);
  });
});
