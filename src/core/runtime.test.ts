import { describe, expect, it } from "vitest";
import { parseConfig } from "./config/parse";
import type { Config } from "./config/types";
import { compileRuntime } from "./runtime";

function config(pools: Record<string, unknown>): Config {
  const parsed = parseConfig({ pools, rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: Object.keys(pools)[0] } } }] } }] });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config;
}

const web = { policy: "round-robin", origins: [{ url: "https://a.example.net" }, { url: "https://b.example.net" }, { url: "https://c.example.net" }] };

describe("compileRuntime", () => {
  it("builds a pool's policy on its first lookup, once, and none for a pool not in the config", () => {
    const runtime = compileRuntime("v1", config({ web, api: web }), { random: () => 0 });
    expect(runtime.policies.built().size).toBe(0);
    const policy = runtime.policies.get("web");
    expect(runtime.policies.get("web")).toBe(policy);
    expect(runtime.policies.get("nope")).toBeUndefined();
    expect([...runtime.policies.built().keys()]).toEqual(["web"]);
    expect(runtime.poolActions.get("api")?.backends[0]?.pool).toBe("api");
  });

  it("looks a pool up once for its policy and affinity: its lane, built on first lookup with the pool's own policy", () => {
    const sticky = { ...web, affinity: { cookie: { name: "sid" } } };
    const runtime = compileRuntime("v1", config({ web, sticky }), { random: () => 0 });
    const lane = runtime.lanes.get("web")!;
    expect(lane.pool).toBe(runtime.config.pools.get("web"));
    expect(lane.policy).toBe(runtime.policies.get("web"));
    expect(lane.affinity).toBeUndefined();
    expect(runtime.lanes.get("web")).toBe(lane);
    expect(runtime.lanes.get("sticky")!.affinity).toBeDefined();
    expect(runtime.lanes.get("nope")).toBeUndefined();
    expect(runtime.lanes.size).toBe(2);
  });

  it("carries a pool's rotation over to the next version of the config", () => {
    const first = compileRuntime("v1", config({ web }), { random: () => 0 });
    const origins = first.config.pools.get("web")!.origins;
    const picks = [first.policies.get("web")!.pick(origins).url];
    const second = compileRuntime("v2", config({ web, api: web }), { random: () => 0 }, first);
    picks.push(second.policies.get("web")!.pick(second.config.pools.get("web")!.origins).url);
    expect(picks).toEqual(["https://a.example.net", "https://b.example.net"]);
  });

  it("carries it over a version in which the pool took no request", () => {
    const first = compileRuntime("v1", config({ web }), { random: () => 0 });
    expect(first.policies.get("web")!.pick(first.config.pools.get("web")!.origins).url).toBe("https://a.example.net");
    const quiet = compileRuntime("v2", config({ web, api: web }), { random: () => 0 }, first);
    const third = compileRuntime("v3", config({ web }), { random: () => 0 }, quiet);
    expect(third.policies.get("web")!.pick(third.config.pools.get("web")!.origins).url).toBe("https://b.example.net");
    // Once built, a policy is carried as itself: what it inherited is let go.
    expect(third.inherited().has("web")).toBe(false);
  });
});
