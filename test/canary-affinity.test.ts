// Canary Ingresses and session affinity through the Worker in workerd,
// against real echo origins: the canary-* and affinity-* suites of the
// ingress-nginx documentation vectors, then what they do not cover
// (stickiness with a cookie jar, re-pinning when the pinned origin goes
// down, native header and client-address affinity).
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergeDocuments } from "../src/core/config/manifests";
import { startEchoOrigin, type EchoOrigin } from "./support/echo-origins";
import { loadNginxSuites, replicaNames, suiteDocuments, type NginxRequest, type NginxSuite } from "./support/nginx-canary-affinity";
import { startWorker, type TestWorker } from "./support/worker";

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
    const req = httpRequest({ hostname: worker.url.hostname, port: worker.url.port, method: "GET", path, headers: { host, ...headers } }, (res) => {
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
    const samples = e.samples ?? 200;
    const counts: Record<string, number> = {};
    for (let i = 0; i < samples; i++) {
      const a = await send(r.host, r.path, r.headers);
      expect(a.status, label).toBe(200);
      const s = serviceOf(a.backend)!;
      counts[s] = (counts[s] ?? 0) + 1;
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
