// Rules that write the same filters and backends share those parts of their
// actions (shared-parts.ts), and keep their own rule.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/parse";
import { frozenFilter } from "../filters/filter";
import { NO_FILTERS, sharedBackend, sharedBackendList, sharedFilterList } from "./shared-parts";

const allow = frozenFilter({ type: "AccessControl", stage: "access", onRequest: () => undefined, describe: () => ["allow all"] });
const header = frozenFilter({ type: "RequestHeaderModifier", describe: () => ["set a header"] });

describe("shared parts of route actions", () => {
  it("gives the same frozen list for the same filters in the same order, and another for any other", () => {
    const list = sharedFilterList([allow, header]);
    expect(sharedFilterList([allow, header])).toBe(list);
    expect(Object.isFrozen(list)).toBe(true);
    expect(sharedFilterList([header, allow])).not.toBe(list);
    expect(sharedFilterList([header, allow])).toEqual([header, allow]);
    expect(sharedFilterList([allow])).not.toBe(list);
    expect(sharedFilterList([])).toBe(NO_FILTERS);
  });

  it("gives one backend object per name, pool, weight and filters", () => {
    const web = sharedBackend("web", "web", 90, []);
    expect(sharedBackend("web", "web", 90, [])).toBe(web);
    expect(web).toEqual({ name: "web", pool: "web", weight: 90, filters: [] });
    expect(web.filters).toBe(NO_FILTERS);
    expect(sharedBackend("web", "web", 10, [])).not.toBe(web);
    expect(sharedBackend("web", undefined, 90, []).pool).toBeUndefined();
    expect(sharedBackend("web", "web", 90, [header]).filters).toEqual([header]);
    expect(sharedBackend("web", "web", 90, [header])).toBe(sharedBackend("web", "web", 90, [header]));
    expect(Object.isFrozen(web)).toBe(true);
  });

  it("gives the same backend list for the same backends in the same order", () => {
    const web = sharedBackend("web", "web", 90, []);
    const api = sharedBackend("api", "api", 10, []);
    expect(sharedBackendList([web, api])).toBe(sharedBackendList([web, api]));
    expect(sharedBackendList([api, web])).not.toBe(sharedBackendList([web, api]));
    expect(sharedBackendList([])).toEqual([]);
  });

  it("HTTPRoute rules with the same backendRefs share them and keep their own rule", () => {
    const split = [{ name: "web", weight: 90 }, { name: "api", weight: 10 }];
    const parsed = parseConfig({
      pools: { web: { origins: [{ url: "https://web.example.net" }] }, api: { origins: [{ url: "https://api.example.net" }] } },
      gateways: [{ name: "edge", listeners: [{ name: "https", port: 443, protocol: "HTTPS" }] }],
      httpRoutes: [
        {
          name: "shop",
          parentRefs: [{ name: "edge" }],
          hostnames: ["shop.example.com"],
          rules: [
            { matches: [{ path: { type: "PathPrefix", value: "/cart" } }], backendRefs: split },
            { matches: [{ path: { type: "PathPrefix", value: "/pay" } }], backendRefs: split },
            { matches: [{ path: { type: "PathPrefix", value: "/admin" } }], backendRefs: [{ name: "web", weight: 90 }] },
          ],
        },
      ],
    });
    expect(parsed.problems).toEqual([]);
    if (!parsed.ok) return;
    const actions = (parsed.config.gatewayRoutes ?? []).map((route) => route.action!);
    const [cart, pay, admin] = [...new Set(actions)].sort((a, b) => a.rule.ruleIndex - b.rule.ruleIndex);
    expect([cart?.rule.ruleIndex, pay?.rule.ruleIndex, admin?.rule.ruleIndex]).toEqual([0, 1, 2]);
    expect(pay?.backends).toBe(cart?.backends);
    expect(cart?.backends.map((b) => [b.pool, b.weight])).toEqual([["web", 90], ["api", 10]]);
    expect(admin?.backends).not.toBe(cart?.backends);
    expect(admin?.backends[0]).toBe(cart?.backends[0]);
    expect(pay?.totalWeight).toBe(100);
  });
});
