// validate, explain and test on Gateway API manifests, in-process against
// real files (examples/gateway.yaml and files written here).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { cli, removeTempDirs, ROOT, tempDir, writeFiles } from "./helpers";

const EXAMPLE = join(ROOT, "examples/gateway.yaml");
let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(removeTempDirs);

describe("Gateway API in the CLI", () => {
  it("validate reads the example and counts its HTTPRoute rules", async () => {
    const run = await cli(["validate", EXAMPLE]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^valid: 4 pools, 0 routes, no defaultBackend, 4 HTTPRoute rules on 2 listeners; version /);
  });

  it("explain shows the rule, its conditions, its filters and what the origin receives", async () => {
    const run = await cli(["explain", EXAMPLE, "--host", "shop.example.com", "--path", "/api/cart?x=1", "--scheme", "https"]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines).toContain(`rule written at ${EXAMPLE}[3]: spec.rules[1] (HTTPRoute default/shop)`);
    expect(lines).toContain("           header env = \"canary\": not matched (absent)");
    expect(lines).toContain("  filter URLRewrite: rewrite matched prefix replaced by \"/v2\"");
    expect(lines).toContain("  backend api-v1: weight 90 (90%)");
    expect(lines).toContain("  timeout: 10000 ms for the whole request");
    expect(lines).toContain("the origin receives: GET https://api-v1.internal.example.net/v2/cart?x=1 with Host api-v1.internal.example.net");
    expect(lines).toContain("  header added: x-api-version: 2");

    const redirect = await cli(["explain", EXAMPLE, "--host", "shop.example.com", "--path", "/a?b=1"]);
    expect(redirect.stdout.split("\n")).toContain("answer: 301 from the router, Location: https://shop.example.com/a?b=1");
  });

  it("test asserts status, pool, Location, the origin's path and Host, and response headers", async () => {
    const cases = [
      { name: "redirect", host: "shop.example.com", path: "/x", expect: { status: 301, location: "https://shop.example.com/x" } },
      { name: "canary", host: "shop.example.com", path: "/api/a", scheme: "https", headers: { env: "canary" }, expect: "shop-canary" },
      { name: "rewrite", host: "shop.example.com", path: "/api/a", scheme: "https", expect: { pool: "api-v2", path: "/v2/a", host: "api-v1.internal.example.net" } },
      { name: "hsts", host: "shop.example.com", path: "/", scheme: "https", expect: { pool: "shop", responseHeaders: { "strict-transport-security": "max-age=31536000" } } },
      { name: "wrong", host: "shop.example.com", path: "/", scheme: "https", expect: { status: 404, location: "https://nowhere" } },
    ];
    const files = await writeFiles(dir, { "cases.yaml": stringify(cases) });
    const run = await cli(["test", EXAMPLE, "--cases", files["cases.yaml"]!]);
    expect(run.code).toBe(1);
    expect(run.stdout.split("\n")).toEqual([
      `FAIL case 5 (wrong): host shop.example.com path /: expected status 404, got forwarded to pool shop (the origin's status) (rule Prefix / at ${EXAMPLE}[3]: spec.rules[2] (HTTPRoute default/shop))`,
      `FAIL case 5 (wrong): host shop.example.com path /: expected Location https://nowhere, got no Location (rule Prefix / at ${EXAMPLE}[3]: spec.rules[2] (HTTPRoute default/shop))`,
      "5 cases: 4 passed, 1 failed",
    ]);
  });

  it("validate names every problem by file, manifest and field, and warns about Host rewrites", async () => {
    const files = await writeFiles(dir, {
      "bad.yaml": [
        stringify({ pools: { web: { origins: [{ url: "http://10.0.0.1" }] } } }),
        stringify({ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "gw" }, spec: { listeners: [{ name: "tcp", port: 9000, protocol: "TCP" }] } }),
        stringify({ apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "r" }, spec: { parentRefs: [{ name: "gw" }], rules: [{ filters: [{ type: "ExtensionRef" }] }] } }),
      ].join("---\n"),
      "ok.yaml": [
        stringify({ pools: { web: { origins: [{ url: "http://10.0.0.1" }] } } }),
        stringify({ gateways: [{ name: "gw", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] }], httpRoutes: [{ name: "r", parentRefs: [{ name: "gw" }], rules: [{ filters: [{ type: "URLRewrite", urlRewrite: { hostname: "app.example.com" } }], backendRefs: [{ name: "web" }, { name: "gone" }] }] }] }),
      ].join("---\n"),
    });
    const bad = await cli(["validate", files["bad.yaml"]!]);
    expect(bad.code).toBe(1);
    const lines = bad.stderr.split("\n");
    expect(lines[0]).toMatch(/\[1\]: spec\.listeners\[0\]\.protocol \(Gateway default\/gw\): must be HTTP or HTTPS \(TLS, TCP and UDP listeners are not supported\), got "TCP" \(line \d+\)$/);
    expect(lines[1]).toMatch(/\[2\]: spec\.rules\[0\]\.filters\[0\]\.type \(HTTPRoute default\/r\): ExtensionRef filters are not supported by edge-ingress \(line \d+\)$/);
    expect(lines[2]).toMatch(/\[2\]: spec\.parentRefs\[0\]\.name \(HTTPRoute default\/r\): Gateway default\/gw has problems of its own/);

    const ok = await cli(["validate", files["ok.yaml"]!]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/warning: .*httpRoutes\[0\]\.rules\[0\]\.backendRefs\[1\]\.name: no pool named "gone" .*answers 500/);
    expect(ok.stderr).toMatch(/warning: .*httpRoutes\[0\]\.rules\[0\]: URLRewrite hostname app\.example\.com \(pool web\): in production .*10\.0\.0\.1 is an IP address/);
  });
});
