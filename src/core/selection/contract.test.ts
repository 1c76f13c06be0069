// The contract every selection policy meets, run over the whole registry (as
// Hono runs one router suite over every router). Each policy's own file adds
// only its exact sequences.
import { describe, expect, it } from "vitest";
import type { Origin, PolicyName } from "../config/types";
import { createPolicy, policies } from "./index";
import { countingRandom, countPicks, makeOrigins, mulberry32 } from "./test-helpers";

interface Traits {
  /** Most calls to deps.random a pick may make. */
  readonly randomCallsPerPick: number;
  /** Deterministic policies give exact weight shares; random ones statistical shares. */
  readonly deterministic: boolean;
}

const traits = {
  random: { randomCallsPerPick: 1, deterministic: false },
  "round-robin": { randomCallsPerPick: 0, deterministic: true },
  "least-recent": { randomCallsPerPick: 0, deterministic: true },
} satisfies Record<PolicyName, Traits>;

const names = Object.keys(policies) as PolicyName[];

it("has traits for every registered policy, and the other way round", () => {
  expect(names.sort()).toEqual(Object.keys(traits).sort());
});

/**
 * Checks counts against weight shares: exact (within `slack` picks) for a
 * deterministic policy; for a random one, within 0.015 of the share. Every
 * random check runs 60,000 picks, where the sigma of a share p is
 * sqrt(p(1-p)/60000) <= 0.0021, so 0.015 is more than 7 sigma; the seed is
 * fixed as well, so it cannot flake.
 */
function expectShares(
  counts: Record<string, number>,
  weights: Record<string, number>,
  n: number,
  t: Traits,
  slack = 0,
): void {
  const total = Object.values(weights).reduce((sum, w) => sum + w, 0);
  for (const [name, weight] of Object.entries(weights)) {
    const count = counts[name] ?? 0;
    if (t.deterministic) {
      expect(Math.abs(count - (n * weight) / total), `${name}: ${count}`).toBeLessThanOrEqual(slack);
    } else {
      expect(Math.abs(count / n - weight / total), `${name}: ${count}`).toBeLessThan(0.015);
    }
  }
}

describe.each(names)("policy %s", (name) => {
  const t: Traits = traits[name];
  const deps = () => ({ random: mulberry32(42) });

  it("reports its registry name", () => {
    expect(createPolicy(name, deps()).name).toBe(name);
  });

  it("returns one of the candidates, by identity, for any subset", () => {
    const policy = createPolicy(name, deps());
    const pool = makeOrigins({ a: 1, b: 2, c: 3, d: 1 });
    const choose = mulberry32(7);
    const used = new Set<Origin>();
    let outside = 0;
    for (let i = 0; i < 2000; i++) {
      const subset = pool.filter(() => choose() < 0.6);
      const candidates = subset.length > 0 ? subset : pool;
      const picked = policy.pick(candidates);
      if (!candidates.includes(picked)) outside++;
      used.add(picked);
    }
    expect(outside).toBe(0);
    expect(used.size).toBe(pool.length);
  });

  it("handles a single candidate", () => {
    const policy = createPolicy(name, deps());
    const [a, b] = makeOrigins({ a: 3, b: 1 }) as [Origin, Origin];
    for (let i = 0; i < 5; i++) expect(policy.pick([b])).toBe(b);
    expect(policy.pick([a, b])).toBeDefined();
    for (let i = 0; i < 5; i++) expect(policy.pick([a])).toBe(a);
  });

  it("respects a subset: never picks an origin left out, shares follow the candidates' weights", () => {
    const policy = createPolicy(name, deps());
    const [a, , c] = makeOrigins({ a: 1, b: 5, c: 3 }) as [Origin, Origin, Origin];
    const counts = countPicks(policy, [a, c], 60_000);
    expect(counts.b).toBeUndefined();
    expectShares(counts, { a: 1, c: 3 }, 60_000, t);
  });

  it("keeps working after carrying state over to changed origins", () => {
    const before = createPolicy(name, deps());
    const v1 = makeOrigins({ a: 1, b: 2, c: 3 });
    for (let i = 0; i < 7; i++) before.pick(v1);
    // Next config version: new objects; a reweighted, c removed, d added.
    const v2 = makeOrigins({ a: 2, b: 2, d: 1 });
    const after = createPolicy(name, deps(), before);
    for (let i = 0; i < 100; i++) expect(v2).toContain(after.pick(v2));
    expectShares(countPicks(after, v2, 60_000), { a: 2, b: 2, d: 1 }, 60_000, t, 1);
  });

  it(`calls random at most ${t.randomCallsPerPick} time(s) per pick`, () => {
    const counter = countingRandom(mulberry32(3));
    const policy = createPolicy(name, { random: counter.random });
    const pool = makeOrigins({ a: 1, b: 2, c: 3 });
    for (let i = 0; i < 1000; i++) policy.pick(pool);
    for (let i = 0; i < 1000; i++) policy.pick([pool[1] as Origin]);
    expect(counter.calls()).toBeLessThanOrEqual(1000 * t.randomCallsPerPick);
  });

  it("gives each origin its weight's share over many picks", () => {
    const counts = countPicks(createPolicy(name, deps()), makeOrigins({ a: 1, b: 2, c: 3 }), 60_000);
    expectShares(counts, { a: 1, b: 2, c: 3 }, 60_000, t);
  });
});
