import { describe, expect, it } from "vitest";
import { mapBounded } from "./bounded";

/** A task that settles only when the test says so, to control the order of completion. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("mapBounded", () => {
  it("keeps the items' order whatever the order of completion", async () => {
    const gates = [deferred(), deferred(), deferred()];
    const mapping = mapBounded([0, 1, 2], 3, async (n) => {
      await gates[n]!.promise;
      return n * 10;
    });
    gates[2]!.resolve();
    gates[0]!.resolve();
    gates[1]!.resolve();
    expect(await mapping).toEqual([0, 10, 20]);
  });

  it("starts the next item as soon as any call settles, never more than the limit at once", async () => {
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    const mapping = mapBounded([0, 1, 2, 3, 4], 2, async (n) => {
      started.push(n);
      await gates[n]!.promise;
    });
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    // Item 0 stays stuck; the other worker carries on through the rest.
    gates[1]!.resolve();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates[2]!.resolve();
    gates[3]!.resolve();
    gates[4]!.resolve();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2, 3, 4]);
    gates[0]!.resolve();
    await mapping;
  });

  it("handles an empty list and a limit above the item count", async () => {
    expect(await mapBounded([], 6, async () => 1)).toEqual([]);
    expect(await mapBounded([1, 2], 6, async (n) => n + 1)).toEqual([2, 3]);
  });
});
