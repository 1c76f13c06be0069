import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Origin } from "../config/types";
import { createPolicy } from "../selection";
import { makeOrigins, mulberry32, nameOf } from "../selection/test-helpers";
import { compileAffinitySpec, type AffinitySpec } from "./affinity-config";
import { createCookieAffinity, type CookieSessionRequest } from "./affinity";
import { cookieLayout, sameSiteNoneCompatible, type CookieRequest } from "./affinity-cookie";
import { readCookie } from "./cookies";

const A = "nginx.ingress.kubernetes.io/";
interface Suite {
  name: string;
  ingress?: { metadata: { annotations: Record<string, string> }; rules: { http: { paths: { path: string }[] } }[] };
  ingresses?: Suite["ingress"][];
  requests: { headers?: Record<string, string>; expect: { setCookie?: { name: string; attributes?: Record<string, unknown> } } }[];
}
const suites = JSON.parse(readFileSync(new URL("../../../test/fixtures/conformance/nginx-annotations-docs-examples.json", import.meta.url), "utf8")) as Suite[];

function specOf(annotations: Record<string, string>): AffinitySpec {
  const short = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k.replace(A, ""), v]));
  const result = compileAffinitySpec(short);
  if (!result.ok || result.spec === undefined) throw new Error(JSON.stringify(result));
  return result.spec;
}

/** Parses "n=v; A=1; Flag" into a name, value and lower-cased attributes. */
function parseSetCookie(header: string) {
  const [first, ...rest] = header.split("; ");
  const [name, value] = first!.split("=") as [string, string];
  const attributes: Record<string, string | true> = {};
  for (const part of rest) {
    const eq = part.indexOf("=");
    attributes[(eq === -1 ? part : part.slice(0, eq)).toLowerCase()] = eq === -1 ? true : part.slice(eq + 1);
  }
  return { name, value, attributes };
}

/** A request with `cookieHeader` as its Cookie header. */
const request = (over: Partial<CookieRequest> = {}, cookieHeader?: string): CookieSessionRequest => ({
  https: false,
  locationPath: "/",
  nowMs: Date.UTC(2026, 0, 1),
  ...over,
  headers: { get: (name: string) => (name === "cookie" ? (cookieHeader ?? null) : null) },
});
/** A Cookie header carrying the session cookie among others, as browsers send it. */
const withSession = (value: string | undefined) => `theme=dark; INGRESSCOOKIE=${value}; lang=en`;
const roundRobin = () => createPolicy("round-robin", { random: () => 0 });

describe("affinity Set-Cookie, as the ingress-nginx examples show it", () => {
  for (const name of ["docs-nginx/affinity-cookie-example", "docs-nginx/affinity-samesite", "docs-nginx/affinity-defaults"]) {
    const suite = suites.find((s) => s.name === name)!;
    it(`matches ${name}`, () => {
      const ingresses = suite.ingresses ?? [suite.ingress!];
      let checked = 0;
      for (const [index, req] of suite.requests.entries()) {
        const expected = req.expect.setCookie;
        if (expected?.attributes === undefined) continue;
        const ingress = ingresses[Math.min(index, ingresses.length - 1)]!;
        const spec = specOf(ingress.metadata.annotations);
        const nowMs = Date.UTC(2026, 0, 1);
        const cookie = parseSetCookie(cookieLayout(spec).render("0123456789abcdef0123456789abcdef", { https: false, nowMs, userAgent: req.headers?.["User-Agent"], locationPath: ingress.rules[0]!.http.paths[0]!.path }));
        expect(cookie.name).toBe(expected.name);
        for (const [attribute, want] of Object.entries(expected.attributes)) {
          const got = cookie.attributes[attribute.toLowerCase()];
          if (attribute === "Expires") {
            const { secondsFromNow } = want as { secondsFromNow: number };
            expect(Date.parse(got as string) - nowMs).toBe(secondsFromNow * 1000);
          } else expect(got, attribute).toBe(want === null ? undefined : want);
        }
        checked++;
      }
      expect(checked).toBeGreaterThan(0);
    });
  }

  it("writes the attributes in resty.cookie's order, with Secure following https when unset", () => {
    const spec = specOf({ affinity: "cookie", "session-cookie-domain": "example.com", "session-cookie-max-age": "60", "session-cookie-samesite": "lax" });
    expect(cookieLayout(spec).render("v", { https: true, nowMs: 0, locationPath: "/api" })).toBe("INGRESSCOOKIE=v; Max-Age=60; Domain=example.com; Path=/api; Secure; HttpOnly; SameSite=Lax");
    expect(cookieLayout(spec).render("v", { https: false, nowMs: 0, locationPath: "/api" })).toBe("INGRESSCOOKIE=v; Max-Age=60; Domain=example.com; Path=/api; HttpOnly; SameSite=Lax");
  });

  it("writes a new session's cookie with the same attributes, the rule's Path unless session-cookie-path is set, and Expires from the response time", () => {
    const nowMs = Date.UTC(2026, 0, 1);
    const start = (annotations: Record<string, string>, over: Partial<CookieRequest>) => {
      const result = createCookieAffinity(specOf({ affinity: "cookie", ...annotations }), { random: mulberry32(8) }).pick(roundRobin(), makeOrigins({ a: 1, b: 2 }), request({ nowMs, ...over }));
      return result.setCookie!.replace(/=[0-9a-f]{32};/, "=V;");
    };
    const attributes = { "session-cookie-domain": "example.com", "session-cookie-max-age": "60", "session-cookie-samesite": "Lax" };
    expect(start(attributes, { https: true, locationPath: "/api" })).toBe("INGRESSCOOKIE=V; Max-Age=60; Domain=example.com; Path=/api; Secure; HttpOnly; SameSite=Lax");
    expect(start(attributes, { https: false, locationPath: "/web" })).toBe("INGRESSCOOKIE=V; Max-Age=60; Domain=example.com; Path=/web; HttpOnly; SameSite=Lax");
    expect(start({ "session-cookie-path": "/fixed", "session-cookie-expires": "30" }, { https: true, locationPath: "/api" })).toBe("INGRESSCOOKIE=V; Expires=Thu, 01 Jan 2026 00:00:30 GMT; Path=/fixed; Secure; HttpOnly");
    expect(start({}, { locationPath: "/a;b" })).toBe("INGRESSCOOKIE=V; Path=/; HttpOnly");
  });

  it("shares one layout among specs that write the same cookie, each render with its own request's values", () => {
    const spec = specOf({ affinity: "cookie", "session-cookie-max-age": "60" });
    const same = specOf({ affinity: "cookie", "session-cookie-max-age": "60", "affinity-mode": "persistent" });
    expect(cookieLayout(same)).toBe(cookieLayout(spec));
    expect(cookieLayout(specOf({ affinity: "cookie", "session-cookie-max-age": "61" }))).not.toBe(cookieLayout(spec));
    expect(cookieLayout(specOf({ affinity: "cookie", "session-cookie-max-age": "60", "session-cookie-path": "/p" }))).not.toBe(cookieLayout(spec));
    expect(cookieLayout(spec).render("v", { https: true, nowMs: 0, locationPath: "/a" })).toBe("INGRESSCOOKIE=v; Max-Age=60; Path=/a; Secure; HttpOnly");
    expect(cookieLayout(same).render("w", { https: false, nowMs: 0, locationPath: "/b" })).toBe("INGRESSCOOKIE=w; Max-Age=60; Path=/b; HttpOnly");
  });

  it("drops SameSite=None for known-incompatible browsers only when asked", () => {
    const spec = specOf({ affinity: "cookie", "session-cookie-samesite": "None", "session-cookie-secure": "true", "session-cookie-conditional-samesite-none": "true" });
    const chrome51 = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36";
    expect(sameSiteNoneCompatible(chrome51)).toBe(false);
    expect(cookieLayout(spec).render("v", { https: true, nowMs: 0, locationPath: "/", userAgent: chrome51 })).not.toContain("SameSite");
    expect(cookieLayout(spec).render("v", { https: true, nowMs: 0, locationPath: "/", userAgent: "curl/8" })).toContain("SameSite=None");
  });
});

describe("createCookieAffinity (wraps a selection policy)", () => {
  for (const mode of ["persistent", "balanced"] as const) {
    describe(mode, () => {
      const spec = specOf({ affinity: "cookie", "affinity-mode": mode });
      const pool = makeOrigins({ a: 1, b: 1, c: 1 });

      it("lets the wrapped policy pick a new session and sets a cookie leading back to that pick", () => {
        const affinity = createCookieAffinity(spec, { random: mulberry32(1) });
        const policy = roundRobin();
        const first = affinity.pick(policy, pool, request());
        const second = affinity.pick(policy, pool, request());
        expect([nameOf(first.origin), nameOf(second.origin)]).toEqual(["a", "b"]); // round-robin's choices, not affinity's
        for (const start of [first, second]) {
          const value = readCookie(start.setCookie!.split(";")[0], "INGRESSCOOKIE");
          for (let i = 0; i < 10; i++) {
            const again = affinity.pick(policy, pool, request({}, withSession(value)));
            expect(again.origin).toBe(start.origin);
            expect(again.setCookie).toBeUndefined();
          }
        }
      });

      it("never puts the origin URL in the cookie", () => {
        const start = createCookieAffinity(spec, { random: mulberry32(2) }).pick(roundRobin(), pool, request());
        expect(start.setCookie).not.toMatch(/test|https|api/);
        expect(start.setCookie).toMatch(/^INGRESSCOOKIE=[0-9a-f]{32}; Path=\/; HttpOnly$/);
      });

      it("starts a new session for a cookie that leads nowhere, including the docs' made-up value", () => {
        const affinity = createCookieAffinity(spec, { random: mulberry32(3) });
        for (const cookie of ["0000000000000000000000000000000000000000", "", "x", "ZZ".repeat(16), "a|b"]) {
          const result = affinity.pick(roundRobin(), pool, request({}, withSession(cookie)));
          expect(result.setCookie, cookie).toMatch(/^INGRESSCOOKIE=/);
        }
      });

      it("moves a session whose origin is no longer available, and only those", () => {
        const affinity = createCookieAffinity(spec, { random: mulberry32(4) });
        const policy = roundRobin();
        const sessions = Array.from({ length: 30 }, () => {
          const start = affinity.pick(policy, pool, request());
          return { origin: start.origin, cookie: readCookie(start.setCookie!.split(";")[0], "INGRESSCOOKIE") };
        });
        const withoutB = pool.filter((o) => nameOf(o) !== "b");
        for (const session of sessions) {
          const again = affinity.pick(policy, withoutB, request({}, withSession(session.cookie)));
          if (nameOf(session.origin) === "b") {
            expect(nameOf(again.origin)).not.toBe("b");
          } else {
            expect(again.origin).toBe(session.origin);
            expect(again.setCookie).toBeUndefined();
          }
        }
      });
    });
  }

  it("persistent gives an origin the same cookie value in every release, so an upgrade moves no session", () => {
    // The first 16 bytes of SHA-256("edge-ingress affinity\0api https://a.test"),
    // as 0.1.0 computed them (with @noble/hashes) and `sha256sum` agrees.
    const affinity = createCookieAffinity(specOf({ affinity: "cookie", "affinity-mode": "persistent" }), { random: mulberry32(7) });
    const [a] = makeOrigins({ a: 1 });
    const start = affinity.pick(roundRobin(), [a!], request());
    expect(readCookie(start.setCookie!.split(";")[0], "INGRESSCOOKIE")).toBe("38f0330a190c0cbf34063bb258a7a606");
  });

  it("balanced hands out keys of one random prefix and a counter, and keeps a try that led elsewhere for that origin's next session", () => {
    // Recorded with this seed and policy (a change in how keys are made shows
    // here; it moves no existing session, which hashes as before: see
    // consistent-hash.test.ts). The prefix is the same four random numbers
    // the earlier code drew per session; counter 0000 led to c when a's first
    // session was made, and c's first session takes it.
    const spec = specOf({ affinity: "cookie", "affinity-mode": "balanced" });
    const started = [makeOrigins({ a: 1, b: 1, c: 1 }), makeOrigins({ a: 1, b: 2, c: 1, d: 3 })].flatMap((pool) => {
      const affinity = createCookieAffinity(spec, { random: mulberry32(11) });
      const policy = roundRobin();
      return Array.from({ length: 6 }, () => {
        const start = affinity.pick(policy, pool, request({ https: true }));
        return `${nameOf(start.origin)} ${readCookie(start.setCookie!.split(";")[0], "INGRESSCOOKIE")}`;
      });
    });
    expect(started).toEqual([
      "a 82f75e6b87aa915c9bada88197140001", "b 82f75e6b87aa915c9bada88197140006", "c 82f75e6b87aa915c9bada88197140000",
      "a 82f75e6b87aa915c9bada88197140002", "b 82f75e6b87aa915c9bada8819714000b", "c 82f75e6b87aa915c9bada88197140007",
      "d 82f75e6b87aa915c9bada88197140000", "b 82f75e6b87aa915c9bada88197140003", "a 82f75e6b87aa915c9bada88197140001",
      "d 82f75e6b87aa915c9bada88197140002", "c 82f75e6b87aa915c9bada88197140007", "b 82f75e6b87aa915c9bada88197140006",
    ]);
  });

  it("reads the session cookie wherever it is in the Cookie header, quoted or not, and ignores lookalikes", () => {
    for (const mode of ["balanced", "persistent"] as const) {
      const affinity = createCookieAffinity(specOf({ affinity: "cookie", "affinity-mode": mode }), { random: mulberry32(12) });
      const pool = makeOrigins({ a: 1, b: 1, c: 1, d: 1 });
      const policy = roundRobin();
      for (let i = 0; i < 8; i++) {
        const start = affinity.pick(policy, pool, request());
        const value = readCookie(start.setCookie!.split(";")[0], "INGRESSCOOKIE")!;
        for (const header of [`INGRESSCOOKIE=${value}`, `a=1;INGRESSCOOKIE= "${value}" ;b=2`, `XINGRESSCOOKIE=0; INGRESSCOOKIE=${value}`, `INGRESSCOOKIE=${value}; INGRESSCOOKIE=ffffffffffffffffffffffffffffffff`]) {
          const again = affinity.pick(policy, pool, request({}, header));
          expect(again.origin, `${mode} ${header}`).toBe(start.origin);
          expect(again.setCookie).toBeUndefined();
        }
        for (const header of [`XINGRESSCOOKIE=${value}`, `INGRESSCOOKIE=${value.toUpperCase()}`, `INGRESSCOOKIE=${value}0`, `other=${value}`]) {
          expect(affinity.pick(policy, pool, request({}, header)).setCookie, `${mode} ${header}`).toMatch(/^INGRESSCOOKIE=/);
        }
      }
    }
  });

  it("persistent keeps every session when an origin is added; balanced moves about its share", () => {
    const pool = makeOrigins({ a: 1, b: 1, c: 1 });
    const grown: Origin[] = [...pool, ...makeOrigins({ d: 1 })];
    const moved = (mode: "balanced" | "persistent") => {
      const affinity = createCookieAffinity(specOf({ affinity: "cookie", "affinity-mode": mode }), { random: mulberry32(5) });
      const policy = createPolicy("random", { random: mulberry32(6) });
      let count = 0;
      for (let i = 0; i < 2000; i++) {
        const start = affinity.pick(policy, pool, request());
        const again = affinity.pick(policy, grown, request({}, withSession(readCookie(start.setCookie!.split(";")[0], "INGRESSCOOKIE"))));
        if (again.origin.key !== start.origin.key) count++;
      }
      return count / 2000;
    };
    expect(moved("persistent")).toBe(0);
    expect(Math.abs(moved("balanced") - 0.25)).toBeLessThan(0.05);
  });
});
