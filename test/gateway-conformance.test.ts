// The Gateway API documentation vectors end to end: each suite becomes a
// config (one pool per service, each a real echo origin on 127.0.0.1; the
// suite's Gateways and HTTPRoutes as written), and every request goes
// through the Worker in workerd. Subrequests pass through an outbound
// service that honours cf.resolveOverride as Cloudflare does, so a Host
// rewrite is seen by the origin as production would show it.
import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEchoOrigin, type EchoOrigin } from "./support/echo-origins";
import { deviation, loadGatewaySuites, suiteDocument, type GatewaySuite, type SuiteRequest } from "./support/gateway-suites";
import { outboundViaResolveOverride } from "./support/outbound";
import { startWorker, type TestWorker } from "./support/worker";
import { samplesFor } from "./support/distribution";

let worker: TestWorker;
beforeAll(async () => {
  worker = await startWorker({ outbound: outboundViaResolveOverride });
});
afterAll(() => worker?.dispose());

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly backend: string | null;
  readonly echo: { path: string; host: string; headers: Record<string, string | string[]> } | undefined;
}

/** Sends one vector request as a client would; `scheme: https` arrives as an https URL (MF-Original-URL). */
function send(r: SuiteRequest, key: string): Promise<Answer> {
  const headers: Record<string, string> = { host: r.host, "x-echo-key": key, ...(r.headers ?? {}) };
  if (r.backendDelay) headers["x-echo-delay"] = r.backendDelay;
  if (r.scheme === "https") headers["mf-original-url"] = `https://${r.host}${r.path}`;
  if (r.body !== undefined) headers["content-length"] = String(Buffer.byteLength(r.body));
  return new Promise((resolve, reject) => {
    // A connection per request, never a kept-alive one (support/worker.ts says why).
    const req = httpRequest({ hostname: worker.url.hostname, port: worker.url.port, agent: false, method: r.method ?? "GET", path: r.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const out = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) out.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
        const backend = out.get("x-backend");
        let echo: Answer["echo"];
        if (backend !== null && out.get("content-type") === "application/json") echo = JSON.parse(Buffer.concat(chunks).toString()) as Answer["echo"];
        resolve({ status: res.statusCode ?? 0, headers: out, backend, echo });
      });
    });
    req.on("error", reject);
    req.end(r.body);
  });
}

/** Header values compared as lists: "a, b" and "a,b" are the same field value (RFC 9110 section 5.3). */
const listValue = (v: string) => v.split(",").map((s) => s.trim()).join(",");
const field = (v: string | string[] | undefined | null) => (v === undefined || v === null ? null : listValue(Array.isArray(v) ? v.join(",") : v));

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return condition();
}

/**
 * How each suite's config reaches the Worker: as a plain StoredConfig it
 * validates in full, and as `apply` writes it, read from its prepared form.
 */
const WRITERS = ["validated", "prepared"] as const;
type Writer = (typeof WRITERS)[number];

async function runSuite(suite: GatewaySuite, writer: Writer): Promise<void> {
  const origins = new Map<string, EchoOrigin>();
  await Promise.all(suite.services.map(async (s) => origins.set(s, await startEchoOrigin(s))));
  try {
    const document = suiteDocument(suite, (s) => (origins.get(s) as EchoOrigin).url);
    const version = writer === "prepared" ? await worker.putConfigAsCli(document) : await worker.putConfig(document);
    for (const r of suite.requests) await check(suite, r, origins);
    expect(await worker.loadedAs(version), `${suite.name}: how the Worker read the config`).toBe(writer);
  } finally {
    await Promise.all([...origins.values()].map((o) => o.close()));
  }
}

async function check(suite: GatewaySuite, r: SuiteRequest, origins: ReadonlyMap<string, EchoOrigin>): Promise<void> {
  const e = r.expect;
  const label = `${r.method ?? "GET"} ${r.scheme ?? "http"}://${r.host}${r.path}`;
  if (e.backendDistribution || e.statusDistribution) return checkDistribution(r, label);
  const dev = deviation(suite, r);
  for (let n = 0; n < (r.repeat ?? 1); n++) {
    const key = randomUUID();
    const a = await send(r, key);
    const status = dev?.status ?? e.status ?? (typeof e.backend === "string" ? 200 : undefined);
    const backend = dev ? dev.backend : e.backend;
    if (status !== undefined) expect(a.status, label).toBe(status);
    if (e.statusOneOf) expect(e.statusOneOf, label).toContain(a.status);
    if (typeof backend === "string") expect(a.backend, label).toBe(backend);
    if (backend === null) {
      const reached = [...origins.values()].filter((o) => o.requests.some((q) => q.headers["x-echo-key"] === key));
      expect(reached.map((o) => o.name), `${label}: no origin may see it`).toEqual([]);
    }
    if (e.location !== undefined) expect(a.headers.get("location"), label).toBe(e.location);
    if (e.backendPath !== undefined) expect(a.echo?.path, label).toBe(e.backendPath);
    // Origins listen on random ports; in production an origin on its scheme's port gets none in Host.
    if (e.backendHost !== undefined) expect(a.echo?.host.replace(/:\d+$/, ""), label).toBe(e.backendHost);
    for (const [name, value] of Object.entries(e.backendHeaders ?? {})) {
      expect(field(a.echo?.headers[name.toLowerCase()]), `${label} origin header ${name}`).toBe(value === null ? null : listValue(value));
    }
    for (const [name, value] of Object.entries(e.responseHeaders ?? {})) {
      const got = field(a.headers.get(name));
      if (Array.isArray(value)) expect(value.map(listValue), `${label} response header ${name}`).toContain(got);
      else expect(got, `${label} response header ${name}`).toBe(value === null ? null : listValue(value as string));
    }
    for (const target of e.mirroredTo ?? []) {
      const mirror = origins.get(target) as EchoOrigin;
      const copied = await waitFor(() => mirror.requests.some((q) => q.headers["x-echo-key"] === key), 3000);
      expect(copied, `${label}: a copy reaches ${target}`).toBe(true);
      const copy = mirror.requests.find((q) => q.headers["x-echo-key"] === key);
      expect([copy?.method, copy?.url], label).toEqual([r.method ?? "GET", r.path]);
    }
  }
}

async function checkDistribution(r: SuiteRequest, label: string): Promise<void> {
  const e = r.expect;
  const tolerance = e.tolerance ?? 0.05;
  const samples = samplesFor([...Object.values(e.backendDistribution ?? {}), ...Object.values(e.statusDistribution ?? {})], tolerance, e.samples ?? 500);
  const backends: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  // In batches of 25 at a time: the whole sample stays a few seconds.
  for (let done = 0; done < samples; done += 25) {
    const batch = await Promise.all(Array.from({ length: Math.min(25, samples - done) }, () => send(r, randomUUID())));
    for (const a of batch) {
      if (a.backend) backends[a.backend] = (backends[a.backend] ?? 0) + 1;
      statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    }
  }
  for (const [name, share] of Object.entries(e.backendDistribution ?? {})) {
    expect(Math.abs((backends[name] ?? 0) / samples - share), `${label}: share of ${name} (${JSON.stringify(backends)})`).toBeLessThanOrEqual(tolerance);
  }
  for (const [status, share] of Object.entries(e.statusDistribution ?? {})) {
    expect(Math.abs((statuses[status] ?? 0) / samples - share), `${label}: share of status ${status} (${JSON.stringify(statuses)})`).toBeLessThanOrEqual(tolerance);
  }
  // A backend the distribution leaves out (weight 0) gets nothing.
  for (const name of Object.keys(backends)) expect(Object.keys(e.backendDistribution ?? {}), label).toContain(name);
}

for (const writer of WRITERS) describe(`Gateway API documentation vectors through the Worker, the config read ${writer}`, () => {
  for (const suite of loadGatewaySuites()) it(suite.name, () => runSuite(suite, writer));
});
