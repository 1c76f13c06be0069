// Annotations that become filters on the paths of their Ingress: each bad
// value is a problem at the annotation; cors-* without enable-cors is a note.
import { describe, expect, it } from "vitest";
import { mergeDocuments } from "./manifests";
import { parseConfig } from "./parse";

function merge(annotations: Record<string, string>) {
  const ingress = {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "app", annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`nginx.ingress.kubernetes.io/${k}`, v])) },
    spec: { rules: [{ host: "app.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }] },
  };
  return mergeDocuments([{ file: "a.yaml", index: 0, value: { pools: { web: { origins: [{ url: "https://o.example" }] } } } }, { file: "a.yaml", index: 1, value: ingress }]);
}

const pathFilters = (annotations: Record<string, string>) => {
  const merged = merge(annotations);
  expect(merged.problems).toEqual([]);
  return (merged.document.rules?.[0] as { http: { paths: { filters?: unknown }[] } }).http.paths[0]?.filters;
};

describe("annotations as path filters", () => {
  it("maps enable-cors and the cors-* values onto an NginxCORS filter", () => {
    expect(pathFilters({ "enable-cors": "true", "cors-allow-origin": "https://a.example, https://*.b.example:8443", "cors-allow-credentials": "false", "cors-max-age": "600", "cors-allow-methods": "GET, POST" })).toEqual([
      { type: "NginxCORS", nginxCors: { allowOrigin: ["https://a.example", "https://*.b.example:8443"], allowMethods: "GET, POST", allowCredentials: false, maxAgeSeconds: 600 } },
    ]);
  });

  it("maps proxy-body-size onto RequestBodyLimit, in bytes", () => {
    expect(pathFilters({ "proxy-body-size": "8m" })).toEqual([{ type: "RequestBodyLimit", requestBodyLimit: { maxBytes: 8 * 1024 * 1024 } }]);
  });

  it("maps proxy-read/connect/send-timeout onto BackendTimeouts; connect alone is a note", () => {
    expect(pathFilters({ "proxy-read-timeout": "120", "proxy-connect-timeout": "5", "proxy-send-timeout": "30" })).toEqual([
      { type: "BackendTimeouts", backendTimeouts: { responseMs: 125_000, uploadIdleMs: 30_000 } },
    ]);
    const merged = merge({ "proxy-connect-timeout": "5" });
    expect(merged.problems).toEqual([]);
    expect(merged.notes.join("\n")).toMatch(/proxy-connect-timeout.*no effect alone/);
    expect(merge({ "proxy-read-timeout": "soon" }).problems[0]?.message).toMatch(/whole number of seconds/);
  });

  it("adds nothing for enable-cors false, and notes cors-* without enable-cors", () => {
    const merged = merge({ "enable-cors": "false", "cors-max-age": "5" });
    expect(merged.problems).toEqual([]);
    expect((merged.document.rules?.[0] as { http: { paths: { filters?: unknown }[] } }).http.paths[0]?.filters).toBeUndefined();
    expect(merged.notes.join("\n")).toMatch(/cors-max-age.*no effect without nginx.ingress.kubernetes.io\/enable-cors/);
  });

  it("reports each bad value at its annotation", () => {
    const merged = merge({ "enable-cors": "true", "cors-allow-origin": "https://ok.example, not-an-origin", "cors-max-age": "ten", "cors-allow-credentials": "yes", "proxy-body-size": "8mb" });
    const names = merged.problems.map((p) => /kubernetes\.io\/([a-z-]+)/.exec(p.path)?.[1]);
    expect(names.sort()).toEqual(["cors-allow-credentials", "cors-allow-origin", "cors-max-age", "proxy-body-size"]);
    expect(merged.problems.find((p) => p.path.includes("cors-allow-origin"))?.message).toContain('got "not-an-origin"');
    expect(merged.problems).toHaveLength(4);
  });

  it("reports a default-backend naming no pool at the annotation, and adds no filter for it", () => {
    const merged = merge({ "default-backend": "nowhere" });
    expect(merged.problems.map((p) => [p.path, p.message])).toEqual([[expect.stringContaining("default-backend"), expect.stringContaining('got "nowhere" (pools: web)')]]);
    expect((merged.document.rules?.[0] as { http: { paths: { filters?: unknown[] }[] } }).http.paths[0]?.filters).toEqual([]);
  });

  it("keeps the rate limit annotations refused, naming Cloudflare Rate Limiting", () => {
    for (const name of ["limit-rps", "limit-rpm", "limit-connections"]) {
      const merged = merge({ [name]: "10" });
      expect(merged.problems[0]?.message, name).toMatch(/shared by every Cloudflare location.*Cloudflare Rate Limiting rule/);
    }
  });

  it("puts them after the host's HTTPS and access filters and before the rewrites", () => {
    const merged = merge({ "enable-cors": "true", "whitelist-source-range": "10.0.0.0/8", "x-forwarded-prefix": "/app", "force-ssl-redirect": "true" });
    expect(merged.problems).toEqual([]);
    const filters = (merged.document.rules?.[0] as { http: { paths: { filters?: { type: string }[] }[] } }).http.paths[0]?.filters;
    expect(filters?.map((f) => f.type)).toEqual(["HTTPSRedirect", "AccessControl", "NginxCORS", "RequestHeaderModifier"]);
  });

  it("notes each on a canary Ingress, which is served with the main Ingress's annotations", () => {
    const ingress = (name: string, pool: string, annotations: Record<string, string>) => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name, annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`nginx.ingress.kubernetes.io/${k}`, v])) },
      spec: { rules: [{ host: "app.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: pool, port: { number: 80 } } } }] } }] },
    });
    const merged = mergeDocuments([
      { file: "a.yaml", index: 0, value: { pools: { web: { origins: [{ url: "https://o.example" }] }, next: { origins: [{ url: "https://n.example" }] } } } },
      { file: "a.yaml", index: 1, value: ingress("app", "web", {}) },
      { file: "a.yaml", index: 2, value: ingress("app-canary", "next", { canary: "true", "canary-weight": "10", "enable-cors": "true", "proxy-body-size": "1k", affinity: "cookie" }) },
    ]);
    expect(merged.problems).toEqual([]);
    const noted = merged.notes.filter((n) => n.includes("no effect on a canary Ingress"));
    expect(noted.map((n) => /kubernetes\.io\/([a-z-]+)/.exec(n)?.[1]).sort()).toEqual(["enable-cors", "proxy-body-size"]);
  });

  it("gives the merged document paths the parser compiles into a route action", () => {
    const parsed = parseConfig(merge({ "enable-cors": "true", "proxy-body-size": "1k" }).document);
    expect(parsed.ok).toBe(true);
    const route = parsed.ok ? parsed.config.routes[0] : undefined;
    expect(route?.action?.filters.map((f) => f.type)).toEqual(["NginxCORS", "RequestBodyLimit"]);
    expect(route?.action?.backends.map((b) => b.pool)).toEqual(["web"]);
  });
});
