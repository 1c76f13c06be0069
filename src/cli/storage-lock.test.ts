// The local storage lock: one command at a time, a dead holder's lock taken
// over, and a clear message when another command keeps it too long.
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lockStorage } from "./storage-lock";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "edge-ingress-lock-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("lockStorage", () => {
  it("makes a second command wait until the first releases the lock", async () => {
    const order: string[] = [];
    const first = await lockStorage(dir);
    const second = lockStorage(dir).then((lock) => {
      order.push("second took it");
      return lock;
    });
    // The second is still waiting however long the first holds the lock.
    await new Promise((resolve) => setTimeout(resolve, 200));
    order.push("first releases");
    await first.release();
    await (await second).release();
    expect(order).toEqual(["first releases", "second took it"]);
  });

  it("takes over the lock of a process that no longer exists", async () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    await writeFile(join(dir, "edge-ingress-cli.lock"), String(gone));
    const lock = await lockStorage(dir, 1_000);
    expect(await readFile(join(dir, "edge-ingress-cli.lock"), "utf8")).toMatch(new RegExp(`^${process.pid} `));
    await lock.release();
  });

  it("lets one command at a time take over a dead holder's lock, however many try at once", async () => {
    // A race: each round, several commands find the same dead holder at once.
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    let inside = 0;
    let most = 0;
    const one = async () => {
      const lock = await lockStorage(dir, 10_000, 2);
      inside++;
      most = Math.max(most, inside);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inside--;
      await lock.release();
    };
    for (let round = 0; round < 40; round++) {
      await writeFile(join(dir, "edge-ingress-cli.lock"), String(gone));
      await Promise.all(Array.from({ length: 6 }, one));
    }
    expect(most).toBe(1);
  }, 30_000);

  it("takes over a lock file left empty by a command that died before writing its pid, once it is old", async () => {
    const path = join(dir, "edge-ingress-cli.lock");
    await writeFile(path, "");
    // A young empty file is a command writing its pid right now: it is waited for.
    await expect(lockStorage(dir, 100, 5)).rejects.toThrow("is in use by another edge-ingress command;");
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    const lock = await lockStorage(dir, 1_000, 5);
    expect(await readFile(path, "utf8")).toMatch(new RegExp(`^${process.pid} `));
    await lock.release();
  });

  it("releases only its own lock", async () => {
    const path = join(dir, "edge-ingress-cli.lock");
    const lock = await lockStorage(dir);
    // Taken over meanwhile (this command was thought dead): the other command's lock stays.
    await writeFile(path, "424242 someone-else");
    await lock.release();
    expect(await readFile(path, "utf8")).toBe("424242 someone-else");
  });

  it("gives up with a message naming the holder when it waited too long", async () => {
    const held = await lockStorage(dir);
    await expect(lockStorage(dir, 100)).rejects.toThrow(`is in use by another edge-ingress command (pid ${process.pid})`);
    await held.release();
  });
});
