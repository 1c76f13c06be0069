// Rewrites, redirects and the Host an origin receives, through the Worker in
// workerd against real echo origins on 127.0.0.1: the ingress-nginx
// documentation vectors of the rewrite, redirect and host annotations, then
// the same features written natively (rule filters, HTTPRoute filters, the
// pool's and origin's hostHeader, preserveHost). Subrequests pass through an
// outbound service that honours cf.resolveOverride as Cloudflare does, so
// the origin sees the Host production would send.
import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergeDocuments } from "../src/core/config/manifests";
import { startEchoOrigin, type EchoOrigin, type EchoRequest } from "./support/echo-origins";
import { outboundViaResolveOverride } from "./support/outbound";
import { expectedLocation, loadRewriteSuites, suiteDocuments, type NginxSuite } from "./support/rewrite-suites";
import { startWorker, type TestWorker } from "./support/worker";

let worker: TestWorker;
let origins: EchoOrigin[] = [];
beforeAll(async () => {
  worker = await startWorker({ outbound: outboundViaResolveOverride });
});
afterAll(async () => {
  await Promise.all(origins.map((o) => o.close()));
  await worker?.dispose();
});

async function origin(name: string): Promise<EchoOrigin> {
  const o = await startEchoOrigin(name);
  origins.push(o);
  return o;
}

interface Answer {
  readonly status: number;
  readonly location: string | null;
  /** What the origin received, when one did. */
  readonly seen: EchoRequest | undefined;
}

/** Sends a request as a client would and finds what the origins received of it. */
function send(host: string, path: string, from: readonly EchoOrigin[], headers: Record<string, string> = {}): Promise<Answer> {
  const key = randomUUID();
  return new Promise((resolve, reject) => {
    // A connection per request, never a kept-alive one (support/worker.ts says why).
    const req = httpRequest({ hostname: worker.url.hostname, port: worker.url.port, agent: false, path, headers: { host, "x-echo-key": key, ...headers } }, (res) => {
      res.resume();
      res.on("end", () => {
        const seen = from.flatMap((o) => o.requests).filter((q) => q.headers["x-echo-key"] === key);
        if (seen.length > 1) reject(new Error(`${seen.length} origins received ${host}${path}`));
        resolve({ status: res.statusCode ?? 0, location: (res.headers.location as string | undefined) ?? null, seen: seen[0] });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** The Host an origin received, without the port (origins listen on random ports; production origins on their scheme's). */
const hostOf = (seen: EchoRequest | undefined) => seen?.headers.host?.replace(/:\d+$/, "");

async function putManifests(docs: { file: string; index: number; value: unknown }[]): Promise<void> {
  const merged = mergeDocuments(docs);
  expect(merged.problems).toEqual([]);
  await worker.putConfig(merged.document);
}

async function runSuite(suite: NginxSuite): Promise<void> {
  const byName = new Map<string, EchoOrigin>();
  for (const s of suite.services) byName.set(s, await origin(s));
  await putManifests(suiteDocuments(suite, (s) => (byName.get(s) as EchoOrigin).url));
  for (const r of suite.requests) {
    const label = `${r.host}${r.path}`;
    const e = r.expect;
    const a = await send(r.host, r.path, [...byName.values()]);
    if (typeof e.backend === "string") {
      expect(a.status, label).toBe(e.status ?? 200);
      expect(a.seen?.backend, label).toBe(e.backend);
      if (e.backendPath !== undefined) expect(a.seen?.url, label).toBe(e.backendPath);
      if (e.backendHost !== undefined) expect(hostOf(a.seen), label).toBe(e.backendHost);
      for (const [name, value] of Object.entries(e.backendHeaders ?? {})) expect(a.seen?.headers[name.toLowerCase()] ?? null, `${label} ${name}`).toBe(value);
    } else {
      expect(a.status, label).toBe(e.status);
      expect(a.seen, `${label}: no origin may see it`).toBeUndefined();
      expect(a.location, label).toBe(expectedLocation(e) ?? null);
    }
  }
}

describe("ingress-nginx rewrite, redirect and host vectors through the Worker", () => {
  for (const suite of loadRewriteSuites()) it(suite.name, () => runSuite(suite));
});

describe("the same features written natively", () => {
  const backend = { service: { name: "web", port: { number: 80 } } };

  it("rule filters: RewriteTarget with captures, X-Forwarded-Prefix, AppRoot", async () => {
    const web = await origin("web");
    await worker.putConfig({
      pools: { web: { origins: [{ url: web.url }] } },
      rules: [{
        host: "native-rewrite.example.com",
        http: { paths: [{
          path: "/api(/|$)(.*)", pathType: "ImplementationSpecific", backend,
          filters: [
            { type: "RewriteTarget", rewriteTarget: { pattern: "/api(/|$)(.*)", target: "/v2/$2" } },
            { type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "X-Forwarded-Prefix", value: "/api" }] } },
          ],
        }, {
          path: "/", pathType: "Prefix", backend, filters: [{ type: "AppRoot", appRoot: { path: "/home" } }],
        }] },
      }],
    });
    const rewritten = await send("native-rewrite.example.com", "/api/users/7?full=1", [web]);
    expect([rewritten.status, rewritten.seen?.url, rewritten.seen?.headers["x-forwarded-prefix"]]).toEqual([200, "/v2/users/7?full=1", "/api"]);
    const root = await send("native-rewrite.example.com", "/", [web]);
    expect([root.status, root.location, root.seen]).toEqual([302, "http://native-rewrite.example.com/home", undefined]);
    const other = await send("native-rewrite.example.com", "/home", [web]);
    expect([other.status, other.seen?.url]).toEqual([200, "/home"]);
  });

  it("HTTPRoute filters: StaticRedirect answers with its Location, no origin asked", async () => {
    const web = await origin("web");
    await worker.putConfig({
      pools: { web: { origins: [{ url: web.url }] } },
      gateways: [{ name: "gw", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] }],
      httpRoutes: [{
        name: "moved", parentRefs: [{ name: "gw" }], hostnames: ["moved.example.com"],
        rules: [{ filters: [{ type: "StaticRedirect", staticRedirect: { location: "https://new.example.org/", statusCode: 308 } }], backendRefs: [{ name: "web" }] }],
      }],
    });
    const a = await send("moved.example.com", "/any/page?q=1", [web]);
    expect([a.status, a.location, a.seen]).toEqual([308, "https://new.example.org/", undefined]);
  });

  it("RewriteTarget captures run on the router's linear-time RE2 engine: RE2 syntax means what it says, and no path takes long", async () => {
    const web = await origin("web");
    const path = (pattern: string, target: string) => ({
      path: pattern, pathType: "ImplementationSpecific", backend, filters: [{ type: "RewriteTarget", rewriteTarget: { pattern, target } }],
    });
    await worker.putConfig({
      pools: { web: { origins: [{ url: web.url }] } },
      rules: [{ host: "re2-rewrite.example.com", http: { paths: [path("/posix/([[:alpha:]]+)", "/letters/$1"), path("/slow/((a|a)*b|.*)", "/done/$1")] } }],
    });
    // JavaScript's RegExp reads [[:alpha:]] as a set of ":[ahlp" followed by "]": no match, and the path went on unrewritten.
    expect((await send("re2-rewrite.example.com", "/posix/abc", [web])).seen?.url).toBe("/letters/abc");
    // A backtracking engine tries 2^40 ways of (a|a)* before .* matches.
    const long = "a".repeat(40);
    expect((await send("re2-rewrite.example.com", `/slow/${long}`, [web])).seen?.url).toBe(`/done/${long}`);
  });

  it("ReplacePrefixMatch on a path with ;parameters replaces the matched elements whole: the origin gets a path, and no other host is contacted", async () => {
    const [api, elsewhere] = await Promise.all([origin("api"), origin("elsewhere")]);
    const prefix = (value: string) => [{ path: { type: "PathPrefix", value } }];
    const replace = (replacePrefixMatch: string) => ({ path: { type: "ReplacePrefixMatch", replacePrefixMatch } });
    await worker.putConfig({
      pools: { api: { origins: [{ url: api.url }] } },
      gateways: [{ name: "gw", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] }],
      httpRoutes: [{
        name: "strip", parentRefs: [{ name: "gw" }], hostnames: ["strip.example.com"],
        rules: [
          { matches: prefix("/api"), filters: [{ type: "URLRewrite", urlRewrite: replace("/") }], backendRefs: [{ name: "api" }] },
          { matches: prefix("/old"), filters: [{ type: "RequestRedirect", requestRedirect: replace("/new") }] },
        ],
      }],
    });
    // Cut by characters, "/api;@host/steal" left ";@host/steal", and the origin's URL followed by it named another host.
    const hijack = `@127.0.0.1:${elsewhere.port}`;
    for (const [path, expected] of [[`/api;${hijack}/steal`, "/steal"], [`/api%3B${hijack}/steal`, "/steal"], ["/;x/api/users;v=2", "/users;v=2"], ["/api;x", "/"]]) {
      const answer = await send("strip.example.com", path!, [api, elsewhere], { cookie: "session=secret" });
      expect([answer.status, answer.seen?.backend, answer.seen?.url], path).toEqual([200, "api", expected]);
    }
    const moved = await send("strip.example.com", `/old;${hijack}/x?q=1`, [api, elsewhere]);
    expect([moved.status, moved.location, moved.seen]).toEqual([302, "http://strip.example.com/new/x?q=1", undefined]);
    expect(elsewhere.requests).toEqual([]);
  });

  it("the Host an origin receives: origin hostHeader, else the pool's, else the client's with preserveHost, else the origin's own; a filter's rewrite beats them", async () => {
    const [a, b, c, d] = await Promise.all([origin("a"), origin("b"), origin("c"), origin("d")]);
    const path = (pool: string, host: string, filters?: unknown[]) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: pool, port: { number: 80 } } }, ...(filters ? { filters } : {}) }] } });
    await worker.putConfig({
      pools: {
        "by-origin": { origins: [{ url: a.url, hostHeader: "origin-host.internal.example" }], hostHeader: "pool-host.internal.example" },
        "by-pool": { origins: [{ url: b.url }], hostHeader: "pool-host.internal.example" },
        preserve: { origins: [{ url: c.url }], preserveHost: true },
        plain: { origins: [{ url: d.url }] },
      },
      rules: [
        path("by-origin", "one.example.com"),
        path("by-pool", "two.example.com"),
        path("preserve", "three.example.com"),
        path("plain", "four.example.com"),
        path("preserve", "five.example.com", [{ type: "URLRewrite", urlRewrite: { hostname: "vhost.internal.example" } }]),
      ],
    });
    const all = [a, b, c, d];
    expect(hostOf((await send("one.example.com", "/", all)).seen)).toBe("origin-host.internal.example");
    expect(hostOf((await send("two.example.com", "/", all)).seen)).toBe("pool-host.internal.example");
    expect(hostOf((await send("three.example.com", "/", all)).seen)).toBe("three.example.com");
    expect(hostOf((await send("four.example.com", "/", all)).seen)).toBe("127.0.0.1");
    const rewritten = await send("five.example.com", "/", all);
    expect([rewritten.seen?.backend, hostOf(rewritten.seen), rewritten.seen?.headers["x-forwarded-host"]]).toEqual(["c", "vhost.internal.example", "five.example.com"]);
  });

  it("refuses hostHeader beside preserveHost", async () => {
    const { parseConfig } = await import("../src/core/config/parse");
    const parsed = parseConfig({ pools: { web: { origins: [{ url: "http://web.test" }], hostHeader: "x.example.com", preserveHost: true } } });
    expect(parsed.problems).toEqual([{ path: "pools.web.preserveHost", message: "cannot be true beside hostHeader: the origins receive one Host or the other" }]);
  });
});
