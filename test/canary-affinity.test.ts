// Canary Ingresses and session affinity through the Worker in workerd,
// against real echo origins: the canary-* and affinity-* suites of the
// ingress-nginx documentation vectors, then what they do not cover
// (stickiness with a cookie jar, re-pinning when the pinned origin goes
// down, native header and client-address affinity).
import { createHash } from "node:crypto";
import { request as httpRequest } from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mergeDocuments } from "../src/core/config/manifests";
import { startEchoOrigin, type EchoOrigin } from "./support/echo-origins";
import { startOrigin, type TestOrigin } from "./support/origins";
import { loadNginxSuites, replicaNames, suiteDocuments, type NginxRequest, type NginxSuite } from "./support/nginx-canary-affinity";
import { startWorker, type TestWorker } from "./support/worker";
import { samplesFor } from "./support/distribution";

let worker: TestWorker;
beforeAll(async () => {
  worker = await startWorker();
});
afterAll(() => worker?.dispose());

interface Answer {
  readonly status: number;
  readonly backend: string | null;
  readonly setCookies: string[];
}

function send(host: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // A connection per request, never a kept-alive one (support/worker.ts says why).
    const req = httpRequest({ hostname: worker.url.hostname, port: worker.url.port, agent: false, method: "GET", path, headers: { host, ...headers } }, (res) => {
      res.resume();
      res.on("end", () => {
        const setCookie = res.headers["set-cookie"] ?? [];
        resolve({ status: res.statusCode ?? 0, backend: (res.headers["x-backend"] as string | undefined) ?? null, setCookies: setCookie });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** A client's cookie store: name=value pairs from Set-Cookie, sent back as Cookie. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  }
  header(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") };
  }
}

async function withSuiteOrigins<T>(suite: NginxSuite, run: (origins: Map<string, EchoOrigin>) => Promise<T>, pool: Record<string, unknown> = {}): Promise<T> {
  const origins = new Map<string, EchoOrigin>();
  const names = suite.services.flatMap((s) => replicaNames(suite, s));
  await Promise.all(names.map(async (n) => origins.set(n, await startEchoOrigin(n))));
  try {
    const merge = mergeDocuments(suiteDocuments(suite, (n) => origins.get(n)!.url, pool));
    expect(merge.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([]);
    await worker.putConfig(merge.document);
    return await run(origins);
  } finally {
    await Promise.all([...origins.values()].map((o) => o.close()));
  }
}

const serviceOf = (backend: string | null) => backend?.replace(/#\d+$/, "") ?? null;

async function check(r: NginxRequest, jars: Map<string, CookieJar>): Promise<void> {
  const e = r.expect;
  const label = `${r.host}${r.path} ${JSON.stringify(r.headers ?? {})}`;
  if (e.backendDistribution) {
    const samples = samplesFor(Object.values(e.backendDistribution), e.tolerance ?? 0.1, e.samples ?? 200);
    const counts: Record<string, number> = {};
    // In batches of 25 at a time, as a load of clients would send them: thousands one after another take long on a busy machine.
    for (let done = 0; done < samples; done += 25) {
      const batch = await Promise.all(Array.from({ length: Math.min(25, samples - done) }, () => send(r.host, r.path, r.headers)));
      for (const a of batch) {
        expect(a.status, label).toBe(200);
        const s = serviceOf(a.backend)!;
        counts[s] = (counts[s] ?? 0) + 1;
      }
    }
    for (const [service, share] of Object.entries(e.backendDistribution)) {
      expect(Math.abs((counts[service] ?? 0) / samples - share), `${label} share of ${service}: ${JSON.stringify(counts)}`).toBeLessThanOrEqual(e.tolerance ?? 0.1);
    }
    return;
  }
  const jar = r.cookieJar === undefined ? undefined : (jars.get(r.cookieJar) ?? jars.set(r.cookieJar, new CookieJar()).get(r.cookieJar)!);
  const replicas = new Set<string>();
  for (let n = 0; n < (r.repeat ?? 1); n++) {
    const a = await send(r.host, r.path, { ...(r.headers ?? {}), ...(jar?.header() ?? {}) });
    jar?.take(a.setCookies);
    if (e.status !== undefined) expect(a.status, label).toBe(e.status);
    if (e.backend !== undefined) expect(serviceOf(a.backend), label).toBe(e.backend);
    replicas.add(a.backend ?? "");
    if (e.setCookie) checkSetCookie(a.setCookies, e.setCookie, label);
  }
  if (e.sticky) expect([...replicas], `${label}: every request on one replica`).toHaveLength(1);
}

function checkSetCookie(lines: readonly string[], want: NonNullable<NginxRequest["expect"]["setCookie"]>, label: string): void {
  const line = lines.find((l) => l.startsWith(`${want.name}=`));
  expect(line, `${label}: Set-Cookie ${want.name} in ${JSON.stringify(lines)}`).toBeDefined();
  const attributes = new Map(line!.split(";").slice(1).map((part) => {
    const [k, ...v] = part.trim().split("=");
    return [k!.toLowerCase(), v.join("=")] as const;
  }));
  for (const [name, value] of Object.entries(want.attributes ?? {})) {
    const got = attributes.get(name.toLowerCase());
    if (value === true) expect(got, `${label} ${name}`).toBe("");
    else if (typeof value === "string") expect(got, `${label} ${name}`).toBe(value);
    else if (typeof value === "object") {
      const seconds = (Date.parse(got ?? "") - Date.now()) / 1000;
      expect(Math.abs(seconds - value.secondsFromNow), `${label} ${name} ${got}`).toBeLessThanOrEqual(value.toleranceSeconds);
    }
  }
}

describe("ingress-nginx documentation vectors: canary and affinity", () => {
  const suites = loadNginxSuites(["canary", "affinity"]);
  it("finds the suites", () => {
    expect(suites.map((s) => s.name)).toHaveLength(11);
  });
  for (const suite of suites) {
    it(suite.name, () =>
      withSuiteOrigins(suite, async () => {
        const jars = new Map<string, CookieJar>();
        for (const r of suite.requests) await check(r, jars);
      }),
    );
  }
});

describe("session affinity and canaries beyond the vectors", () => {
  // Each test gets its own Worker (health and ejection state) and origins.
  let own: TestWorker;
  let origins: TestOrigin[];
  let minute = 0;
  beforeEach(async () => {
    origins = await Promise.all(["a", "b", "c"].map((n) => startOrigin(n)));
    own = await startWorker();
  });
  afterEach(async () => {
    await own?.dispose();
    await Promise.all(origins.map((o) => o.close()));
  });
  const tick = () => own.scheduled(new Date(Date.UTC(2026, 10, 27, 6, minute++)));
  const route = (host: string, extra: Record<string, unknown> = {}) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } }, ...extra }] } });
  async function get(host: string, jar?: CookieJar, headers: Record<string, string> = {}) {
    const response = await own.fetch(host, "/", { headers: { ...headers, ...(jar?.header() ?? {}) } });
    await response.arrayBuffer();
    const setCookies = (response.headers as unknown as { getSetCookie(): string[] }).getSetCookie();
    jar?.take(setCookies);
    return { origin: response.headers.get("x-origin"), setCookies, status: response.status };
  }
  const byName = (name: string | null) => origins.find((o) => o.name === name)!;

  for (const mode of ["persistent", "balanced"] as const) {
    it(`${mode}: a cookie session sticks while its origin is up, and moves when a health check marks it down`, async () => {
      const healthCheck = { path: "/healthz", timeoutMs: 300, healthyThreshold: 1, unhealthyThreshold: 1 };
      await own.putConfig({ pools: { web: { origins: origins.map((o) => ({ url: o.url })), healthCheck, affinity: { cookie: { name: "sid", mode } } } }, rules: [route("sticky.test")] });
      const jar = new CookieJar();
      const first = await get("sticky.test", jar);
      expect(first.setCookies).toEqual([expect.stringMatching(/^sid=[0-9a-f]{32}; Path=\/; HttpOnly$/)]);
      if (mode === "persistent") {
        // The origin's id: SHA-256 of its key (pool and URL), the same in workerd as in Node and in every release.
        const id = createHash("sha256").update(`edge-ingress affinity\0web ${byName(first.origin).url}`).digest("hex").slice(0, 32);
        expect(first.setCookies).toEqual([`sid=${id}; Path=/; HttpOnly`]);
      }
      for (let i = 0; i < 20; i++) expect(await get("sticky.test", jar)).toEqual({ origin: first.origin, setCookies: [], status: 200 });
      // Without the cookie, round-robin spreads requests: stickiness is the cookie's doing.
      const spread = new Set<string | null>();
      for (let i = 0; i < 6; i++) spread.add((await get("sticky.test")).origin);
      expect(spread.size).toBe(3);

      byName(first.origin).mode = { kind: "status", status: 500 };
      await tick();
      const moved = await get("sticky.test", jar);
      expect(moved.status).toBe(200);
      expect(moved.origin).not.toBe(first.origin);
      // persistent: the cookie named the origin, so it is replaced; balanced: the key hashes onto the others.
      expect(moved.setCookies).toHaveLength(mode === "persistent" ? 1 : 0);
      for (let i = 0; i < 10; i++) expect((await get("sticky.test", jar)).origin).toBe(moved.origin);
    });
  }

  it("a new session's Set-Cookie follows its request: the rule's path, Secure only over https, Expires from now, SameSite=None left off for a browser known to reject it", async () => {
    const cookie = { name: "sid", sameSite: "None", conditionalSameSiteNone: true, expiresSeconds: 3600 };
    const paths = [{ path: "/shop", pathType: "Prefix", backend: { service: { name: "web" } } }];
    await own.putConfig({ pools: { web: { origins: origins.map((o) => ({ url: o.url })), affinity: { cookie } } }, rules: [{ host: "samesite.test", http: { paths } }] });
    const start = async (scheme: "http" | "https", userAgent: string) => {
      const before = Date.now();
      const response = await own.fetch("samesite.test", "/shop/cart", { scheme, headers: { "user-agent": userAgent } });
      await response.arrayBuffer();
      const [line] = (response.headers as unknown as { getSetCookie(): string[] }).getSetCookie();
      const expires = Date.parse(/Expires=([^;]+)/.exec(line!)![1]!);
      // Expires has whole seconds: within the request's time, an hour on.
      expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3_600_000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 3_600_000);
      return line!.replace(/=[0-9a-f]{32};/, "=K;").replace(/Expires=[^;]+/, "Expires=T");
    };
    const chrome51 = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36";
    const current = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    expect(await start("https", current)).toBe("sid=K; Expires=T; Path=/shop; Secure; HttpOnly; SameSite=None");
    expect(await start("https", chrome51)).toBe("sid=K; Expires=T; Path=/shop; Secure; HttpOnly");
    expect(await start("http", current)).toBe("sid=K; Expires=T; Path=/shop; HttpOnly; SameSite=None");
  });

  it("a retry that fails over to another origin re-pins the session there (passive ejection)", async () => {
    await own.putConfig({ pools: { web: { origins: origins.map((o) => ({ url: o.url })), affinity: { cookie: { name: "sid", mode: "persistent" } } } }, rules: [route("eject.test")] });
    const jar = new CookieJar();
    const first = await get("eject.test", jar);
    await byName(first.origin).closePort();
    const moved = await get("eject.test", jar);
    expect(moved.status).toBe(200);
    expect(moved.origin).not.toBe(first.origin);
    expect(moved.setCookies).toHaveLength(1);
    for (let i = 0; i < 5; i++) expect((await get("eject.test", jar)).origin).toBe(moved.origin);
  });

  it("header affinity: one value, one origin, with no cookie; a rule path's affinity overrides the pool's", async () => {
    await own.putConfig({
      pools: { web: { origins: origins.map((o) => ({ url: o.url })), affinity: { cookie: {} } } },
      rules: [route("by-header.test", { affinity: { header: "X-User" } })],
    });
    const reached = new Set<string | null>();
    for (let user = 0; user < 12; user++) {
      const one = await get("by-header.test", undefined, { "x-user": `user-${user}` });
      expect(one.setCookies).toEqual([]);
      for (let i = 0; i < 3; i++) expect((await get("by-header.test", undefined, { "x-user": `user-${user}` })).origin).toBe(one.origin);
      reached.add(one.origin);
    }
    expect(reached.size).toBeGreaterThan(1);
  });

  it("a native rule's canary: the header value decides, anything else goes to the main pool; weight 0 never reaches the canary", async () => {
    const [main, beta] = origins;
    await own.putConfig({
      pools: { web: { origins: [{ url: main!.url }] }, beta: { origins: [{ url: beta!.url }] } },
      rules: [route("canary.test", { canary: { backend: { service: { name: "beta" } }, header: "X-Canary", headerValue: "beta", weight: 0 } })],
    });
    expect((await get("canary.test", undefined, { "x-canary": "beta" })).origin).toBe("b");
    expect((await get("canary.test", undefined, { "x-canary": "Beta" })).origin).toBe("a");
    expect((await get("canary.test", undefined, { "x-canary": "always" })).origin).toBe("a");
    for (let i = 0; i < 30; i++) expect((await get("canary.test")).origin).toBe("a");
  });

  it("a canary's header pattern runs on the linear-time RE2 engine: a value that backtracks for hours in JavaScript is answered at once", async () => {
    const [main, beta] = origins;
    await own.putConfig({
      pools: { web: { origins: [{ url: main!.url }] }, beta: { origins: [{ url: beta!.url }] } },
      rules: [route("pattern.test", { canary: { backend: { service: { name: "beta" } }, header: "X-Canary", headerPattern: "^(a|a)*b$" } })],
    });
    expect((await get("pattern.test", undefined, { "x-canary": "aab" })).origin).toBe("b");
    expect((await get("pattern.test", undefined, { "x-canary": "a".repeat(40) })).origin).toBe("a");
  });
});
