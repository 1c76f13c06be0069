import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/parse";
import { emptySnapshot, PassiveEjector, type HealthSnapshot } from "../health";
import { compileRuntime } from "../runtime";
import { choosePool } from "./origins";

const origin = (host: string) => ({ url: `https://${host}.example.net` });

function runtimeOf(pools: Record<string, unknown>) {
  const parsed = parseConfig({ pools, rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: Object.keys(pools)[0] } } }] } }] });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return compileRuntime("v1", parsed.config, { random: () => 0 });
}

/** Every origin of `keys` down by health. */
function down(...keys: string[]): HealthSnapshot {
  return { v: 1, origins: Object.fromEntries(keys.map((key) => [key, { up: false, streak: 1, sinceMs: 1, reason: "status 503" }])) };
}

const ejector = () => new PassiveEjector(() => 1_000);

describe("choosePool", () => {
  it("answers the pool's lane and its available origins", () => {
    const runtime = runtimeOf({ web: { origins: [origin("a"), origin("b")] } });
    const [a, b] = runtime.config.pools.get("web")!.origins;
    const choice = choosePool(runtime.lanes, "web", down(a!.key), ejector());
    expect(choice).toEqual({ kind: "origins", lane: runtime.lanes.get("web"), candidates: [b] });
    expect(choosePool(runtime.lanes, "web", emptySnapshot, ejector())).toMatchObject({ candidates: runtime.config.pools.get("web")!.origins });
  });

  it("follows whenAllDown to the fallback pool's lane, with that pool's own policy", () => {
    const runtime = runtimeOf({ web: { origins: [origin("a")], whenAllDown: "spare" }, spare: { policy: "least-recent", origins: [origin("s")] } });
    const choice = choosePool(runtime.lanes, "web", down(runtime.config.pools.get("web")!.origins[0]!.key), ejector());
    expect(choice.kind === "origins" && choice.lane).toBe(runtime.lanes.get("spare"));
    expect(choice.kind === "origins" && choice.lane.policy.name).toBe("least-recent");
  });

  it("gives every origin when the pool fails open, the pool when it answers 503, and no-pool for an unknown name", () => {
    const runtime = runtimeOf({ open: { origins: [origin("a")], whenAllDown: "fail-open" }, closed: { origins: [origin("b")], whenAllDown: "503" } });
    const all = down(...[...runtime.config.pools.values()].flatMap((p) => p.origins.map((o) => o.key)));
    expect(choosePool(runtime.lanes, "open", all, ejector())).toMatchObject({ kind: "origins", candidates: runtime.config.pools.get("open")!.origins });
    expect(choosePool(runtime.lanes, "closed", all, ejector())).toEqual({ kind: "all-down", pool: runtime.config.pools.get("closed") });
    expect(choosePool(runtime.lanes, "nope", all, ejector())).toEqual({ kind: "no-pool", name: "nope" });
  });
});
