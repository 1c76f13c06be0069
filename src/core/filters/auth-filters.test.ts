// BasicAuth and ExternalAuth in plain Node: what they answer, what they send
// the auth service and what they copy, with stand-in services.
import { describe, expect, it } from "vitest";
import * as v from "valibot";
import type { FilterRequest, RequestServices } from "./filter";
import type { FilterContext } from "./module";
import { filtersByType } from "./registry";
import { inEvaluationOrder } from "../request/stages";

const ctx: FilterContext = { pools: new Set(), matchPathTypes: ["PathPrefix"], namespace: "default", onBackendRef: false };
function build(type: string, config: unknown) {
  const module = filtersByType.get(type)!;
  const parsed = v.parse(module.schema, config);
  return { filter: module.compile(parsed, ctx), problems: module.check?.(parsed, ctx) ?? [] };
}
function request(headers: Record<string, string> = {}): FilterRequest {
  return {
    method: "PUT", scheme: "https", hostname: "shop.example", port: 443, clientPath: "/a b/c", path: "/a b/c", search: "?q=1",
    upstreamHost: undefined, clientHeaders: new Headers({ host: "shop.example", ...headers }), headers: new Headers({ ...headers, "content-length": "3", "x-forwarded-proto": "https" }),
    matchedPrefix: undefined, mirrors: [], random: () => 0.5, clientIp: "192.0.2.1", country: undefined, asn: undefined,
  };
}
function services(over: Partial<RequestServices> = {}): RequestServices & { lines: unknown[]; sent: Request[] } {
  const lines: unknown[] = [];
  const sent: Request[] = [];
  return {
    secret: () => undefined,
    fetch: async (input, init) => {
      sent.push(new Request(input, init));
      return new Response(null, { status: 200 });
    },
    verifyPassword: () => "refused",
    log: (line) => void lines.push(line),
    requestId: "r1",
    lines,
    sent,
    ...over,
  };
}
// "{SHA}" of "secret": fast to verify, enough for these tests.
const USERS = "alice:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n";
const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;

describe("BasicAuth", () => {
  const { filter } = build("BasicAuth", { secret: "USERS", realm: 'Say "hi"' });

  it("answers 401 with the challenge for missing or wrong credentials, and lets the right ones through", async () => {
    const verify: RequestServices["verifyPassword"] = (h, c) => (h.verify(c.user, c.password) ? "verified" : "refused");
    const s = services({ secret: (n) => (n === "USERS" ? USERS : undefined), verifyPassword: verify });
    const missing = await filter.onRequestAsync!(request(), s);
    expect(missing).toMatchObject({ status: 401, headers: { "www-authenticate": 'Basic realm="Say \\"hi\\"", charset="UTF-8"' }, error: "auth-required" });
    expect((await filter.onRequestAsync!(request({ authorization: basic("alice", "wrong") }), s))?.status).toBe(401);
    expect(await filter.onRequestAsync!(request({ authorization: basic("alice", "secret") }), s)).toBeUndefined();
    expect(s.lines.map((l) => (l as { result: string }).result)).toEqual(["missing", "refused", "verified"]);
  });

  it("fails closed (500) on an unset or unparsable secret, naming no hash", async () => {
    const unset = await filter.onRequestAsync!(request({ authorization: basic("alice", "secret") }), services());
    expect(unset).toMatchObject({ status: 500, error: "auth-failed", detail: { secret: "USERS" } });
    const broken = await filter.onRequestAsync!(request(), services({ secret: () => "alice:$2y$99$zzz\n" }));
    expect(broken?.status).toBe(500);
    expect(JSON.stringify(broken)).not.toContain("$2y$99$zzz");
  });

  it("reads auth-map secrets as a JSON object, and refuses other JSON", async () => {
    const { filter: map } = build("BasicAuth", { secret: "M", secretType: "auth-map" });
    const verify: RequestServices["verifyPassword"] = (h, c) => (h.verify(c.user, c.password) ? "verified" : "refused");
    const good = services({ secret: () => JSON.stringify({ alice: "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=" }), verifyPassword: verify });
    expect(await map.onRequestAsync!(request({ authorization: basic("alice", "secret") }), good)).toBeUndefined();
    expect((await map.onRequestAsync!(request(), services({ secret: () => '["alice"]' })))?.status).toBe(500);
  });

  it("refuses a secret name with a namespace", () => {
    expect(v.safeParse(filtersByType.get("BasicAuth")!.schema, { secret: "ns/users" }).success).toBe(false);
  });
});

describe("ExternalAuth", () => {
  it("sends no body, the client's headers, and the original URL and method", async () => {
    const { filter } = build("ExternalAuth", { url: "https://auth.example/check?x=1", method: "POST" });
    const s = services();
    expect(await filter.onRequestAsync!(request({ cookie: "s=1", authorization: "Bearer t" }), s)).toBeUndefined();
    const [sent] = s.sent;
    expect(sent?.method).toBe("POST");
    expect(sent?.url).toBe("https://auth.example/check?x=1");
    expect(sent?.body).toBeNull();
    expect(Object.fromEntries(sent!.headers)).toMatchObject({
      cookie: "s=1", authorization: "Bearer t", "x-forwarded-proto": "https",
      "x-original-url": "https://shop.example/a b/c?q=1", "x-original-method": "PUT", "x-auth-request-redirect": "/a b/c?q=1",
    });
    expect(sent?.headers.has("content-length")).toBe(false);
    const upgrade = services();
    await filter.onRequestAsync!(request({ connection: "upgrade", upgrade: "websocket" }), upgrade);
    expect([...upgrade.sent[0]!.headers.keys()].filter((k) => k === "upgrade" || k === "connection")).toEqual([]);
  });

  it("copies listed response headers on 2xx and removes a listed header the client forged", async () => {
    const { filter } = build("ExternalAuth", { url: "https://auth.example/", responseHeaders: ["X-User", "X-Groups"] });
    const r = request({ "x-groups": "admin" });
    const s = services({ fetch: async () => new Response(null, { status: 204, headers: { "x-user": "alice", "x-other": "no" } }) });
    expect(await filter.onRequestAsync!(r, s)).toBeUndefined();
    expect(r.headers.get("x-user")).toBe("alice");
    expect(r.headers.has("x-groups")).toBe(false);
    expect(r.headers.has("x-other")).toBe(false);
  });

  it("maps 401, 403 and everything else; a sign-in URL turns 401 into a redirect with rd", async () => {
    const answering = (status: number, headers: Record<string, string> = {}) => services({ fetch: async () => new Response(null, { status, headers }) });
    const { filter } = build("ExternalAuth", { url: "https://auth.example/" });
    expect(await filter.onRequestAsync!(request(), answering(401, { "www-authenticate": "Bearer" }))).toMatchObject({ status: 401, headers: { "www-authenticate": "Bearer" }, error: "auth-required" });
    expect(await filter.onRequestAsync!(request(), answering(403))).toMatchObject({ status: 403, error: "auth-denied" });
    for (const status of [301, 404, 500, 503]) expect((await filter.onRequestAsync!(request(), answering(status)))?.error).toBe("auth-failed");
    const failing = services({ fetch: async () => Promise.reject(new TypeError("network down")) });
    expect(await filter.onRequestAsync!(request(), failing)).toMatchObject({ status: 500, error: "auth-failed", detail: { reason: "network down" } });

    const { filter: signin } = build("ExternalAuth", { url: "https://auth.example/", signin: "https://$host/oauth2/start" });
    const redirect = await signin.onRequestAsync!(request(), answering(401));
    expect(redirect?.status).toBe(302);
    expect(new URL(redirect!.headers.location!).searchParams.get("rd")).toBe("https://shop.example/a b/c?q=1");
    const { filter: own } = build("ExternalAuth", { url: "https://auth.example/", signin: "https://login.example/?rd=$escaped_request_uri", signinRedirectParam: "rd" });
    const kept = await own.onRequestAsync!(request(), answering(401));
    expect(kept?.headers.location).toBe("https://login.example/?rd=%2Fa%20b%2Fc%3Fq%3D1");
  });

  it("gives up after timeoutMs with 500", async () => {
    const { filter } = build("ExternalAuth", { url: "https://auth.example/", timeoutMs: 20 });
    const hanging = services({ fetch: (_input, init) => new Promise((_, reject) => init?.signal?.addEventListener("abort", () => reject(new Error("aborted")))) });
    expect(await filter.onRequestAsync!(request(), hanging)).toMatchObject({ status: 500, error: "auth-failed", detail: { reason: "no answer within 20 ms" } });
  });

  it("refuses URLs that are not absolute http(s), or carry credentials", () => {
    const module = filtersByType.get("ExternalAuth")!;
    const check = (config: unknown) => module.check!(v.parse(module.schema, config), ctx);
    for (const url of ["/auth", "ftp://auth.example/", "https://u:p@auth.example/"]) expect(check({ url }), url).not.toEqual([]);
    expect(check({ url: "https://auth.example/", signin: "not a url" }).map((p) => p.path)).toEqual([["signin"]]);
  });
});

describe("stage order", () => {
  it("puts authentication before the other filters, keeping the written order within a stage", () => {
    const other = build("RequestHeaderModifier", { set: [{ name: "x", value: "1" }] }).filter;
    const basicAuth = build("BasicAuth", { secret: "U" }).filter;
    const external = build("ExternalAuth", { url: "https://a.example/" }).filter;
    expect(inEvaluationOrder([other, external, basicAuth]).map((f) => f.type)).toEqual(["ExternalAuth", "BasicAuth", "RequestHeaderModifier"]);
  });
});
