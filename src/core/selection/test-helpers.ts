// Test-only helpers for the selection tests (imported by *.test.ts only, never
// by production code).
import type { Origin } from "../config/types";
import type { Policy } from "./policy";

export { seededRandom as mulberry32 } from "../../../test/support/seeded-random";

/** Origins of pool `pool` named by their host's first label: `{ a: 3, b: 1 }` gives https://a.test weight 3, ... */
export function makeOrigins(weights: Readonly<Record<string, number>>, pool = "api"): Origin[] {
  return Object.entries(weights).map(([name, weight]) => {
    const url = `https://${name}.test`;
    return { url, weight, key: `${pool} ${url}` };
  });
}

/** The short name makeOrigins gave an origin. */
export function nameOf(origin: Origin): string {
  return origin.url.slice("https://".length, -".test".length);
}

/** `n` picks over the same candidates, as names joined by spaces: "a b a c a". */
export function pickNames(policy: Policy, candidates: readonly Origin[], n: number): string {
  const names: string[] = [];
  for (let i = 0; i < n; i++) names.push(nameOf(policy.pick(candidates)));
  return names.join(" ");
}

/** How many of `n` picks went to each origin, by name. */
export function countPicks(policy: Policy, candidates: readonly Origin[], n: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const origin of candidates) counts[nameOf(origin)] = 0;
  for (let i = 0; i < n; i++) {
    const name = nameOf(policy.pick(candidates));
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** A random source that counts its calls. */
export function countingRandom(random: () => number): { random: () => number; calls: () => number } {
  let calls = 0;
  return {
    random: () => {
      calls++;
      return random();
    },
    calls: () => calls,
  };
}
