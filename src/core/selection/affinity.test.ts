import { describe, expect, it } from "vitest";
import type { Origin, PoolAffinity } from "../config/types";
import { DEFAULT_AFFINITY_COOKIE_NAME } from "../policy/affinity-config";
import { createAffinity, type AffinityContext } from "./affinity";
import type { Policy } from "./policy";

const origins: Origin[] = ["a", "b", "c"].map((n) => ({ url: `http://${n}.test`, weight: 1, key: `web http://${n}.test` }));
/** A policy that always answers the last candidate, and counts its picks. */
function lastPolicy() {
  const policy = { name: "round-robin" as const, picks: 0, pick: (c: readonly Origin[]) => (policy.picks++, c[c.length - 1]!) };
  return policy;
}
const request = (headers: Record<string, string> = {}, clientIp?: string): AffinityContext => ({
  headers: new Headers(headers),
  userAgent: new Headers(headers).get("user-agent"),
  clientIp,
  https: true,
  locationPath: "/shop",
  nowMs: Date.UTC(2026, 0, 1),
});
const cookieSpec = (mode: "balanced" | "persistent"): PoolAffinity => ({
  kind: "cookie",
  cookie: { cookieName: DEFAULT_AFFINITY_COOKIE_NAME, mode, conditionalSameSiteNone: false, changeOnFailure: false },
});
let seed = 1;
const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;

describe("cookie affinity around a policy", () => {
  for (const mode of ["balanced", "persistent"] as const) {
    it(`${mode}: a new session takes the policy's pick and a cookie; the cookie sticks while its origin is a candidate`, () => {
      const affinity = createAffinity(cookieSpec(mode), { random });
      const policy = lastPolicy();
      const first = affinity.pick(policy, origins, request());
      expect(first.origin).toBe(origins[2]);
      expect(first.setCookie).toMatch(/^INGRESSCOOKIE=[0-9a-f]{32}; Path=\/shop; Secure; HttpOnly$/);
      const cookie = first.setCookie!.split(";")[0]!;
      for (let i = 0; i < 20; i++) {
        const again = affinity.pick(policy as Policy, origins, request({ cookie }));
        expect(again.origin).toBe(origins[2]);
        expect(again.setCookie).toBeUndefined();
      }
      expect(policy.picks).toBe(1);
    });
  }

  it("persistent: a session whose origin is no longer a candidate is re-pinned with a new cookie", () => {
    const affinity = createAffinity(cookieSpec("persistent"), { random });
    const first = affinity.pick(lastPolicy(), origins, request());
    const cookie = first.setCookie!.split(";")[0]!;
    const moved = affinity.pick(lastPolicy(), origins.slice(0, 2), request({ cookie }));
    expect(moved.origin).toBe(origins[1]);
    expect(moved.setCookie).toBeDefined();
    expect(moved.setCookie!.split(";")[0]).not.toBe(cookie);
  });

  it("a cookie that names no origin starts a new session", () => {
    const affinity = createAffinity(cookieSpec("persistent"), { random });
    const pick = affinity.pick(lastPolicy(), origins, request({ cookie: "INGRESSCOOKIE=0000000000000000000000000000000000000000" }));
    expect(pick.setCookie).toMatch(/^INGRESSCOOKIE=/);
  });
});

describe("header and client address affinity", () => {
  it("hashes the header's value: the same value, the same origin; no header, the policy", () => {
    const affinity = createAffinity({ kind: "header", header: "x-user" }, { random });
    const policy = lastPolicy();
    const chosen = new Set<string>();
    for (let user = 0; user < 60; user++) {
      const one = affinity.pick(policy, origins, request({ "x-user": `u${user}` })).origin;
      expect(affinity.pick(policy, origins, request({ "X-User": `u${user}` })).origin).toBe(one);
      chosen.add(one.url);
    }
    expect(chosen.size).toBe(3);
    expect(policy.picks).toBe(0);
    affinity.pick(policy, origins, request());
    expect(policy.picks).toBe(1);
  });

  it("removing one origin moves only the keys it held", () => {
    const affinity = createAffinity({ kind: "client-address" }, { random });
    const policy = lastPolicy();
    for (let i = 0; i < 100; i++) {
      const ip = `192.0.2.${i}`;
      const before = affinity.pick(policy, origins, request({}, ip)).origin;
      const after = affinity.pick(policy, [origins[0]!, origins[2]!], request({}, ip)).origin;
      if (before !== origins[1]) expect(after).toBe(before);
    }
    expect(policy.picks).toBe(0);
    affinity.pick(policy, origins, request());
    expect(policy.picks).toBe(1);
  });
});
