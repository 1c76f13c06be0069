// Authentication through the Worker in workerd, against real origins on
// 127.0.0.1: BasicAuth with users in a Worker secret (a wrong password never
// reaches the origin; a right one does, and the second time comes from the
// isolate's verification cache), and ExternalAuth against a real auth
// service (an echo origin told by the client's headers what to answer);
// and both in the fixed order, after the HTTPS redirect and access lists.
import { randomUUID } from "node:crypto";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEchoOrigin, type EchoOrigin } from "./support/echo-origins";
import { mergeDocuments } from "../src/core/config/manifests";
import { startWorker, type TestWorker } from "./support/worker";

let worker: TestWorker;
let app: EchoOrigin;
let auth: EchoOrigin;

const listeners = [{ name: "http", port: 80, protocol: "HTTP" }];
const route = (host: string, filter: unknown) => ({ name: host.replace(/\./g, "-"), parentRefs: [{ name: "edge" }], hostnames: [host], rules: [{ filters: [filter], backendRefs: [{ name: "app" }] }] });
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
/** User -> [stored hash, its password], one user per scheme that is not bcrypt (the vectors of src/core/policy/*.test.ts). */
const HASHED: Record<string, [string, string]> = {
  sha256: ["$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "Hello world!"],
  sha512: ["$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1", "Hello world!"],
  apr1: ["$apr1$abcdefgh$FBwExRW4dCc8aL.OvjpIE1", "password"],
  md5: ["$1$abcdefgh$G//4keteveJp0qb8z2DxG/", "password"],
  sha1: ["{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "password"],
  ssha: ["{SSHA}Wcm1xEisNjqp921ALcHfuQ7avFdzYWx0MTIzNA==", "secret"],
};
/** Requests the app origin received carrying this key. */
const reached = (key: string) => app.requests.filter((r) => r.headers["x-key"] === key);

beforeAll(async () => {
  [app, auth] = await Promise.all([startEchoOrigin("app"), startEchoOrigin("auth")]);
  worker = await startWorker({
    secrets: {
      // bcrypt cost 5, as `htpasswd -B` writes; a second user in auth-map form.
      APP_USERS: `# staff\nalice:${bcrypt.hashSync("right horse", 5)}\n`,
      MAP_USERS: JSON.stringify({ bob: bcrypt.hashSync("battery", 5) }),
      BROKEN_USERS: "alice:not-a-hash\n",
      // Published vectors (Drepper's SHA-crypt spec, OpenSSL), checked by the Worker itself.
      HASHED_USERS: Object.entries(HASHED).map(([user, [hash]]) => `${user}:${hash}`).join("\n"),
    },
  });
  const check = `${auth.url}/check?from=edge`;
  const annotated = (host: string, annotations: Record<string, string>) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: host.replace(/\./g, "-"), annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`nginx.ingress.kubernetes.io/${k}`, v])) },
    spec: { rules: [{ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "app", port: { number: 80 } } } }] } }] },
  });
  const native = {
    pools: { app: { origins: [{ url: app.url }] } },
    // The host's BasicAuth, and a path whose filters are written in the reverse of the order they run in.
    hosts: [{ host: "order.test", filters: [{ type: "BasicAuth", basicAuth: { secret: "APP_USERS" } }] }],
    rules: [{
      host: "order.test",
      http: {
        paths: [{
          path: "/", pathType: "Prefix", backend: { service: { name: "app" } },
          filters: [
            { type: "ExternalAuth", externalAuth: { url: check, responseHeaders: ["x-user"] } },
            { type: "AccessControl", accessControl: { allowCountries: ["DE"] } },
            { type: "HTTPSRedirect", httpsRedirect: {} },
          ],
        }],
      },
    }],
    gateways: [{ name: "edge", listeners }],
    httpRoutes: [
      route("basic.test", { type: "BasicAuth", basicAuth: { secret: "APP_USERS", realm: "Staff only" } }),
      route("hashed.test", { type: "BasicAuth", basicAuth: { secret: "HASHED_USERS" } }),
      route("map.test", { type: "BasicAuth", basicAuth: { secret: "MAP_USERS", secretType: "auth-map" } }),
      route("unset.test", { type: "BasicAuth", basicAuth: { secret: "NO_SUCH_SECRET" } }),
      route("broken.test", { type: "BasicAuth", basicAuth: { secret: "BROKEN_USERS" } }),
      route("ext.test", { type: "ExternalAuth", externalAuth: { url: check, responseHeaders: ["x-user"], timeoutMs: 300 } }),
      route("signin.test", { type: "ExternalAuth", externalAuth: { url: check, signin: "https://login.test/start?app=1" } }),
    ],
  };
  const merged = mergeDocuments([
    { file: "native.yaml", index: 0, value: native },
    { file: "ingress.yaml", index: 0, value: annotated("nginx-basic.test", { "auth-type": "basic", "auth-secret": "APP_USERS", "auth-realm": "Ingress" }) },
    { file: "ingress.yaml", index: 1, value: annotated("nginx-ext.test", { "auth-url": check, "auth-response-headers": "X-User", "auth-signin": "https://login.test/start?rd=$escaped_request_uri" }) },
  ]);
  expect(merged.problems).toEqual([]);
  await worker.putConfig(merged.document);
});
afterAll(async () => {
  await worker?.dispose();
  await Promise.all([app?.close(), auth?.close()]);
});

describe("BasicAuth", () => {
  it("answers 401 with the challenge, and a wrong or missing password never reaches the origin", async () => {
    const key = randomUUID();
    for (const authorization of [undefined, basic("alice", "wrong"), basic("mallory", "right horse"), "Bearer x"]) {
      const response = await worker.fetch("basic.test", "/", { headers: { "x-key": key, ...(authorization ? { authorization } : {}) } });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Basic realm="Staff only", charset="UTF-8"');
      expect(response.headers.get("x-edge-ingress-error")).toBe("auth-required");
    }
    expect(reached(key)).toEqual([]);
  });

  it("lets the right password through with Authorization untouched, and the second time from the cache", async () => {
    const key = randomUUID();
    const first = await worker.fetch("basic.test", "/in", { headers: { "x-key": key, "x-request-id": `${key}-1`, authorization: basic("alice", "right horse") } });
    expect(first.status).toBe(200);
    const second = await worker.fetch("basic.test", "/in", { headers: { "x-key": key, "x-request-id": `${key}-2`, authorization: basic("alice", "right horse") } });
    expect(second.status).toBe(200);
    expect(reached(key).map((r) => r.headers.authorization)).toEqual([basic("alice", "right horse"), basic("alice", "right horse")]);
    const result = (id: string) => worker.events("auth.basic").find((e) => e.requestId === id)?.result;
    await vi.waitFor(() => expect(result(`${key}-2`)).toBeDefined());
    expect(result(`${key}-1`)).toBe("verified");
    expect(result(`${key}-2`)).toBe("cached");
  });

  it("verifies SHA-crypt, apr1/MD5-crypt, {SHA} and {SSHA} hashes in workerd, and refuses a wrong password for each", async () => {
    for (const [user, [, password]] of Object.entries(HASHED)) {
      const key = randomUUID();
      expect((await worker.fetch("hashed.test", "/", { headers: { "x-key": key, authorization: basic(user, `${password}!`) } })).status, user).toBe(401);
      expect((await worker.fetch("hashed.test", "/", { headers: { "x-key": key, authorization: basic(user, password) } })).status, user).toBe(200);
      expect(reached(key), user).toHaveLength(1);
    }
  });

  it("reads an auth-map secret (a JSON object of user to hash)", async () => {
    expect((await worker.fetch("map.test", "/", { headers: { authorization: basic("bob", "battery") } })).status).toBe(200);
    expect((await worker.fetch("map.test", "/", { headers: { authorization: basic("bob", "wrong") } })).status).toBe(401);
  });

  it("fails closed with 500 when the secret is unset or invalid, even with credentials", async () => {
    const key = randomUUID();
    for (const host of ["unset.test", "broken.test"]) {
      const response = await worker.fetch(host, "/", { headers: { "x-key": key, authorization: basic("alice", "right horse") } });
      expect(response.status).toBe(500);
      expect(response.headers.get("x-edge-ingress-error")).toBe("auth-failed");
      expect(await response.text()).not.toMatch(/alice|not-a-hash|NO_SUCH/);
    }
    expect(reached(key)).toEqual([]);
  });
});

describe("Ingress auth annotations", () => {
  it("auth-type basic: a wrong password never reaches the origin, the right one does", async () => {
    const key = randomUUID();
    const wrong = await worker.fetch("nginx-basic.test", "/x", { headers: { "x-key": key, authorization: basic("alice", "nope") } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toBe('Basic realm="Ingress", charset="UTF-8"');
    expect(reached(key)).toEqual([]);
    expect((await worker.fetch("nginx-basic.test", "/x", { headers: { "x-key": key, authorization: basic("alice", "right horse") } })).status).toBe(200);
    expect(reached(key)).toHaveLength(1);
  });

  it("auth-url: 2xx passes with auth-response-headers copied; 401 redirects to auth-signin with the escaped URI filled in", async () => {
    const key = randomUUID();
    expect((await worker.fetch("nginx-ext.test", "/p", { headers: { "x-key": key, "x-echo-set-header": "X-User:carol" } })).status).toBe(200);
    expect(reached(key)[0]?.headers["x-user"]).toBe("carol");
    const redirect = await worker.fetch("nginx-ext.test", "/p?q=1", { headers: { "x-key": key, "x-echo-status": "401" } });
    expect(redirect.status).toBe(302);
    expect(new URL(redirect.headers.get("location") ?? "").searchParams.get("rd")).toBe("/p?q=1");
    expect(reached(key)).toHaveLength(1);
  });
});

describe("ExternalAuth", () => {
  const checks = (key: string) => auth.requests.filter((r) => r.headers["x-key"] === key);

  it("lets a 2xx through, sends the auth service the request's headers and original URL, copies the listed headers", async () => {
    const key = randomUUID();
    const response = await worker.fetch("ext.test", "/orders/7?x=1", {
      method: "POST",
      body: "payload",
      headers: { "x-key": key, cookie: "session=abc", authorization: "Bearer t", "x-echo-set-header": "X-User:alice" },
    });
    expect(response.status).toBe(200);
    const [check] = checks(key);
    expect(check?.method).toBe("GET");
    expect(check?.url).toBe("/check?from=edge");
    expect(check?.body).toBe("");
    expect(check?.headers).toMatchObject({ cookie: "session=abc", authorization: "Bearer t", "x-original-method": "POST", "x-original-url": "http://ext.test/orders/7?x=1", "x-auth-request-redirect": "/orders/7?x=1" });
    const [upstream] = reached(key);
    expect(upstream?.headers).toMatchObject({ "x-user": "alice", cookie: "session=abc", authorization: "Bearer t" });
    expect(upstream?.body).toBe("payload");
  });

  it("drops a listed header the client sent when the auth service does not set it", async () => {
    const key = randomUUID();
    expect((await worker.fetch("ext.test", "/", { headers: { "x-key": key, "x-user": "admin" } })).status).toBe(200);
    expect(reached(key)[0]?.headers["x-user"]).toBeUndefined();
  });

  it("returns 401 (with the service's challenge) and 403 to the client; the origin is never asked", async () => {
    const key = randomUUID();
    const denied = await worker.fetch("ext.test", "/", { headers: { "x-key": key, "x-echo-status": "401", "x-echo-set-header": 'WWW-Authenticate:Bearer realm="api"' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    expect(denied.headers.get("x-edge-ingress-error")).toBe("auth-required");
    const forbidden = await worker.fetch("ext.test", "/", { headers: { "x-key": key, "x-echo-status": "403" } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("x-edge-ingress-error")).toBe("auth-denied");
    expect(checks(key)).toHaveLength(2);
    expect(reached(key)).toEqual([]);
  });

  it("answers 500 when the service fails, redirects, or does not answer in time", async () => {
    const key = randomUUID();
    const cases: Record<string, string>[] = [{ "x-echo-status": "502" }, { "x-echo-status": "302" }, { "x-echo-delay": "2s" }];
    for (const headers of cases) {
      const response = await worker.fetch("ext.test", "/", { headers: { "x-key": key, ...headers } });
      expect(response.status, JSON.stringify(headers)).toBe(500);
      expect(response.headers.get("x-edge-ingress-error")).toBe("auth-failed");
    }
    expect(reached(key)).toEqual([]);
  });

  it("redirects a 401 to the sign-in URL with rd= the original URL", async () => {
    const key = randomUUID();
    const response = await worker.fetch("signin.test", "/a/b?c=d", { headers: { "x-key": key, "x-echo-status": "401" } });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.origin + location.pathname).toBe("https://login.test/start");
    expect(location.searchParams.get("app")).toBe("1");
    expect(location.searchParams.get("rd")).toBe("http://signin.test/a/b?c=d");
    expect(reached(key)).toEqual([]);
  });
});

describe("authentication in the order of evaluation", () => {
  const checks = (key: string) => auth.requests.filter((r) => r.headers["x-key"] === key);
  const alice = basic("alice", "right horse");

  it("redirects plain HTTP and refuses a denied country before any password or auth service is asked", async () => {
    const key = randomUUID();
    const plain = await worker.fetch("order.test", "/a", { cf: { country: "DE" }, headers: { "x-key": key, authorization: alice } });
    expect(plain.status).toBe(308);
    expect(plain.headers.get("location")).toBe("https://order.test/a");
    const denied = await worker.fetch("order.test", "/a", { scheme: "https", cf: { country: "FR" }, headers: { "x-key": key, authorization: alice } });
    expect(denied.status).toBe(403);
    expect(denied.headers.get("x-edge-ingress-error")).toBe("forbidden");
    expect(checks(key)).toEqual([]);
    expect(reached(key)).toEqual([]);
  });

  it("asks the host's password first, then the route's auth service, then reaches the origin", async () => {
    const key = randomUUID();
    const noPassword = await worker.fetch("order.test", "/a", { scheme: "https", cf: { country: "DE" }, headers: { "x-key": key } });
    expect(noPassword.status).toBe(401);
    expect(noPassword.headers.get("www-authenticate")).toMatch(/^Basic /);
    expect(checks(key)).toEqual([]);
    const ok = await worker.fetch("order.test", "/a", { scheme: "https", cf: { country: "DE" }, headers: { "x-key": key, authorization: alice, "x-echo-set-header": "X-User:dave" } });
    expect(ok.status).toBe(200);
    expect(checks(key)).toHaveLength(1);
    expect(reached(key).map((r) => r.headers["x-user"])).toEqual(["dave"]);
  });
});
