// The ingress-nginx documentation vectors end to end: every suite of
// test/fixtures/conformance/nginx-annotations-docs-examples.json becomes a
// config (its Ingress manifests as written, one pool per service with one
// real echo origin per replica on 127.0.0.1) and every request goes through
// the Worker in workerd. The client address is sent as CF-Connecting-IP,
// as Cloudflare sends it; cookies are kept per `cookieJar`.
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEchoOrigin, type EchoOrigin } from "./support/echo-origins";
import { findSetCookie, loadNginxSuites, nginxSuiteDocument, referencedServices, type IngressSpecOf, type NginxRequest, type NginxSuite } from "./support/nginx-suites";
import { outboundViaResolveOverride } from "./support/outbound";
import { startWorker, type TestWorker } from "./support/worker";
import { samplesFor } from "./support/distribution";

/**
 * Suites nobody has built: each is asserted to FAIL (so this list cannot
 * silently rot), with what it needs named. Every suite is built now (the ConfigMap ones read
 * their ConfigMaps as manifests: support/nginx-suites.ts).
 */
export const NOT_BUILT: Readonly<Record<string, string>> = {};

/** Where we knowingly differ from one request of a vector (each marked `disputed` in the file), by suite and request index, and why. */
export const DEVIATIONS: Readonly<Record<string, { readonly status: number; readonly backend: string | null; readonly why: string }>> = {
  "docs-nginx/proxy-body-size-default#1": {
    status: 200,
    backend: "http-svc",
    why: "no body limit unless proxy-body-size (or a RequestBodyLimit filter) sets one: ingress-nginx's 1m default would turn every upload over 1 MiB that works today into a 413; the zone's plan limit (100 MB on Free and Pro) still applies",
  },
};

/**
 * Suites whose manifests edge-ingress refuses as written, on purpose: each is
 * asserted to be refused with exactly these problems (substrings), and then
 * to pass every request once changed as the refusal asks (`migrated`).
 */
export const REFUSED_AS_WRITTEN: Readonly<Record<string, { readonly refusedWith: readonly string[]; readonly migrated: (suite: NginxSuite) => NginxSuite; readonly why: string }>> = {
  "docs-nginx/path-priority": {
    refusedWith: [
      'rewrite-target"] (Ingress test-ingress-2): refused: when nginx.ingress.kubernetes.io/rewrite-target is set, ingress-nginx reads every path of host "test.com" as a case-insensitive regular expression',
      'path "/foo/bar/" (Prefix) already goes to pool "service1"',
    ],
    migrated: (suite) => ({ ...suite, ingresses: suite.ingresses?.map(withRegexPaths) }),
    why: "rewrite-target on one Ingress makes ingress-nginx read every path of the host, on every Ingress, as a case-insensitive regex " +
      "(so Prefix /foo/bar and /foo/bar/ become the distinct regexes ^/foo/bar and ^/foo/bar/, and /FOO/BAR reaches service1). " +
      "edge-ingress matches Prefix paths as Kubernetes defines them (a trailing slash ignored, case-sensitive), so it refuses the manifests " +
      "rather than route them otherwise than written; with the host's paths made ImplementationSpecific, as the refusal asks, every request of the suite passes",
  },
};

/** The suite's Prefix and Exact paths as ImplementationSpecific: the change the use-regex refusal asks for. */
function withRegexPaths(ingress: IngressSpecOf): IngressSpecOf {
  const rules = (ingress.rules ?? []).map((rule) => {
    const r = rule as { http?: { paths?: { pathType?: string }[] } };
    return { ...r, http: { ...r.http, paths: (r.http?.paths ?? []).map((p) => ({ ...p, pathType: "ImplementationSpecific" })) } };
  });
  return { ...ingress, rules };
}

let worker: TestWorker;
beforeAll(async () => {
  worker = await startWorker({ outbound: outboundViaResolveOverride });
});
afterAll(() => worker?.dispose());

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly setCookies: string[];
  readonly backend: string | null;
  readonly echo: { path: string; host: string; headers: Record<string, string | string[]> } | undefined;
}

type Jar = Map<string, string>;

/** curl's default wait for 100 (Continue) before it sends the body anyway. */
const EXPECT_CONTINUE_WAIT_MS = 1000;

const quieted = new WeakSet<object>();

function send(r: NginxRequest, key: string, jar: Jar | undefined): Promise<Answer> {
  const headers: Record<string, string> = { host: r.host, "x-echo-key": key, ...(r.headers ?? {}) };
  if (r.scheme === "https") headers["mf-original-url"] = `https://${r.host}${r.path}`;
  if (r.clientIp !== undefined) headers["cf-connecting-ip"] = r.clientIp;
  if (r.backendStatus !== undefined) headers["x-echo-status"] = String(r.backendStatus);
  if (jar && jar.size > 0) headers.cookie = [...jar].map(([n, v]) => `${n}=${v}`).join("; ");
  const body = r.bodyBytes === undefined ? undefined : Buffer.alloc(r.bodyBytes, 0x61);
  if (body) headers["content-length"] = String(body.length);
  // A large body is sent as curl sends it: Expect: 100-continue, then the body on 100 (Continue), or after
  // curl's one-second wait for it (workerd sends none). A router that refuses the body (413) answers first,
  // and the client never sends it, so its answer cannot be lost to a connection reset mid-upload.
  if (body) headers.expect = "100-continue";
  return new Promise((resolve, reject) => {
    let finish: (() => void) | undefined;
    // A connection per request, never a kept-alive one (support/worker.ts says why).
    const req = httpRequest({ hostname: worker.url.hostname, port: worker.url.port, agent: false, method: r.method ?? "GET", path: r.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      // The router may answer 413 and close while the body is still being sent: what arrived is the answer.
      res.on("error", () => finish?.());
      finish = () => {
        finish = undefined;
        const out = new Headers();
        const setCookies: string[] = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          const [name, value] = [res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string];
          if (name.toLowerCase() === "set-cookie") setCookies.push(value);
          else out.append(name, value);
        }
        for (const line of setCookies) {
          const pair = line.split(";")[0] ?? "";
          if (jar && pair.includes("=")) jar.set(pair.slice(0, pair.indexOf("=")).trim(), pair.slice(pair.indexOf("=") + 1));
        }
        const backend = out.get("x-backend");
        let echo: Answer["echo"];
        if (backend !== null && out.get("content-type") === "application/json") echo = JSON.parse(Buffer.concat(chunks).toString()) as Answer["echo"];
        resolve({ status: res.statusCode ?? 0, headers: out, setCookies, backend, echo });
      };
      res.on("end", () => finish?.());
    });
    req.on("error", (error) => (finish ? finish() : reject(error)));
    // Once per socket: a kept-alive socket carries many requests.
    req.on("socket", (socket) => {
      if (quieted.has(socket)) return;
      quieted.add(socket);
      socket.on("error", () => undefined);
    });
    if (!body) return void req.end();
    let sent = false;
    const sendBody = () => !sent && (sent = true) && req.end(body);
    const curlWait = setTimeout(sendBody, EXPECT_CONTINUE_WAIT_MS);
    req.on("continue", sendBody);
    req.on("response", () => {
      clearTimeout(curlWait);
      if (!sent) req.destroy();
    });
  });
}

const listValue = (v: string) => v.split(",").map((s) => s.trim()).join(",");
const field = (v: string | string[] | undefined | null) => (v === undefined || v === null ? null : listValue(Array.isArray(v) ? v.join(",") : v));

/** A port nothing listens on: a service without endpoints. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * How each suite's config reaches the Worker: as a plain StoredConfig it
 * validates in full, and as `apply` writes it, read from its prepared form.
 */
const WRITERS = ["validated", "prepared"] as const;
type Writer = (typeof WRITERS)[number];

async function runSuite(suite: NginxSuite, writer: Writer): Promise<void> {
  const origins = new Map<string, EchoOrigin[]>();
  const listed = new Set(suite.services);
  const noEndpoints = `http://127.0.0.1:${await closedPort()}`;
  try {
    for (const s of suite.services) origins.set(s, await Promise.all(Array.from({ length: suite.replicas?.[s] ?? 1 }, () => startEchoOrigin(s))));
    const document = nginxSuiteDocument(suite, (s) => (listed.has(s) ? (origins.get(s) ?? []).map((o) => o.url) : [noEndpoints]));
    const version = writer === "prepared" ? await worker.putConfigAsCli(document) : await worker.putConfig(document);
    // A service without endpoints: its pool's one origin is found down by a health check run, as the cron would.
    if (referencedServices(suite).some((s) => !listed.has(s))) await worker.scheduled();
    const jars = new Map<string, Jar>();
    for (const [index, r] of suite.requests.entries()) {
      const jar = r.cookieJar === undefined ? undefined : jars.get(r.cookieJar) ?? jars.set(r.cookieJar, new Map()).get(r.cookieJar);
      await check(suite, index, r, [...origins.values()].flat(), jar);
    }
    expect(await worker.loadedAs(version), `${suite.name}: how the Worker read the config`).toBe(writer);
  } finally {
    await Promise.all([...origins.values()].flat().map((o) => o.close()));
  }
}

async function check(suite: NginxSuite, index: number, r: NginxRequest, all: readonly EchoOrigin[], jar: Jar | undefined): Promise<void> {
  const e = r.expect;
  const label = `${suite.name}#${index} ${r.method ?? "GET"} ${r.scheme ?? "http"}://${r.host}${r.path}`;
  if (e.backendDistribution) return checkDistribution(r, label);
  const dev = DEVIATIONS[`${suite.name}#${index}`];
  const replicas = new Set<EchoOrigin>();
  for (let n = 0; n < (r.repeat ?? 1); n++) {
    const key = randomUUID();
    const a = await send(r, key, jar);
    const reached = all.filter((o) => o.requests.some((q) => q.headers["x-echo-key"] === key));
    const status = dev?.status ?? e.status ?? (typeof e.backend === "string" ? 200 : undefined);
    const backend = dev ? dev.backend : e.backend;
    if (status !== undefined) expect(a.status, label).toBe(status);
    if (typeof backend === "string") expect(a.backend, label).toBe(backend);
    if (backend === null) expect(reached.map((o) => o.name), `${label}: no origin may see it`).toEqual([]);
    if (typeof backend === "string") for (const o of reached) if (o.name === backend) replicas.add(o);
    if (e.location !== undefined) expect(a.headers.get("location"), label).toBe(e.location);
    if (e.redirect) {
      const location = new URL(a.headers.get("location") ?? "", "http://invalid.test");
      if (e.redirect.scheme) expect(location.protocol, label).toBe(`${e.redirect.scheme}:`);
      if (e.redirect.host) expect(location.host, label).toBe(e.redirect.host);
      if (e.redirect.path) expect(location.pathname, label).toBe(e.redirect.path);
    }
    if (e.backendPath !== undefined) expect(a.echo?.path, label).toBe(e.backendPath);
    if (e.backendHost !== undefined) expect(a.echo?.host.replace(/:\d+$/, ""), label).toBe(e.backendHost);
    for (const [name, value] of Object.entries(e.backendHeaders ?? {})) {
      expect(field(a.echo?.headers[name.toLowerCase()]), `${label} origin header ${name}`).toBe(value === null ? null : listValue(value));
    }
    for (const [name, value] of Object.entries(e.responseHeaders ?? {})) {
      expect(field(a.headers.get(name)), `${label} response header ${name}`).toBe(value === null ? null : listValue(value));
    }
    if (e.setCookie) checkSetCookie(a.setCookies, e.setCookie, label);
  }
  if (e.sticky) expect(replicas.size, `${label}: one origin for every repeat`).toBe(1);
}

function checkSetCookie(lines: readonly string[], want: NonNullable<NginxRequest["expect"]["setCookie"]>, label: string): void {
  const cookie = findSetCookie(lines, want.name);
  expect(cookie, `${label}: Set-Cookie ${want.name} (got ${JSON.stringify(lines)})`).toBeDefined();
  for (const [name, value] of Object.entries(want.attributes ?? {})) {
    const got = cookie?.get(name.toLowerCase());
    if (value === true) expect(got, `${label}: cookie attribute ${name}`).toBeDefined();
    else if (typeof value === "string") expect(got?.toLowerCase(), `${label}: cookie attribute ${name}`).toBe(value.toLowerCase());
    else {
      const seconds = (Date.parse(got ?? "") - Date.now()) / 1000;
      expect(Math.abs(seconds - value.secondsFromNow), `${label}: cookie ${name} ${got}`).toBeLessThanOrEqual(value.toleranceSeconds);
    }
  }
}

/** Bounded: at most 400 requests, 25 at a time. */
async function checkDistribution(r: NginxRequest, label: string): Promise<void> {
  const e = r.expect;
  const tolerance = e.tolerance ?? 0.1;
  // The vector's own count is often more than 5 standard deviations need; fewer keep the suite fast.
  const samples = samplesFor(Object.values(e.backendDistribution ?? {}), tolerance, Math.min(e.samples ?? 200, 200));
  const backends: Record<string, number> = {};
  for (let done = 0; done < samples; done += 25) {
    const batch = await Promise.all(Array.from({ length: Math.min(25, samples - done) }, () => send(r, randomUUID(), undefined)));
    for (const a of batch) if (a.backend) backends[a.backend] = (backends[a.backend] ?? 0) + 1;
  }
  for (const [name, share] of Object.entries(e.backendDistribution ?? {})) {
    expect(Math.abs((backends[name] ?? 0) / samples - share), `${label}: share of ${name} (${JSON.stringify(backends)})`).toBeLessThanOrEqual(tolerance);
  }
  for (const name of Object.keys(backends)) expect(Object.keys(e.backendDistribution ?? {}), label).toContain(name);
}

for (const writer of WRITERS) describe(`ingress-nginx documentation vectors through the Worker, the config read ${writer}`, () => {
  for (const suite of loadNginxSuites()) {
    const pending = NOT_BUILT[suite.name];
    const refused = REFUSED_AS_WRITTEN[suite.name];
    if (refused !== undefined) {
      it(`${suite.name} is refused as written, and passes as the refusal asks: ${refused.why}`, async () => {
        const error = await runSuite(suite, writer).then(() => undefined, (e: unknown) => e);
        expect(error, suite.name).toBeInstanceOf(Error);
        for (const problem of refused.refusedWith) expect((error as Error).message, suite.name).toContain(problem);
        await runSuite(refused.migrated(suite), writer);
      });
    } else if (pending === undefined) it(suite.name, () => runSuite(suite, writer));
    else it(`${suite.name} fails until built: ${pending}`, async () => {
      await expect(runSuite(suite, writer)).rejects.toThrow();
    });
  }
});

describe("ingress-nginx documentation vectors: the lists", () => {
  it("lists only suites that exist, and each once", () => {
    const names = new Set(loadNginxSuites().map((s) => s.name));
    const listed = [...Object.keys(NOT_BUILT), ...Object.keys(REFUSED_AS_WRITTEN), ...Object.keys(DEVIATIONS).map((k) => k.split("#")[0] as string)];
    for (const name of listed) expect(names, name).toContain(name);
    const lists = [NOT_BUILT, REFUSED_AS_WRITTEN];
    for (const name of names) expect(lists.filter((l) => name in l).length, `${name} is in at most one list`).toBeLessThanOrEqual(1);
  });

  it("names every service its suite reaches", () => {
    for (const suite of loadNginxSuites()) expect(referencedServices(suite).length, suite.name).toBeGreaterThan(0);
  });
});
