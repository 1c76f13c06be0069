// ingress-nginx's header ConfigMaps through the Worker in workerd against a
// real origin: the controller ConfigMap's proxy-set-headers (every request
// to an origin) and add-headers (every response), the custom-headers
// annotation (one Ingress's responses, only what
// global-allowed-response-headers lists), $msec in values, and the
// refusals: another nginx variable, a header the allow list lacks.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mergeDocuments } from "../src/core/config/manifests";
import { startOrigin, type TestOrigin } from "./support/origins";
import { startWorker, type TestWorker } from "./support/worker";

let worker: TestWorker;
let origin: TestOrigin;

beforeEach(async () => {
  origin = await startOrigin("a");
  worker = await startWorker();
});
afterEach(async () => {
  await worker?.dispose();
  await origin?.close();
});

const ingress = (name: string, host: string, annotations: Record<string, string> = {}) => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name, annotations },
  spec: { rules: [{ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }] },
});
const configMap = (namespace: string, name: string, data: Record<string, string>) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data });
const controller = (data: Record<string, string>) => configMap("ingress-nginx", "ingress-nginx-controller", data);
const HEADERS = { "X-Different-Name": "true", "X-Request-Start": "t=${msec}", "X-Using-Nginx-Controller": "true" };

/** The manifests merged as the CLI merges them, with every problem. */
function merge(...manifests: unknown[]) {
  const documents = [{ pools: { web: { origins: [{ url: origin.url }] } } }, ...manifests].map((value, index) => ({ file: "cm.yaml", index, value }));
  return mergeDocuments(documents);
}

async function apply(...manifests: unknown[]): Promise<void> {
  const merged = merge(...manifests);
  expect(merged.problems).toEqual([]);
  await worker.putConfig(merged.document);
}

async function get(host: string, headers: Record<string, string> = {}): Promise<Response> {
  const response = await worker.fetch(host, "/", { headers });
  await response.arrayBuffer();
  return response;
}

describe("proxy-set-headers", () => {
  it("sets the ConfigMap's headers on every request to the origin, over the client's, with $msec the time in seconds", async () => {
    await apply(ingress("app", "app.example.com"), controller({ "proxy-set-headers": "ingress-nginx/custom-headers" }), configMap("ingress-nginx", "custom-headers", HEADERS));
    const before = Date.now();
    const response = await get("app.example.com", { "x-different-name": "from-client" });
    expect(response.status).toBe(200);
    const seen = origin.requests.at(-1)?.headers ?? {};
    expect(seen["x-different-name"]).toBe("true");
    expect(seen["x-using-nginx-controller"]).toBe("true");
    const start = /^t=(\d+\.\d{3})$/.exec(String(seen["x-request-start"]));
    expect(start, String(seen["x-request-start"])).not.toBeNull();
    // Workers' clock stands still between I/O: within a minute of the test's is all that can be said.
    expect(Math.abs(Number(start?.[1]) * 1000 - before)).toBeLessThan(60_000);
    expect(response.headers.get("x-different-name")).toBeNull();
  });

  it("refuses a value with another nginx variable: the CLI names it, and the Worker refuses it in KV and keeps serving the last good config", async () => {
    const refused = merge(ingress("app", "app.example.com"), controller({ "proxy-set-headers": "ingress-nginx/custom-headers" }), configMap("ingress-nginx", "custom-headers", { "X-Original-Host": "$host" }));
    expect(refused.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      expect.stringMatching(/^cm\.yaml\[3\]: data\.X-Original-Host \(ConfigMap ingress-nginx\/custom-headers\): uses the nginx variable \$host, which edge-ingress does not substitute/),
    ]);
    await apply(ingress("app", "app.example.com"));
    expect((await get("app.example.com")).status).toBe(200);
    const native = {
      pools: { web: { origins: [{ url: origin.url }] } },
      rules: [{ host: "app.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } }, filters: [{ type: "NginxHeaders", nginxHeaders: { request: [{ name: "X-Original-Host", value: "$host" }] } }] }] } }],
    };
    await worker.putConfig(native);
    expect((await get("app.example.com")).status).toBe(200);
    expect(origin.requests.at(-1)?.headers["x-original-host"]).toBeUndefined();
    const invalid = worker.events("config.invalid") as { problems?: string[] }[];
    expect(JSON.stringify(invalid)).toContain("$host");
  });
});

describe("add-headers", () => {
  it("sets the ConfigMap's headers on every response of every Ingress", async () => {
    await apply(ingress("app", "app.example.com"), ingress("api", "api.example.com"), controller({ "add-headers": "ingress-nginx/custom-headers" }), configMap("ingress-nginx", "custom-headers", HEADERS));
    for (const host of ["app.example.com", "api.example.com"]) {
      const response = await get(host);
      expect(response.status, host).toBe(200);
      expect(response.headers.get("x-different-name"), host).toBe("true");
      expect(response.headers.get("x-using-nginx-controller"), host).toBe("true");
      expect(response.headers.get("x-request-start"), host).toMatch(/^t=\d+\.\d{3}$/);
    }
    expect(origin.requests.at(-1)?.headers["x-different-name"]).toBeUndefined();
  });
});

describe("custom-headers", () => {
  const annotation = { "nginx.ingress.kubernetes.io/custom-headers": "default/security-headers" };

  it("sets the ConfigMap's response headers on that Ingress's responses only, replacing the origin's", async () => {
    await apply(
      ingress("app", "app.example.com", annotation),
      ingress("other", "other.example.com"),
      controller({ "global-allowed-response-headers": "Content-Type,X-Frame-Options" }),
      configMap("default", "security-headers", { "X-Frame-Options": "DENY", "Content-Type": "application/vnd.test+json" }),
    );
    const app = await get("app.example.com");
    expect(app.headers.get("x-frame-options")).toBe("DENY");
    expect(app.headers.get("content-type")).toBe("application/vnd.test+json");
    const other = await get("other.example.com");
    expect(other.status).toBe(200);
    expect(other.headers.get("x-frame-options")).toBeNull();
    expect(other.headers.get("content-type")).toBe("application/json");
  });

  it("refuses the annotation, naming the header, when global-allowed-response-headers does not list it", async () => {
    const refused = merge(
      ingress("app", "app.example.com", annotation),
      controller({ "global-allowed-response-headers": "X-Frame-Options" }),
      configMap("default", "security-headers", { "X-Frame-Options": "DENY", "X-Powered-By": "edge" }),
    );
    expect(refused.problems.map((p) => p.message)).toEqual([expect.stringContaining('sets "X-Powered-By", not in global-allowed-response-headers')]);
    // Allowed, the same ConfigMap works.
    await apply(
      ingress("app", "app.example.com", annotation),
      controller({ "global-allowed-response-headers": "X-Frame-Options, X-Powered-By" }),
      configMap("default", "security-headers", { "X-Frame-Options": "DENY", "X-Powered-By": "edge" }),
    );
    expect((await get("app.example.com")).headers.get("x-powered-by")).toBe("edge");
  });
});
