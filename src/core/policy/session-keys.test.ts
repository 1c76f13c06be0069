import { describe, expect, it } from "vitest";
import { mulberry32 } from "../selection/test-helpers";
import { rendezvousPick, type Weighted } from "./consistent-hash";
import { MAX_SESSION_KEY_TRIES, SessionKeyMaker } from "./session-keys";

const nodes = (weights: Record<string, number>): Weighted[] => Object.entries(weights).map(([key, weight]) => ({ key: `pool ${key}`, weight }));
const KEY = /^[0-9a-f]{32}$/;

describe("SessionKeyMaker", () => {
  it("makes keys that lead to the chosen candidate, each handed out once, with equal and unequal weights", () => {
    for (const list of [nodes({ a: 1, b: 1, c: 1 }), nodes({ a: 1, b: 5, c: 3, d: 2 })]) {
      const maker = new SessionKeyMaker(mulberry32(1));
      const choose = mulberry32(2);
      const seen = new Set<string>();
      for (let i = 0; i < 3000; i++) {
        const target = Math.floor(choose() * list.length);
        const key = maker.newKey(list, target);
        expect(key).toMatch(KEY);
        expect(maker.keyLeadsTo).toBe(target);
        expect(rendezvousPick(list, key), key).toBe(list[target]);
        expect(seen.has(key), key).toBe(false);
        seen.add(key);
      }
    }
  });

  it("hands a try that led elsewhere to that candidate's next session before trying new keys", () => {
    const list = nodes({ a: 1, b: 1, c: 1, d: 1 });
    const maker = new SessionKeyMaker(mulberry32(3));
    const counter = (key: string) => Number.parseInt(key.slice(28), 16);
    // Sessions for a alone: the tries that led to b, c or d are kept, one each.
    let last = -1;
    for (let i = 0; i < 20; i++) last = Math.max(last, counter(maker.newKey(list, 0)));
    for (const target of [1, 2, 3]) {
      const key = maker.newKey(list, target);
      expect(rendezvousPick(list, key)).toBe(list[target]);
      expect(counter(key), `kept for #${target}`).toBeLessThan(last);
    }
  });

  it("drops kept keys when the list of candidates changes, so every key leads where it was made for", () => {
    const all = nodes({ a: 1, b: 2, c: 3 });
    const withoutB = all.filter((n) => n.key !== "pool b");
    const maker = new SessionKeyMaker(mulberry32(4));
    const choose = mulberry32(5);
    for (let i = 0; i < 500; i++) {
      const list = i % 3 === 0 ? withoutB : all;
      const target = Math.floor(choose() * list.length);
      const key = maker.newKey(list, target);
      expect(rendezvousPick(list, key), `${i} ${key}`).toBe(list[target]);
    }
  });

  it("draws a new random prefix once its 65,536 keys are handed out", () => {
    const list = nodes({ only: 1 });
    const maker = new SessionKeyMaker(mulberry32(6));
    const prefixes = new Map<string, number>();
    for (let i = 0; i < 0x10000 + 10; i++) {
      const prefix = maker.newKey(list, 0).slice(0, 28);
      prefixes.set(prefix, (prefixes.get(prefix) ?? 0) + 1);
    }
    expect([...prefixes.values()]).toEqual([0x10000, 10]);
  });

  it("sends the session where the last key leads when the chosen candidate is out of reach within the bound", () => {
    const list = [{ key: "pool tiny", weight: 1e-12 }, { key: "pool huge", weight: 1 }];
    const maker = new SessionKeyMaker(mulberry32(7));
    const key = maker.newKey(list, 0);
    expect(maker.keyLeadsTo).toBe(1);
    expect(rendezvousPick(list, key)).toBe(list[1]);
    // The bound was reached: the key's counter is the last of MAX_SESSION_KEY_TRIES tries.
    expect(Number.parseInt(key.slice(28), 16)).toBe(MAX_SESSION_KEY_TRIES - 1);
  });

  it("takes any key, and says where it leads, when no candidate was chosen", () => {
    const list = nodes({ a: 1, b: 1 });
    const maker = new SessionKeyMaker(mulberry32(8));
    const key = maker.newKey(list, -1);
    expect(key).toMatch(KEY);
    expect(rendezvousPick(list, key)).toBe(list[maker.keyLeadsTo]);
  });

  it("treats a random source outside [0, 1) as 0 rather than writing a malformed key", () => {
    for (const broken of [Number.NaN, 1, -0.5, Number.POSITIVE_INFINITY]) {
      const key = new SessionKeyMaker(() => broken).newKey(nodes({ a: 1 }), 0);
      expect(key, String(broken)).toBe(`${"0".repeat(28)}0000`);
    }
  });
});
