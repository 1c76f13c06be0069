// HTTPS enforcement and access lists through the Worker in workerd, against
// real origins: the redirect's code and Location, HSTS on HTTPS only, and
// addresses, countries and networks that are refused never reach an origin.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEchoOrigin, type EchoOrigin } from "./support/echo-origins";
import { startWorker, type TestWorker } from "./support/worker";

let worker: TestWorker;
let origin: EchoOrigin;
let stored: unknown;

const path = (host: string, filters: unknown[]) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "app" } }, ...(filters.length ? { filters } : {}) }] } });
const ingress = (name: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}) => ({ name, annotations, spec });

beforeAll(async () => {
  origin = await startEchoOrigin("app");
  worker = await startWorker();
  // The stored form: Ingress annotations already turned into filters by the merge (as `apply` writes it).
  const { mergeDocuments } = await import("../src/core/config/manifests");
  const manifests = [
    { name: "tls", spec: { tls: [{ hosts: ["secure.test"] }], rules: [{ host: "secure.test", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "app", port: { number: 80 } } } }] } }] }, annotations: {} },
    ingress("allow", { rules: [{ host: "allow.test", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "app", port: { number: 80 } } } }] } }] }, { "nginx.ingress.kubernetes.io/whitelist-source-range": "10.0.0.0/24,2001:db8::/32" }),
    ingress("deny", { rules: [{ host: "deny.test", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "app", port: { number: 80 } } } }] } }] }, { "nginx.ingress.kubernetes.io/denylist-source-range": "10.0.0.0/24,2001:db8:1::/48" }),
  ].map((m) => ({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: m.name, annotations: m.annotations }, spec: m.spec }));
  const native = {
    pools: { app: { origins: [{ url: origin.url }] } },
    hosts: [
      {
        host: "*.hosted.test",
        filters: [
          { type: "AccessControl", accessControl: { denySourceRanges: ["2001:db8::/32", "203.0.113.0/24"] } },
          { type: "StrictTransportSecurity", strictTransportSecurity: { maxAgeSeconds: 600, includeSubDomains: true, preload: true } },
        ],
      },
    ],
    rules: [
      path("www.hosted.test", []),
      path("coded.test", [{ type: "HTTPSRedirect", httpsRedirect: { statusCode: 301 } }]),
      path("geo.test", [{ type: "AccessControl", accessControl: { denyCountries: ["RU"], allowAsns: [64500] } }]),
      path("ordered.test", [{ type: "AccessControl", accessControl: { allowSourceRanges: ["192.0.2.0/24"] } }, { type: "HTTPSRedirect", httpsRedirect: {} }]),
    ],
  };
  const merge = mergeDocuments([native, ...manifests].map((value, index) => ({ file: "c.yaml", index, value })));
  expect(merge.problems).toEqual([]);
  stored = merge.document;
  await worker.putConfig(stored);
});
afterAll(async () => {
  await worker?.dispose();
  await origin?.close();
});

/** Requests the origin saw for this host. */
const seen = (host: string) => origin.requests.filter((r) => r.headers["x-forwarded-host"] === host).length;

describe("HTTPS redirect and HSTS", () => {
  it("redirects a tls host's plain HTTP with 308 to the same path and query, and never asks the origin", async () => {
    const response = await worker.fetch("secure.test", "/account/login?next=%2Fhome&x=1", { method: "POST", body: "a=1" });
    expect(response.status).toBe(308);
    expect(response.headers.get("location")).toBe("https://secure.test/account/login?next=%2Fhome&x=1");
    expect(response.headers.get("strict-transport-security")).toBeNull();
    expect(seen("secure.test")).toBe(0);
  });

  it("serves HTTPS with Strict-Transport-Security, and plain HTTP on other hosts without it", async () => {
    const https = await worker.fetch("secure.test", "/", { scheme: "https" });
    expect(https.status).toBe(200);
    expect(https.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    expect(seen("secure.test")).toBe(1);
    const plain = await worker.fetch("allow.test", "/", { headers: { "cf-connecting-ip": "10.0.0.1" } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get("strict-transport-security")).toBeNull();
  });

  it("uses the configured code", async () => {
    const response = await worker.fetch("coded.test", "/a/?b=c");
    expect(response.status).toBe(301);
    expect(response.headers.get("location")).toBe("https://coded.test/a/?b=c");
  });
});

describe("access lists", () => {
  it.each([
    ["allow.test", "10.0.0.17", 200],
    ["allow.test", "2001:db8:ffff::1", 200],
    ["allow.test", "172.10.0.2", 403],
    ["allow.test", "2001:db9::1", 403],
    ["deny.test", "10.0.0.17", 403],
    ["deny.test", "2001:db8:1:ab::1", 403],
    ["deny.test", "2001:db8:2::1", 200],
  ])("%s from %s: %i", async (host, address, status) => {
    const before = seen(host);
    const response = await worker.fetch(host, "/", { scheme: "https", headers: { "cf-connecting-ip": address } });
    expect(response.status).toBe(status);
    expect(seen(host) - before).toBe(status === 200 ? 1 : 0);
    if (status === 403) {
      expect(response.headers.get("x-edge-ingress-error")).toBe("forbidden");
      expect(response.headers.get("x-request-id")).toMatch(/\w/);
      expect(await response.text()).toBe("edge-ingress: access denied\n");
    }
  });

  it("denies a request without CF-Connecting-IP (only off Cloudflare) wherever a list is set", async () => {
    const offCloudflare = await startWorker({ withoutClientAddress: true });
    try {
      await offCloudflare.putConfig(stored);
      // Each address would pass its list, were it not removed on the way in.
      for (const [host, address] of [["allow.test", "10.0.0.5"], ["deny.test", "10.0.1.1"]] as const) {
        const before = seen(host);
        const response = await offCloudflare.fetch(host, "/", { scheme: "https", headers: { "cf-connecting-ip": address } });
        expect(response.status).toBe(403);
        expect(response.headers.get("x-edge-ingress-error")).toBe("forbidden");
        expect(seen(host)).toBe(before);
      }
      // The same Worker serves a host without lists: only the lists refuse an unknown address.
      expect((await offCloudflare.fetch("secure.test", "/", { scheme: "https" })).status).toBe(200);
    } finally {
      await offCloudflare.dispose();
    }
  });

  it("allows and denies by request.cf.country and request.cf.asn", async () => {
    const at = async (cf: Record<string, unknown>) => (await worker.fetch("geo.test", "/", { cf })).status;
    const before = seen("geo.test");
    expect(await at({ country: "RU", asn: 64500 })).toBe(403);
    expect(await at({ country: "DE", asn: 13335 })).toBe(403);
    // A value the request lacks is unknown: denied by any list of its kind, a deny list too.
    expect(await at({ asn: 64500 })).toBe(403);
    expect(await at({ country: "DE" })).toBe(403);
    expect(await at({ country: "DE", asn: 64500 })).toBe(200);
    expect(await at({ country: "de", asn: 64500 })).toBe(200);
    expect(seen("geo.test") - before).toBe(2);
  });

  it("redirects before it judges the address: a denied client on plain HTTP is sent to HTTPS, then refused", async () => {
    const redirect = await worker.fetch("ordered.test", "/p", { headers: { "cf-connecting-ip": "198.51.100.1" } });
    expect(redirect.status).toBe(308);
    const refused = await worker.fetch("ordered.test", "/p", { scheme: "https", headers: { "cf-connecting-ip": "198.51.100.1" } });
    expect(refused.status).toBe(403);
    expect(seen("ordered.test")).toBe(0);
  });

  it("applies a host's own policies (native hosts) to the rules that serve it", async () => {
    const denied = await worker.fetch("www.hosted.test", "/", { scheme: "https", headers: { "cf-connecting-ip": "2001:db8::7" } });
    expect(denied.status).toBe(403);
    expect(seen("www.hosted.test")).toBe(0);
    const served = await worker.fetch("www.hosted.test", "/", { scheme: "https", headers: { "cf-connecting-ip": "198.51.100.7" } });
    expect(served.status).toBe(200);
    expect(served.headers.get("strict-transport-security")).toBe("max-age=600; includeSubDomains; preload");
    expect(seen("www.hosted.test")).toBe(1);
  });
});
