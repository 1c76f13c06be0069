import { describe, expect, it } from "vitest";
import { hashKeyPrefix, RendezvousHasher, rendezvousPick, type Weighted } from "./consistent-hash";
import { pairState } from "./key-hash";

const nodes = (weights: Record<string, number>): Weighted[] => Object.entries(weights).map(([key, weight]) => ({ key: `pool ${key}`, weight }));
const keys = (n: number) => Array.from({ length: n }, (_, i) => `client-${i}`);
/** A counter as the four lowercase hex digits that end a session key, written independently of the code under test. */
const hex4 = (counter: number) => counter.toString(16).padStart(4, "0");
/** The candidate index RendezvousHasher.pickIndexHex4 gives for prefix + counter, the prefix hashed by hashKeyPrefix. */
function indexHex4(hasher: RendezvousHasher, candidates: readonly Weighted[], prefix: string, counter: number): number {
  hashKeyPrefix(prefix);
  return hasher.pickIndexHex4(candidates, pairState.first, pairState.second, counter);
}

function shares(candidates: readonly Weighted[], sample: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of sample) {
    const picked = rendezvousPick(candidates, key)!.key;
    counts[picked] = (counts[picked] ?? 0) + 1;
  }
  for (const name of Object.keys(counts)) counts[name] = counts[name]! / sample.length;
  return counts;
}

describe("rendezvousPick (weighted HRW)", () => {
  it("is deterministic and independent of candidate order", () => {
    const list = nodes({ a: 1, b: 2, c: 3, d: 1 });
    for (const key of keys(200)) {
      expect(rendezvousPick(list, key)).toBe(rendezvousPick(list, key));
      expect(rendezvousPick([...list].reverse(), key)!.key).toBe(rendezvousPick(list, key)!.key);
    }
  });

  it("gives each candidate its weight's share of keys", () => {
    // 40,000 keys: the standard deviation of a share p is sqrt(p(1-p)/n) <= 0.0025; 0.015 is 6 sigma.
    const got = shares(nodes({ a: 1, b: 2, c: 3, d: 4 }), keys(40_000));
    expect(Math.abs(got["pool a"]! - 0.1)).toBeLessThan(0.015);
    expect(Math.abs(got["pool b"]! - 0.2)).toBeLessThan(0.015);
    expect(Math.abs(got["pool c"]! - 0.3)).toBeLessThan(0.015);
    expect(Math.abs(got["pool d"]! - 0.4)).toBeLessThan(0.015);
  });

  it("moves only the removed candidate's keys when one of N goes away (about 1/N)", () => {
    const full = nodes({ a: 1, b: 1, c: 1, d: 1, e: 1, f: 1, g: 1, h: 1, i: 1, j: 1 });
    const without = full.filter((n) => n.key !== "pool d");
    const sample = keys(20_000);
    let moved = 0;
    for (const key of sample) {
      const before = rendezvousPick(full, key)!.key;
      const after = rendezvousPick(without, key)!.key;
      if (before !== after) {
        moved++;
        expect(before).toBe("pool d"); // nobody else's keys move
      }
    }
    expect(Math.abs(moved / sample.length - 1 / 10)).toBeLessThan(0.01);
  });

  it("takes only its own share when a candidate is added", () => {
    const before = nodes({ a: 1, b: 1, c: 1 });
    const after = [...before, { key: "pool new", weight: 1 }];
    let moved = 0;
    for (const key of keys(20_000)) {
      const was = rendezvousPick(before, key)!.key;
      const now = rendezvousPick(after, key)!.key;
      if (was !== now) {
        moved++;
        expect(now).toBe("pool new");
      }
    }
    expect(Math.abs(moved / 20_000 - 1 / 4)).toBeLessThan(0.015);
  });

  it("picks with equal weights what the weighted formula picks (the logarithm is skipped only when it cannot change the winner)", () => {
    const equal = nodes({ a: 3, b: 3, c: 3, d: 3, e: 3 });
    // Weights a hair apart take the formula's path; the winner differs only where two scores are within 1e-12.
    const almost = equal.map((n, i) => ({ key: n.key, weight: 3 + i * 1e-12 }));
    for (const key of keys(5_000)) expect(rendezvousPick(equal, key)!.key, key).toBe(rendezvousPick(almost, key)!.key);
  });

  it("never picks a non-positive or non-finite weight while another exists, and never throws", () => {
    const list = [{ key: "zero", weight: 0 }, { key: "nan", weight: Number.NaN }, { key: "neg", weight: -1 }, { key: "ok", weight: 1 }];
    for (const key of [...keys(100), "", "\ud800", "x".repeat(10_000)]) expect(rendezvousPick(list, key)!.key).toBe("ok");
    expect(rendezvousPick([], "k")).toBeUndefined();
    expect(rendezvousPick(nodes({ a: 1 }), undefined as unknown as string)!.key).toBe("pool a");
  });
});

describe("RendezvousHasher.pickIndexHex4", () => {
  it("gives the index of what rendezvousPick picks for the prefix and the counter's four hex digits, with equal and unequal weights", () => {
    const hasher = new RendezvousHasher();
    for (const weights of [[1, 1, 1, 1], [1, 2, 3, 4, 5]]) {
      const candidates = weights.map((weight, i) => ({ key: `pool#${i} https://o${i}.example`, weight }));
      for (const prefix of ["", "0123456789abcdef0123456789ab", "ünïcödé"]) {
        for (let counter = 0; counter <= 0xffff; counter += 97) {
          expect(candidates[indexHex4(hasher, candidates, prefix, counter)], `${prefix} ${counter}`).toBe(rendezvousPick(candidates, prefix + hex4(counter)));
        }
      }
    }
  });

  it("gives the first of candidates that tie exactly, as rendezvousPick does, and -1 for no candidates", () => {
    const twin = (key: string, weight: number) => [{ key, weight }, { key, weight }];
    const lists: Weighted[][] = [
      nodes({ a: 1 }),
      [...twin("pool same", 1), ...nodes({ x: 1 })],
      [...nodes({ x: 2 }), ...twin("pool same", 2)],
      [...twin("pool heavy", 3), ...nodes({ y: 1 })],
      [{ key: "pool zero", weight: 0 }, { key: "pool nan", weight: Number.NaN }],
    ];
    const hasher = new RendezvousHasher();
    for (const candidates of lists) {
      for (let counter = 0; counter <= 0xffff; counter += 251) {
        const index = indexHex4(hasher, candidates, "0123456789abcdef0123456789ab", counter);
        expect(candidates[index], `${candidates.map((c) => c.key).join(",")} ${counter}`).toBe(rendezvousPick(candidates, `0123456789abcdef0123456789ab${hex4(counter)}`));
      }
    }
    expect(indexHex4(hasher, [], "", 0)).toBe(-1);
  });
});

describe("RendezvousHasher.pickHex", () => {
  it("pickHex hashes a lowercase hex key where it lies in a text, and refuses any other character", () => {
    const hasher = new RendezvousHasher();
    const candidates = nodes({ a: 1, b: 1, c: 1 });
    for (const key of ["0123456789abcdef0123456789abcdef", "ffffffffffffffffffffffffffffffff", "5f1c0ee2b7a04d9f8e3c2a1b0d9e8f7a"]) {
      const text = `x=1; sid=${key}; y=2`;
      const at = text.indexOf(key);
      expect(hasher.pickHex(candidates, text, at, at + key.length), key).toBe(rendezvousPick(candidates, key));
    }
    for (const bad of ["0123456789ABCDEF0123456789abcdef", "0123456789abcdef0123456789abcdeg", "0123456789abcdef 123456789abcdef", "0123456789abcdef0123456789abcde\u0660"]) {
      expect(hasher.pickHex(candidates, bad, 0, bad.length), bad).toBeUndefined();
    }
  });
});

describe("RendezvousHasher", () => {
  it("picks what rendezvousPick picks whichever list it is handed, the same one again or another", () => {
    const all = nodes({ a: 1, b: 2, c: 3, d: 1 });
    const lists = [all, all.filter((n) => n.key !== "pool b"), all, nodes({ a: 1, b: 1, c: 1, d: 1 }), all.slice(0, 1), all];
    const hasher = new RendezvousHasher();
    for (const key of keys(50)) {
      for (const list of lists) {
        expect(hasher.pickByKey(list, key), key).toBe(rendezvousPick(list, key));
        expect(list[indexHex4(hasher, list, key, 0x7a)], key).toBe(rendezvousPick(list, `${key}007a`));
      }
    }
  });

  it("maps a key to the same candidate in every release, so an upgrade moves no balanced session", () => {
    // Answers of 0.1.0's rendezvousPick for these keys, recorded before its hashing was rewritten.
    const sessionKeys = ["0123456789abcdef0123456789abcdef", "ffffffffffffffffffffffffffffffff", "00000000000000000000000000000000", "5f1c0ee2b7a04d9f8e3c2a1b0d9e8f7a", "deadbeefdeadbeefdeadbeefdeadbeef", "a1b2c3d4e5f60718293a4b5c6d7e8f90"];
    const named = (weights: Record<string, number>) => Object.entries(weights).map(([name, weight]) => ({ key: `api https://${name}.test`, weight, name }));
    const hasher = new RendezvousHasher();
    const uniform = named({ a: 1, b: 1, c: 1 });
    const weighted = named({ a: 1, b: 2, c: 1, d: 3 });
    expect(sessionKeys.map((key) => hasher.pickByKey(uniform, key)?.name)).toEqual(["c", "b", "b", "a", "a", "c"]);
    expect(sessionKeys.map((key) => rendezvousPick(weighted, key)?.name)).toEqual(["b", "b", "b", "d", "a", "d"]);
  });
});
