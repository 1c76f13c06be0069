// The file-reading commands (validate, explain, test), run in-process against
// real files; no KV involved, except one wrangler run without credentials.
import { execFileSync, spawn } from "node:child_process";
import { cp, readFile, symlink, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { NGINX_ANNOTATIONS } from "../../src/core/config/annotations";
import { bin, cli, removeTempDirs, ROOT, tempDir, writeFiles } from "./helpers";

interface DocsExample {
  readonly name: string;
  readonly ingress: Record<string, unknown>;
  readonly requests: readonly { host: string; path: string; expect: { backend?: string; status?: number }; notes?: string }[];
}

const EXAMPLE = join(ROOT, "examples/edge-ingress.yaml");
let dir: string;

beforeAll(async () => {
  dir = await tempDir();
});
afterAll(removeTempDirs);

/** Kubernetes requires a port on service backends; the docs examples leave it out. */
function withPorts(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withPorts);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = withPorts(v);
  const service = out.service as Record<string, unknown> | undefined;
  if (service && typeof service.name === "string" && service.port === undefined) out.service = { ...service, port: { number: 80 } };
  return out;
}

/** A docs example as a user would write it: a pools file, the Ingress manifest, and a cases file. */
async function exampleFiles(example: DocsExample) {
  const names = new Set<string>(JSON.stringify(example.ingress).match(/"name":"[^"]+"/g)?.map((m) => m.slice(8, -1)) ?? []);
  const pools = Object.fromEntries([...names].map((name) => [name, { origins: [{ url: `https://${name}.example.net` }] }]));
  const slug = example.name.replace(/[^a-z0-9]+/g, "-");
  const cases = example.requests.map((r, i) => ({ name: `${slug} #${i}`, host: r.host, path: r.path, expect: r.expect.backend ?? 404 }));
  return writeFiles(dir, {
    [`${slug}.pools.yaml`]: stringify({ pools }),
    [`${slug}.ingress.yaml`]: stringify({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: slug }, spec: withPorts(example.ingress) }),
    [`${slug}.cases.yaml`]: stringify(cases),
  }).then((paths) => ({ pools: paths[`${slug}.pools.yaml`]!, ingress: paths[`${slug}.ingress.yaml`]!, cases: paths[`${slug}.cases.yaml`]! }));
}

describe("validate", () => {
  it("accepts the example and warns that IP origins fail in production", async () => {
    const run = await cli(["validate", EXAMPLE]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^valid: 2 pools, 3 routes, no defaultBackend; version [0-9a-f]{12}$/);
    expect(run.stderr).toContain(
      `warning: ${EXAMPLE}[0]: pools.web.origins[0].url: http://127.0.0.1:9001 is an IP address; Cloudflare refuses to fetch IP addresses in production (error 1003): give the origin a DNS name (line 10)`,
    );
  });

  it("prints every problem of every file as FILE[doc]: path: message, and exits 1", async () => {
    const files = await writeFiles(dir, {
      "pools.yaml": "pools:\n  web:\n    policy: fastest\n    origins:\n      - url: api:8080\n        weight: 0\n",
      "ingress.yaml": [
        "apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata: {name: old}\nspec: {}",
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: api}\nspec:\n  rules:\n    - host: API.example.com\n      http:\n        paths:\n          - path: /v1\n            pathType: Prefix\n            backend:\n              service: {name: nope}",
      ].join("\n---\n"),
      "extra.json": '{"pools": {"web": {"origins": [{"url": "https://x.example.net"}]}}, "rule": []}',
    });
    const run = await cli(["validate", files["pools.yaml"]!, files["ingress.yaml"]!, files["extra.json"]!]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n")).toEqual([
      `${files["pools.yaml"]}[0]: pools.web.policy: must be one of random, round-robin, least-recent, got "fastest" (line 3)`,
      `${files["pools.yaml"]}[0]: pools.web.origins[0].url: must be an absolute http(s) URL, got "api:8080" (line 5)`,
      `${files["pools.yaml"]}[0]: pools.web.origins[0].weight: must be a positive integer up to 10000, got 0 (line 6)`,
      `${files["ingress.yaml"]}[0]: apiVersion (Ingress old): must be networking.k8s.io/v1 for kind Ingress, got "networking.k8s.io/v1beta1" (v1beta1 was removed in Kubernetes 1.22: rewrite it for v1, e.g. with "kubectl convert") (line 1)`,
      // The missing port is reported on the line of its parent, "service:".
      `${files["ingress.yaml"]}[1]: spec.rules[0].http.paths[0].backend.service.port (Ingress api): port name or number is required (Kubernetes requires it; edge-ingress ignores it) (line 17)`,
      // The wrongly typed pool above hides none of the cross-checks.
      `${files["ingress.yaml"]}[1]: spec.rules[0].host (Ingress api): must be a lower-case DNS name, optionally starting with "*." (e.g. "api.example.com", "*.example.com"), got "API.example.com" (line 11)`,
      `${files["ingress.yaml"]}[1]: spec.rules[0].http.paths[0].backend.service.name (Ingress api): no pool named "nope" (pools: web) (line 17)`,
      `${files["extra.json"]}[0]: rule: unknown field (check its spelling and indentation) (line 1)`,
      `${files["extra.json"]}[0]: pools.web: pool "web" is already defined at ${files["pools.yaml"]}[0]: pools.web (line 1)`,
      "edge-ingress: 9 problems found",
    ]);
  });

  it("reports YAML syntax errors with their line and column", async () => {
    const files = await writeFiles(dir, { "dup.yaml": "pools:\n  web:\n    origins: [{url: 'https://a.example.net'}]\n  web: {}\n" });
    const run = await cli(["validate", files["dup.yaml"]!]);
    expect(run.code).toBe(1);
    expect(run.stderr.split("\n")).toEqual([`${files["dup.yaml"]}[0]: Map keys must be unique (line 4, column 3)`, "edge-ingress: 1 problem found"]);
  });

  it("lists the problems of the documents that read beside another's YAML errors, saying what the unread ones leave out", async () => {
    const files = await writeFiles(dir, {
      "broken.yaml": "pools:\n  api:\n    origins: [{url: 'https://a.example.net'}\n",
      "rules.yaml": stringify({ pools: { web: { origins: [{ url: "https://w.example.net" }], policy: "fastest" } }, rules: [{ host: "a.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api" } } }] } }] }),
    });
    const run = await cli(["validate", files["broken.yaml"]!, files["rules.yaml"]!]);
    expect(run.code).toBe(1);
    const lines = run.stderr.split("\n");
    expect(lines[0]).toBe("note: the documents that could not be read (below) are left out of every other check: until they read, what they define (a pool, a Gateway, an Ingress) counts as missing");
    expect(lines.filter((l) => l.startsWith(`${files["broken.yaml"]}[0]: `)).length).toBeGreaterThan(0);
    // The other file's own problem, and the reference to the pool the broken file defines.
    expect(lines.some((l) => l.startsWith(`${files["rules.yaml"]}[0]: pools.web.policy: `))).toBe(true);
    expect(lines.some((l) => l.startsWith(`${files["rules.yaml"]}[0]: rules[0].http.paths[0].backend.service.name: no pool named "api"`))).toBe(true);
    expect(lines.at(-1)).toMatch(/^edge-ingress: \d+ problems found$/);
  });

  it("warns, without failing, about routes that can never match and more health checks than a free-plan cron run probes", async () => {
    const origins = Array.from({ length: 120 }, (_, i) => ({ url: `https://o${i}.example.net` }));
    const rule = (path: string) => ({ host: "a.example.com", http: { paths: [{ path, pathType: "Prefix", backend: { service: { name: "big" } } }] } });
    const files = await writeFiles(dir, {
      "big.yaml": stringify({ pools: { big: { origins, healthCheck: { path: "/healthz" } } } }),
      "rules.yaml": stringify({ rules: [rule("/foo"), rule("/foo/"), rule("/a?b")] }),
    });
    const run = await cli(["validate", files["big.yaml"]!, files["rules.yaml"]!]);
    expect(run.code).toBe(0);
    const warnings = run.stderr.split("\n");
    expect(warnings).toContain(
      "warning: 120 origins have health checks, more than one cron run may probe on the free plan (50 subrequests per invocation): " +
        "each run probes a rotating window of 50, so each origin is probed every 3 minutes; on a paid plan, raise HEALTH_MAX_PROBES_PER_RUN in wrangler.toml",
    );
    expect(warnings.filter((w) => w.includes("can never match"))).toEqual([
      `warning: ${files["rules.yaml"]}[0]: rules[1].http.paths[0]: can never match: same host, pathType and path as ${files["rules.yaml"]}[0]: rules[0].http.paths[0] (pool big), which always wins over it (line 13)`,
      `warning: ${files["rules.yaml"]}[0]: rules[2].http.paths[0]: can never match: the path contains "?", which starts the query: a request path never contains it (line 21)`,
    ]);
  });

  it("warns about each pool no request can reach: not named by a rule or the defaultBackend, directly or through whenAllDown", async () => {
    const pool = (extra: object = {}) => ({ origins: [{ url: "https://o.example.net" }], ...extra });
    const files = await writeFiles(dir, {
      "pools.yaml": stringify({
        pools: {
          web: pool({ whenAllDown: "backup" }),
          backup: pool({ whenAllDown: "last" }),
          last: pool(),
          fallback: pool(),
          spare: pool({ whenAllDown: "orphan" }),
          orphan: pool(),
        },
        rules: [{ host: "a.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } } }] } }],
        defaultBackend: { service: { name: "fallback" } },
      }),
    });
    const run = await cli(["validate", files["pools.yaml"]!]);
    expect(run.code).toBe(0);
    expect(run.stderr.split("\n")).toEqual([
      `warning: ${files["pools.yaml"]}[0]: pools.spare: no request can reach pool "spare": no rule or defaultBackend names it, directly or through whenAllDown (line 16)`,
      `warning: ${files["pools.yaml"]}[0]: pools.orphan: no request can reach pool "orphan": no rule or defaultBackend names it, directly or through whenAllDown (line 20)`,
    ]);
  });

  it("reads kind: List, skips other kinds with a note, and keeps only the asked ingress class", async () => {
    const ingress = (name: string, host: string, className?: string) => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name, annotations: { "nginx.ingress.kubernetes.io/ssl-redirect": "false" } },
      spec: {
        ...(className ? { ingressClassName: className } : {}),
        rules: [{ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { name: "http" } } } }] } }],
      },
    });
    const list = {
      apiVersion: "v1",
      kind: "List",
      items: [ingress("edge-one", "one.example.com", "edge"), { apiVersion: "v1", kind: "Service", metadata: { name: "web" } }, ingress("nginx-one", "two.example.com", "nginx")],
    };
    const files = await writeFiles(dir, { "list.yaml": `${stringify({ pools: { web: { origins: [{ url: "https://web.example.net" }] } } })}---\n${stringify(list)}` });
    const all = await cli(["validate", files["list.yaml"]!]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^valid: 1 pool, 2 routes/);
    expect(all.stderr).toBe(`note: ${files["list.yaml"]}[1]: items[1]: skipped Service "web" (only Ingress, Gateway API, ConfigMap and native documents are read)`);

    const edge = await cli(["validate", files["list.yaml"]!, "--ingress-class", "edge"]);
    expect(edge.code).toBe(0);
    expect(edge.stdout).toMatch(/^valid: 1 pool, 1 route/);
    expect(edge.stderr.split("\n")).toEqual([
      `note: ${files["list.yaml"]}[1]: items[1]: skipped Service "web" (only Ingress, Gateway API, ConfigMap and native documents are read)`,
      `note: ${files["list.yaml"]}[1]: items[2]: skipped Ingress "nginx-one" (class "nginx", not "edge")`,
    ]);
  });
});

describe("ConfigMaps", () => {
  const manifests = (controllerData: Record<string, string>) => [
    { pools: { web: { origins: [{ url: "https://web.example.net" }] } } },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "app", annotations: { "nginx.ingress.kubernetes.io/ssl-redirect": "false" } },
      spec: { rules: [{ host: "app.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }] },
    },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ingress-nginx-controller", namespace: "ingress-nginx" }, data: controllerData },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "custom-headers", namespace: "ingress-nginx" }, data: { "X-Request-Start": "t=${msec}" } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kube-root-ca.crt" }, data: { "ca.crt": "..." } },
  ].map((d) => stringify(d)).join("---\n");

  it("validate reads the controller ConfigMap, refuses its security settings by file and key, and notes what it does not read", async () => {
    const files = await writeFiles(dir, { "cm.yaml": manifests({ "proxy-set-headers": "ingress-nginx/custom-headers", "whitelist-source-range": "10.0.0.0/8", "worker-processes": "4" }) });
    const run = await cli(["validate", files["cm.yaml"]!]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${files["cm.yaml"]}[2]: data.whitelist-source-range (ConfigMap ingress-nginx/ingress-nginx-controller): refused (got "10.0.0.0/8")`);
    expect(run.stderr).toContain(`note: ${files["cm.yaml"]}[2]: data (ConfigMap ingress-nginx/ingress-nginx-controller): not read (nginx tuning`);
    expect(run.stderr).toContain(`note: ${files["cm.yaml"]}[4] (ConfigMap default/kube-root-ca.crt): not read: no setting or annotation names it`);
  });

  it("explain shows the headers the ConfigMap sets on an Ingress path", async () => {
    const files = await writeFiles(dir, { "cm-ok.yaml": manifests({ "proxy-set-headers": "ingress-nginx/custom-headers" }) });
    const run = await cli(["explain", files["cm-ok.yaml"]!, "--host", "app.example.com", "--path", "/"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("request header: set x-request-start: t=$msec");
  });
});

describe("test and explain on the Kubernetes docs examples", async () => {
  const examples = JSON.parse(await readFile(new URL("../fixtures/conformance/ingress-docs-examples.json", import.meta.url), "utf8")) as DocsExample[];

  it.each(examples.map((e) => [e.name, e] as const))("%s: every documented request routes as the docs say", async (_name, example) => {
    const files = await exampleFiles(example);
    const run = await cli(["test", files.pools, files.ingress, "--cases", files.cases]);
    expect(run.stdout).toBe(`${example.requests.length} case${example.requests.length === 1 ? "" : "s"}: ${example.requests.length} passed, 0 failed`);
    expect(run.code).toBe(0);
  });

  it("prints each mismatch with what matched instead, and exits 1", async () => {
    const example = examples.find((e) => e.name === "docs-table/mixed-prefix-and-exact-foo")!;
    const files = await exampleFiles({ ...example, requests: [...example.requests, { host: "docs.example", path: "/foo", expect: { backend: "foo-prefix" } }, { host: "docs.example", path: "/bar", expect: { backend: "foo-exact" } }] });
    const run = await cli(["test", files.pools, files.ingress, "--cases", files.cases]);
    expect(run.code).toBe(1);
    const n = example.requests.length;
    expect(run.stdout.split("\n")).toEqual([
      `FAIL case ${n + 1} (docs-table-mixed-prefix-and-exact-foo #${n}): host docs.example path /foo: expected pool foo-prefix, got pool foo-exact (rule Exact /foo at ${files.ingress}[0]: spec.rules[0].http.paths[1] (Ingress docs-table-mixed-prefix-and-exact-foo))`,
      `FAIL case ${n + 2} (docs-table-mixed-prefix-and-exact-foo #${n + 1}): host docs.example path /bar: expected pool foo-exact, got 404 (no rule matched and no defaultBackend)`,
      `${n + 2} cases: ${n} passed, 2 failed`,
    ]);
  });

  it("explain names the rule, the precedence step that decided, the pool and its candidates", async () => {
    const example = examples.find((e) => e.name === "docs-table/prefix-root-aaa-aaabbb")!;
    const files = await exampleFiles(example);
    const run = await cli(["explain", files.pools, files.ingress, "--host", "Docs.Example:8080", "--path", "/aaa/bbb/ccc", "--method", "post"]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines).toContain("decided: longest path: /aaa/bbb (8) over /aaa (4)");
    expect(lines).toContain("result: pool prefix-aaa-bbb");
    expect(lines).toContain(`rule written at ${files.ingress}[0]: spec.rules[0].http.paths[2] (Ingress docs-table-prefix-root-aaa-aaabbb)`);
    expect(lines).toContain("pool prefix-aaa-bbb: policy round-robin, no health check, when all down: fail-open");
    expect(lines).toContain("  https://prefix-aaa-bbb.example.net  weight 1  100%");
    expect(lines[0]).toBe("method: POST (Ingress rules match host and path only; every method is routed alike)");
  });

  it("explain --help says that without --local no health is read", async () => {
    const help = await cli(["explain", "--help"]);
    expect(help.code).toBe(0);
    const text = help.stdout.replace(/\s+/g, " ");
    expect(text).toContain("--local read origin health from local storage, as `wrangler dev` reads it (default: health is not read, every origin is listed as a candidate)");
    expect(text).not.toContain("remote namespace");
  });

  it("explain says why nothing matched, and when the defaultBackend answered", async () => {
    const exact = await exampleFiles(examples.find((e) => e.name === "docs-table/exact-foo")!);
    const none = await cli(["explain", exact.pools, exact.ingress, "--host", "docs.example", "--path", "/foo/"]);
    expect(none.code).toBe(0);
    expect(none.stdout.split("\n").slice(-2)).toEqual(["decided: no path matched; no defaultBackend, 404", "result: 404 (no rule matched and no defaultBackend)"]);

    const fallback = await exampleFiles(examples.find((e) => e.name === "docs-table/prefix-aaa-uses-default-backend")!);
    const run = await cli(["explain", fallback.pools, fallback.ingress, "--host", "docs.example", "--path", "/a/../bbb"]);
    expect(run.stdout).toContain("request path /a/../bbb reaches the Worker as /bbb (URL parsing)");
    expect(run.stdout).toContain("decided: no path matched; defaultBackend default-backend");
  });
});

describe("path normalization in the CLI", () => {
  const config = (pathNormalization?: unknown) =>
    stringify({
      ...(pathNormalization === undefined ? {} : { pathNormalization }),
      pools: { web: { origins: [{ url: "https://web.example.net" }] }, admin: { origins: [{ url: "https://admin.example.net" }] } },
      rules: [
        {
          host: "app.example.com",
          http: {
            paths: [
              { path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } },
              { path: "/admin", pathType: "Prefix", backend: { service: { name: "admin", port: { number: 80 } } } },
            ],
          },
        },
      ],
    });

  it("test routes each path as the Worker does: normalized, or refused with 400", async () => {
    const cases = [
      { host: "app.example.com", path: "/%61dmin", expect: "admin" },
      { host: "app.example.com", path: "//admin", expect: "admin" },
      { host: "app.example.com", path: "/admin;x", expect: "admin" },
      { host: "app.example.com", path: "/admin%2fx", expect: 400 },
      { host: "app.example.com", path: "/admin/..%2fsecret.txt", expect: 400 },
      { host: "app.example.com", path: "/admin%2fx", expect: "web", name: "wrong on purpose" },
    ];
    const files = await writeFiles(dir, { "norm.yaml": config(), "norm.cases.yaml": stringify(cases) });
    const run = await cli(["test", files["norm.yaml"]!, "--cases", files["norm.cases.yaml"]!]);
    expect(run.stdout.split("\n")).toEqual([
      'FAIL case 6 (wrong on purpose): host app.example.com path /admin%2fx: expected pool web, got 400 (bad request path: an encoded "/" (%2F) is refused (pathNormalization.escapedSlashes is "reject"))',
      "6 cases: 5 passed, 1 failed",
    ]);
    expect(run.code).toBe(1);

    const keep = await writeFiles(dir, {
      "keep.yaml": config({ escapedSlashes: "keep", mergeSlashes: false }),
      "keep.cases.yaml": stringify([
        { host: "app.example.com", path: "/admin%2fx", expect: "web" },
        { host: "app.example.com", path: "//admin", expect: "web" },
      ]),
    });
    const kept = await cli(["test", keep["keep.yaml"]!, "--cases", keep["keep.cases.yaml"]!]);
    expect(kept).toMatchObject({ code: 0, stdout: "2 cases: 2 passed, 0 failed" });
  });

  it("explain shows the normalized path, what was matched, and refusals", async () => {
    const files = await writeFiles(dir, { "explain-norm.yaml": config() });
    const run = await cli(["explain", files["explain-norm.yaml"]!, "--host", "app.example.com", "--path", "//%61dmin;v=1"]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines).toContain("path: //%61dmin;v=1 -> /admin;v=1 (normalized; the origin receives /admin;v=1)");
    expect(lines).toContain('matched as /admin (";" parameters are not matched)');
    expect(lines).toContain("result: pool admin");

    const refused = await cli(["explain", files["explain-norm.yaml"]!, "--host", "app.example.com", "--path", "/admin%00"]);
    expect(refused.code).toBe(0);
    expect(refused.stdout.split("\n").slice(-2)).toEqual([
      "decided: path refused: an encoded NUL (%00) is refused",
      "result: 400 (bad request path; no origin is contacted)",
    ]);
  });
});

describe("what the CLI agrees to read", () => {
  it("refuses a FIFO, a device and a directory without reading them", async () => {
    const fifo = join(dir, "pipe.yaml");
    execFileSync("mkfifo", [fifo]);
    // Nothing ever writes to the FIFO: reading it would wait forever.
    expect(await cli(["validate", fifo])).toEqual({ code: 2, stdout: "", stderr: `edge-ingress: cannot read ${JSON.stringify(fifo)}: it is a FIFO (named pipe), not a regular file` });
    expect(await cli(["validate", "/dev/urandom"])).toEqual({ code: 2, stdout: "", stderr: 'edge-ingress: cannot read "/dev/urandom": it is a character device, not a regular file' });
    expect(await cli(["validate", dir])).toEqual({ code: 2, stdout: "", stderr: `edge-ingress: cannot read ${JSON.stringify(dir)}: it is a directory, not a regular file` });
  });

  it("refuses a file larger than 16 MiB before reading it", async () => {
    const big = join(dir, "big.yaml");
    await writeFile(big, "");
    await truncate(big, 16 * 1024 * 1024 + 1);
    expect(await cli(["validate", big])).toEqual({
      code: 2,
      stdout: "",
      stderr: `edge-ingress: cannot read ${JSON.stringify(big)}: it is 16777217 bytes, more than the 16 MiB a config file may have`,
    });
  });

  it("reports bytes that are not UTF-8 with their line, as a syntax problem", async () => {
    const latin1 = join(dir, "latin1.yaml");
    await writeFile(latin1, Buffer.concat([Buffer.from("pools:\n  web:\n    origins:\n      - url: https://caf"), Buffer.from([0xe9]), Buffer.from(".example.net\n")]));
    const run = await cli(["validate", latin1]);
    expect(run).toEqual({ code: 1, stdout: "", stderr: `${latin1}: not valid UTF-8 (line 4); save the file as UTF-8\nedge-ingress: 1 problem found` });
  });
});

describe("usage and environment errors", () => {
  it("exit 2 with one line for a missing file, a bad argument or a missing option", async () => {
    const missing = await cli(["validate", join(dir, "nope.yaml")]);
    expect(missing).toEqual({ code: 2, stdout: "", stderr: `edge-ingress: cannot read ${JSON.stringify(join(dir, "nope.yaml"))}: no such file` });
    const path = await cli(["explain", EXAMPLE, "--host", "a.example.com", "--path", "api"]);
    expect(path).toEqual({ code: 2, stdout: "", stderr: 'edge-ingress: --path must start with "/", got "api"' });
    expect((await cli(["explain", EXAMPLE, "--path", "/"])).code).toBe(2);
    expect((await cli(["apply"])).code).toBe(2);
    expect((await cli(["frobnicate"])).code).toBe(2);
    const config = await cli(["status", "--config", join(dir, "none.toml")]);
    expect(config.stderr).toBe(`edge-ingress: no wrangler config at ${join(dir, "none.toml")}; pass --config PATH to your wrangler.toml`);
  });

  it("says in one line that wrangler is not logged in, without touching KV", async () => {
    const home = await tempDir("edge-ingress-home-");
    const env: Record<string, string | undefined> = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), WRANGLER_SEND_METRICS: "false" };
    delete env.CLOUDFLARE_API_TOKEN;
    delete env.CLOUDFLARE_ACCOUNT_ID;
    const run = await cli(["status"], { env });
    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr: 'edge-ingress: wrangler is not logged in; run "npx wrangler login" or set CLOUDFLARE_API_TOKEN (or use --local)',
    });

    // apply --dry-run still shows what it would write, diffed against nothing.
    const dry = await cli(["apply", EXAMPLE, "--dry-run"], { env });
    expect(dry.code, dry.stderr).toBe(0);
    const writes = JSON.parse(dry.stdout) as { key: string; value: unknown }[];
    expect(writes.map((w) => w.key)).toEqual(["edge-ingress:config-history", "edge-ingress:config"]);
    const lines = dry.stderr.split("\n");
    const warning = lines.indexOf('warning: cannot read the remote namespace: wrangler is not logged in; run "npx wrangler login" or set CLOUDFLARE_API_TOKEN (or use --local)');
    expect(warning).toBeGreaterThan(-1);
    expect(lines[warning + 1]).toBe("the diff below is against nothing, and the history shown holds only the new version (what KV holds already would follow it)");
    expect(dry.stderr).toContain("  + pool web (round-robin): http://127.0.0.1:9001 (weight 2), http://127.0.0.1:9002");
  }, 60_000);

  it("runs through its bin, the bundle in dist/cli", async () => {
    const run = await bin(["validate", "examples/edge-ingress.yaml"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^valid: 2 pools/);
    const bad = await bin(["validate", "examples/missing.yaml"]);
    expect(bad).toEqual({ code: 2, stdout: "", stderr: 'edge-ingress: cannot read "examples/missing.yaml": no such file\n' });
  });

  it("stops quietly when its reader closes the pipe early, as with | head", async () => {
    const child = spawn(process.execPath, [join(ROOT, "bin/edge-ingress.mjs"), "explain", EXAMPLE, "--host", "app.example.com", "--path", "/api"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(stderr).not.toContain("EPIPE");
    expect(code).toBe(0);
  });

  it("builds the bundle when it is missing or built from other sources, and says so when it cannot", async () => {
    // A copy of the repository without dist/, as a clone installed with --ignore-scripts.
    const clone = await tempDir("edge-ingress-clone-");
    for (const path of ["bin", "scripts", "src", "examples", "package.json", "package-lock.json"]) await cp(join(ROOT, path), join(clone, path), { recursive: true });
    await symlink(join(ROOT, "node_modules"), join(clone, "node_modules"));
    const run = (...argv: string[]) => bin(argv, clone, join(clone, "bin/edge-ingress.mjs"));

    const first = await run("validate", "examples/edge-ingress.yaml");
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^valid: 2 pools/);
    expect(JSON.parse(await readFile(join(clone, "dist/cli/build.json"), "utf8")).inputs).toContain("src/cli/validate.ts");

    // An edited source is picked up on the next run.
    const validate = join(clone, "src/cli/validate.ts");
    await writeFile(validate, (await readFile(validate, "utf8")).replace("io.out(`valid: ", "io.out(`VALID: "));
    expect((await run("validate", "examples/edge-ingress.yaml")).stdout).toMatch(/^VALID: 2 pools/);

    await writeFile(validate, "export const broken = ;\n");
    const broken = await run("validate", "examples/edge-ingress.yaml");
    expect(broken.code).toBe(2);
    expect(broken.stdout).toBe("");
    expect(broken.stderr).toMatch(/^edge-ingress: cannot build the CLI into dist\/cli: src\/cli\/validate\.ts:1: .+; run "npm install" \(or "npm run build"\) in the edge-ingress folder\n$/);
  }, 60_000);
});

describe("Ingress annotations and tls", async () => {
  const reference = JSON.parse(await readFile(new URL("../fixtures/ingress-nginx-annotations.json", import.meta.url), "utf8")) as {
    prefix: string;
    annotations: { name: string }[];
  };
  const POOLS = stringify({ pools: { web: { origins: [{ url: "https://web.example.net" }] }, beta: { origins: [{ url: "https://beta.example.net" }] } } });
  const manifest = (name: string, host: string, options: { annotations?: Record<string, string>; pool?: string; tls?: unknown; pathType?: string; path?: string } = {}) =>
    stringify({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name, ...(options.annotations ? { annotations: options.annotations } : {}) },
      spec: {
        ...(options.tls ? { tls: options.tls } : {}),
        rules: [{ host, http: { paths: [{ path: options.path ?? "/", pathType: options.pathType ?? "Prefix", backend: { service: { name: options.pool ?? "web", port: { number: 80 } } } }] } }],
      },
    });
  const nginx = (name: string) => `nginx.ingress.kubernetes.io/${name}`;
  const at = (file: string, doc: number, name: string, ingress: string) => `${file}[${doc}]: metadata.annotations[${JSON.stringify(nginx(name))}] (Ingress ${ingress})`;

  it("refuses what would leave a route less protected than written, naming the file, the Ingress and the annotation, and exits 1", async () => {
    const files = await writeFiles(dir, {
      "admin.yaml": `${POOLS}---\n${manifest("admin", "admin.example.com", {
        annotations: { [nginx("limit-rps")]: "10", [nginx("auth-tls-secret")]: "ns/ca", [nginx("auth-tls-verify-client")]: "on" },
      })}`,
    });
    const f = files["admin.yaml"]!;
    const run = await cli(["validate", f]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(new RegExp(`^${escape(at(f, 1, "limit-rps", "admin"))}: refused: .*rate limit.* \\(line 14\\)$`));
    expect(lines[1]).toMatch(new RegExp(`^${escape(at(f, 1, "auth-tls-secret", "admin"))}: refused: .*certificate.* \\(line 15\\)$`));
    expect(lines[2]).toMatch(new RegExp(`^${escape(at(f, 1, "auth-tls-verify-client", "admin"))}: refused: `));
    expect(lines[3]).toBe("edge-ingress: 3 problems found");
  });

  it("names what it ignores as harmless in a note, warns about unknown annotations of ingress controllers, and exits 0", async () => {
    const files = await writeFiles(dir, {
      "tuned.yaml": `${POOLS}---\n${manifest("tuned", "tuned.example.com", {
        annotations: {
          [nginx("proxy-buffering")]: "on",
          [nginx("ssl-redirect")]: "false",
          [nginx("whitelist-source-ranges")]: "10.0.0.0/8",
          "alb.ingress.kubernetes.io/scheme": "internet-facing",
          "example.com/owner": "team-a",
        },
      })}`,
    });
    const f = files["tuned.yaml"]!;
    const run = await cli(["validate", f]);
    expect(run.code).toBe(0);
    const lines = run.stderr.split("\n");
    expect(lines.filter((l) => l.startsWith("note:"))).toEqual([
      expect.stringMatching(new RegExp(`^note: ${escape(at(f, 1, "proxy-buffering", "tuned"))}: ignored, harmless: .*stream`)),
      `note: ${f}[1]: metadata.annotations["example.com/owner"] (Ingress tuned): ignored: not an annotation edge-ingress or a known ingress controller reads`,
    ]);
    expect(lines.filter((l) => l.startsWith("warning:") && l.includes("annotations"))).toEqual([
      `warning: ${at(f, 1, "whitelist-source-ranges", "tuned")}: not an ingress-nginx annotation (ingress-nginx ignores it too; did you mean "whitelist-source-range"?) (line 16)`,
      `warning: ${f}[1]: metadata.annotations["alb.ingress.kubernetes.io/scheme"] (Ingress tuned): read by the AWS Load Balancer Controller, not by edge-ingress: what it asks for does not happen (line 17)`,
    ]);
    // ssl-redirect "false" asks for what edge-ingress does anyway: no word about it.
    expect(run.stderr).not.toContain("ssl-redirect");
  });

  it("notes that a tls section's hosts are redirected to HTTPS and get HSTS, unless ssl-redirect says no redirect is wanted", async () => {
    const tls = [{ hosts: ["shop.example.com", "www.shop.example.com"], secretName: "shop-tls" }];
    const files = await writeFiles(dir, {
      "tls.yaml": `${POOLS}---\n${manifest("shop", "shop.example.com", { tls })}---\n${manifest("plain", "plain.example.com", { pool: "beta", tls, annotations: { [nginx("ssl-redirect")]: "false" } })}`,
    });
    const f = files["tls.yaml"]!;
    const run = await cli(["validate", f]);
    expect(run.code).toBe(0);
    expect(run.stderr.split("\n")).toEqual([
      `note: ${f}[1]: spec.tls (Ingress shop): Cloudflare terminates TLS at the edge, so certificates are not needed; hosts shop.example.com serve HTTPS, as ingress-nginx gives them a certificate: their paths are redirected from HTTP to HTTPS (308), whichever Ingress they come from, unless it sets nginx.ingress.kubernetes.io/ssl-redirect: \"false\", and HTTPS responses carry Strict-Transport-Security: max-age=31536000; includeSubDomains (ingress-nginx's ConfigMap defaults)`,
      `note: ${f}[2]: spec.tls (Ingress plain): Cloudflare terminates TLS at the edge, so certificates are not needed; hosts plain.example.com serve HTTPS, as ingress-nginx gives them a certificate: their paths are redirected from HTTP to HTTPS (308), whichever Ingress they come from, unless it sets nginx.ingress.kubernetes.io/ssl-redirect: \"false\", as this one does, and HTTPS responses carry Strict-Transport-Security: max-age=31536000; includeSubDomains (ingress-nginx's ConfigMap defaults)`,
    ]);
  });

  it("pairs a canary Ingress with the main Ingress of its host and path, and refuses one without, naming it by file and name", async () => {
    const files = await writeFiles(dir, {
      "main.yaml": `${POOLS}---\n${manifest("shop", "shop.example.com")}`,
      "canary.yaml": manifest("shop-canary", "shop.example.com", { pool: "beta", annotations: { [nginx("canary")]: "true", [nginx("canary-weight")]: "10" } }),
      "alone.yaml": `${POOLS}---\n${manifest("shop-canary", "shop.example.com", { pool: "beta", annotations: { [nginx("canary")]: "true" } })}`,
    });
    const paired = await cli(["validate", files["main.yaml"]!, files["canary.yaml"]!]);
    expect(paired.code, paired.stderr).toBe(0);
    const alone = await cli(["validate", files["alone.yaml"]!]);
    expect(alone.code).toBe(1);
    const lines = alone.stderr.split("\n");
    expect(lines[0]).toMatch(new RegExp(`^${escape(files["alone.yaml"]!)}\\[1\\]: spec\\.rules\\[0\\]\\.http\\.paths\\[0\\] \\(Ingress shop-canary\\): no other Ingress has host "shop.example.com" and path "/"`));
    expect(lines.at(-1)).toBe("edge-ingress: 1 problem found");
  });

  it("names both Ingresses, by file and name, when two send the same host and path to different pools", async () => {
    const files = await writeFiles(dir, {
      "a.yaml": `${POOLS}---\n${manifest("one", "same.example.com")}`,
      "b.yaml": manifest("two", "same.example.com", { pool: "beta" }),
    });
    const run = await cli(["validate", files["a.yaml"]!, files["b.yaml"]!]);
    expect(run.code).toBe(1);
    expect(run.stderr.split("\n")).toEqual([
      `${files["b.yaml"]}[0]: spec.rules[0].http.paths[0] (Ingress two): host "same.example.com" path "/" (Prefix) already goes to pool "web" at ${files["a.yaml"]}[1]: spec.rules[0].http.paths[0] (Ingress one); it cannot also go to "beta" (line 10)`,
      "edge-ingress: 1 problem found",
    ]);
  });

  it("changing only an annotation changes the config version", async () => {
    const version = async (annotations: Record<string, string>) => {
      const files = await writeFiles(dir, { "versioned.yaml": `${POOLS}---\n${manifest("web", "v.example.com", { annotations })}` });
      const run = await cli(["validate", files["versioned.yaml"]!]);
      expect(run.code, run.stderr).toBe(0);
      return run.stdout.match(/version ([0-9a-f]{12})$/)?.[1];
    };
    const on = await version({ [nginx("proxy-buffering")]: "on" });
    const off = await version({ [nginx("proxy-buffering")]: "off" });
    expect(on).toMatch(/^[0-9a-f]{12}$/);
    expect(off).not.toBe(on);
    expect(await version({ [nginx("proxy-buffering")]: "on" })).toBe(on);
  });

  it("gives every annotation of the ingress-nginx reference a verdict: none passes validate without a word", async () => {
    const names = reference.annotations.map((a) => a.name);
    expect(names.length).toBeGreaterThan(130);
    // One Ingress per annotation, each on its own host, all in one file.
    const docs = names.map((name, i) => manifest(`a${i}`, `a${i}.example.com`, { annotations: { [nginx(name)]: "true" } }));
    const files = await writeFiles(dir, { "every.yaml": [POOLS, ...docs].join("---\n") });
    const run = await cli(["validate", files["every.yaml"]!]);
    const lines = run.stderr.split("\n");
    const silent = names.filter((name) => !lines.some((l) => l.includes(`[${JSON.stringify(nginx(name))}]`)));
    // Only what edge-ingress honours as written may pass without a word.
    expect(silent.filter((name) => NGINX_ANNOTATIONS[name]?.verdict !== "honoured")).toEqual([]);
    expect(run.code).toBe(1);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
