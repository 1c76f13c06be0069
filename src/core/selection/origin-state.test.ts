import { describe, expect, it } from "vitest";
import { OriginStates } from "./origin-state";

interface Box {
  n: number;
}
const table = (previous?: OriginStates<Box>) =>
  new OriginStates<Box>(() => ({ n: 0 }), (box) => ({ n: box.n }), previous);

describe("OriginStates", () => {
  it("creates a key's state once and hands back the same object", () => {
    const states = table();
    states.of("a").n = 7;
    expect(states.of("a").n).toBe(7);
    expect(states.of("b").n).toBe(0);
    expect(states.size).toBe(2);
  });

  it("answers a list's states in its order, the same array while the list is the same array", () => {
    const states = table();
    const list = [{ key: "a" }, { key: "b" }];
    const answer = states.forList(list);
    expect(answer).toEqual([states.of("a"), states.of("b")]);
    expect(answer[0]).toBe(states.of("a"));
    answer[1]!.n = 6;
    expect(states.forList(list)).toBe(answer);
    // Another list (availability changed): new answer, the same state objects.
    const fewer = [{ key: "b" }];
    expect(states.forList(fewer)).toEqual([{ n: 6 }]);
    expect(states.forList(fewer)[0]).toBe(answer[1]);
    expect(states.forList(list)).not.toBe(answer);
  });

  it("marks a list's keys as met, so a reload carries them over", () => {
    const before = table();
    before.forList([{ key: "a" }])[0]!.n = 2;
    expect(table(before).of("a").n).toBe(2);
  });

  it("carries state over a reload as a copy", () => {
    const before = table();
    before.of("a").n = 3;
    const after = table(before);
    expect(after.of("a").n).toBe(3);
    after.of("a").n = 4;
    before.of("a").n = 9;
    expect(after.of("a").n).toBe(4);
  });

  it("drops keys the outgoing version never met", () => {
    const v1 = table();
    v1.of("a").n = 1;
    v1.of("gone").n = 1;
    const v2 = table(v1);
    v2.of("a");
    const v3 = table(v2);
    expect(v3.of("gone").n).toBe(0);
    expect(v3.of("a").n).toBe(1);
  });

  it("keeps everything through a version that never picked (reloads in a row)", () => {
    const v1 = table();
    v1.of("a").n = 5;
    const v3 = table(table(table(v1)));
    expect(v3.of("a").n).toBe(5);
  });

  it("does not grow across many reloads with churning keys", () => {
    let states = table();
    for (let version = 0; version < 1000; version++) {
      states = table(states);
      states.of("stable").n++;
      states.of(`churn-${version}`).n++;
    }
    expect(states.size).toBeLessThanOrEqual(3);
    expect(states.of("stable").n).toBe(1000);
  });

  it("visits carried and met states alike", () => {
    const v1 = table();
    v1.of("a").n = 1;
    v1.of("b").n = 2;
    const v2 = table(v1);
    v2.of("a");
    let sum = 0;
    v2.forEach((box) => {
      sum += box.n;
    });
    expect(sum).toBe(3);
  });
});
