import { describe, expect, it } from "vitest";
import { mergeDocuments, type SourceDocument } from "./manifests";
import { parseConfig } from "./parse";
import { CONTROLLER_KEYS } from "./controller-configmap";

const pools = { pools: { web: { origins: [{ url: "https://web.example.net" }] } } };
const ingress = (name: string, host: string, annotations: Record<string, string> = {}, namespace?: string) => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name, ...(namespace ? { namespace } : {}), annotations },
  spec: { rules: [{ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }] },
});
const configMap = (ref: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
  const [namespace, name] = ref.includes("/") ? ref.split("/") : [undefined, ref];
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, ...(namespace ? { namespace } : {}) }, data, ...extra };
};
const controller = (data: Record<string, string>) => configMap("ingress-nginx/ingress-nginx-controller", data);
const HEADERS = { "X-Different-Name": "true", "X-Request-Start": "t=${msec}" };

function merge(...values: unknown[]) {
  const documents: SourceDocument[] = values.map((value, index) => ({ file: "c.yaml", index, value }));
  const merged = mergeDocuments(documents);
  const parsed = parseConfig(merged.document);
  return { merged, parsed, problems: merged.problems.map((p) => `${p.path}: ${p.message}`) };
}

/** The NginxHeaders filter of each merged path, by host. */
function headerFilters(document: { rules?: unknown[] }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const rule of document.rules ?? []) {
    const r = rule as { host: string; http: { paths: { filters?: { type: string; nginxHeaders?: unknown }[] }[] } };
    for (const p of r.http.paths) out[r.host] = p.filters?.find((f) => f.type === "NginxHeaders")?.nginxHeaders;
  }
  return out;
}

describe("ConfigMap manifests", () => {
  it("notes a ConfigMap nothing reads", () => {
    const { merged, problems } = merge(pools, configMap("app-settings", { a: "b" }));
    expect(problems).toEqual([]);
    expect(merged.notes).toEqual([expect.stringMatching(/^c\.yaml\[1\] \(ConfigMap default\/app-settings\): not read: no setting or annotation names it/)]);
  });

  it("refuses a bad envelope, non-string values and a duplicate, by path", () => {
    const { problems } = merge(pools, { ...configMap("a", { on: true }), apiVersion: "v2" }, configMap("b", {}), configMap("b", {}));
    expect(problems).toEqual([
      "c.yaml[1]: apiVersion: must be v1 for kind ConfigMap, got \"v2\"",
      "c.yaml[1]: data.on: must be a string (quote it: ConfigMap values are strings), got true",
      expect.stringMatching(/^c\.yaml\[3\]: metadata\.name \(ConfigMap default\/b\): a ConfigMap of this name and namespace is already defined at c\.yaml\[2\]/),
    ]);
  });
});

describe("the controller ConfigMap", () => {
  it("puts proxy-set-headers and add-headers on every path of every Ingress, whatever the file order, and not on native rules", () => {
    const native = { ...pools, rules: [{ host: "native.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } } }] } }] };
    const { merged, parsed, problems } = merge(
      native,
      ingress("a", "a.example.com"),
      controller({ "proxy-set-headers": "ingress-nginx/custom-headers", "add-headers": "ingress-nginx/response-headers" }),
      configMap("ingress-nginx/custom-headers", HEADERS),
      configMap("ingress-nginx/response-headers", { "X-Frame-Options": "DENY" }),
      ingress("b", "b.example.com", {}, "team"),
    );
    expect(problems).toEqual([]);
    expect(parsed.ok).toBe(true);
    const both = {
      request: [{ name: "X-Different-Name", value: "true" }, { name: "X-Request-Start", value: "t=${msec}" }],
      response: [{ name: "X-Frame-Options", value: "DENY" }],
    };
    expect(headerFilters(merged.document)).toEqual({ "native.example.com": undefined, "a.example.com": both, "b.example.com": both });
    expect(merged.notes).toEqual([]);
  });

  it("refuses a header ConfigMap no file defines, a variable other than $msec, and the router's own headers, each where written", () => {
    const { problems } = merge(
      pools,
      ingress("a", "a.example.com"),
      controller({ "proxy-set-headers": "ingress-nginx/custom-headers", "add-headers": "missing" }),
      configMap("ingress-nginx/custom-headers", { "X-Client": "$remote_addr", "X-Forwarded-For": "1.2.3.4" }),
    );
    expect(problems).toHaveLength(3);
    expect(problems.some((p) => p.includes('data.add-headers') && p.includes('"ingress-nginx/missing", which no config file defines'))).toBe(true);
    expect(problems.some((p) => p.includes('data.X-Client') && p.includes("$remote_addr"))).toBe(true);
    expect(problems.some((p) => p.includes('data.X-Forwarded-For') && p.includes("the router sets it"))).toBe(true);
  });

  it("judges every other key: refused security settings (inert values accepted), notes, and one note for the rest", () => {
    const { merged, problems } = merge(pools, ingress("a", "a.example.com"), controller({
      "whitelist-source-range": "10.0.0.0/8",
      "global-auth-url": "https://auth.example/check",
      "ssl-redirect": "false",
      hsts: "true",
      "enable-modsecurity": "false",
      "use-forwarded-headers": "true",
      "worker-processes": "4",
      "keep-alive": "75",
    }));
    expect(problems.map((p) => p.replace(/ \(ConfigMap [^)]*\)/, ""))).toEqual([
      expect.stringMatching(/^c\.yaml\[2\]: data\.whitelist-source-range: refused \(got "10\.0\.0\.0\/8"\): a list for every Ingress is not read/),
      expect.stringMatching(/^c\.yaml\[2\]: data\.global-auth-url: refused .*authentication for every Ingress is not read/),
      expect.stringMatching(/^c\.yaml\[2\]: data\.ssl-redirect: refused \(got "false"\): HTTPS settings/),
    ]);
    expect(merged.notes).toEqual([
      expect.stringContaining('data.use-forwarded-headers (ConfigMap ingress-nginx/ingress-nginx-controller): not read: the client address is always CF-Connecting-IP'),
      expect.stringContaining("data (ConfigMap ingress-nginx/ingress-nginx-controller): not read (nginx tuning, or settings edge-ingress has per pool, path or host instead: README, Migrating from ingress-nginx): worker-processes, keep-alive"),
    ]);
  });

  it("reaches the hosts server-alias adds, and refuses one header named twice in a ConfigMap", () => {
    const alias = { "nginx.ingress.kubernetes.io/server-alias": "b.example.com" };
    const ok = merge(pools, ingress("a", "a.example.com", alias), controller({ "add-headers": "h" }), configMap("ingress-nginx/h", { "X-A": "1" }));
    expect(ok.problems).toEqual([]);
    expect(headerFilters(ok.merged.document)).toEqual({ "a.example.com": { response: [{ name: "X-A", value: "1" }] }, "b.example.com": { response: [{ name: "X-A", value: "1" }] } });
    const twice = merge(pools, ingress("a", "a.example.com"), controller({ "add-headers": "h" }), configMap("ingress-nginx/h", { "X-A": "1", "x-a": "2" }));
    expect(twice.problems).toEqual([expect.stringContaining('data.x-a (ConfigMap ingress-nginx/h): names the same header as "X-A"')]);
  });

  it("refuses a second controller ConfigMap", () => {
    const { problems } = merge(pools, controller({}), configMap("kube-system/ingress-nginx-controller", {}));
    expect(problems).toEqual([expect.stringContaining("a second controller ConfigMap (the first is ingress-nginx/ingress-nginx-controller)")]);
  });

  it("has a verdict with a reason for each key it names", () => {
    for (const [key, verdict] of Object.entries(CONTROLLER_KEYS)) expect(verdict.reason.length, key).toBeGreaterThan(10);
  });
});

describe("the custom-headers annotation", () => {
  const custom = { "nginx.ingress.kubernetes.io/custom-headers": "default/custom-headers-configmap" };

  it("sets the ConfigMap's response headers on that Ingress's paths, over add-headers of the same name", () => {
    const { merged, problems } = merge(
      pools,
      ingress("a", "a.example.com", custom),
      ingress("b", "b.example.com"),
      controller({ "global-allowed-response-headers": "Content-Type, X-Frame-Options", "add-headers": "ingress-nginx/response-headers" }),
      configMap("ingress-nginx/response-headers", { "X-Frame-Options": "DENY" }),
      configMap("custom-headers-configmap", { "Content-Type": "application/json", "x-frame-options": "SAMEORIGIN" }),
    );
    expect(problems).toEqual([]);
    expect(headerFilters(merged.document)).toEqual({
      "a.example.com": { response: [{ name: "Content-Type", value: "application/json" }, { name: "x-frame-options", value: "SAMEORIGIN" }] },
      "b.example.com": { response: [{ name: "X-Frame-Options", value: "DENY" }] },
    });
  });

  it("refuses, naming them, headers global-allowed-response-headers does not list", () => {
    const { problems } = merge(pools, ingress("a", "a.example.com", custom), controller({ "global-allowed-response-headers": "Content-Type" }),
      configMap("custom-headers-configmap", { "Content-Type": "application/json", "X-Powered-By": "edge" }));
    expect(problems).toEqual([
      'c.yaml[1]: metadata.annotations["nginx.ingress.kubernetes.io/custom-headers"] (Ingress a): ConfigMap default/custom-headers-configmap sets "X-Powered-By", not in global-allowed-response-headers of the controller ConfigMap ingress-nginx/ingress-nginx-controller (it lists content-type): ingress-nginx refuses the annotation then; add the header there, or remove it from the ConfigMap',
    ]);
  });

  it("refuses every header without a controller ConfigMap, and a ConfigMap no file defines", () => {
    expect(merge(pools, ingress("a", "a.example.com", custom), configMap("custom-headers-configmap", { "X-A": "1" })).problems).toEqual([
      expect.stringContaining("not in global-allowed-response-headers of the controller ConfigMap (none is defined) (it lists none)"),
    ]);
    expect(merge(pools, ingress("a", "a.example.com", custom)).problems).toEqual([
      expect.stringContaining('names ConfigMap "default/custom-headers-configmap", which no config file defines (ConfigMaps: none)'),
    ]);
  });
});
