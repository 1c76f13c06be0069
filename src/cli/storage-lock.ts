// One edge-ingress command at a time on one local storage directory. workerd
// aborts (a fatal SQLITE_BUSY) when two processes open the same SQLite file at
// the same moment, so two local commands must not run their Miniflares side by
// side: the second waits for the first, as two `kubectl apply`s against one
// API server are serialized there. `wrangler dev` is not covered (it does not
// take this lock); local-kv.ts retries around it instead.
import { open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { CliError } from "./output";

const LOCK_FILE = "edge-ingress-cli.lock";
/** How long a command waits for another one before giving up. */
export const LOCK_WAIT_MS = 60_000;

export interface StorageLock {
  release(): Promise<void>;
}

/** Takes the lock of `dir` (created by O_EXCL), waiting while a live process holds it; a dead holder's lock is taken over. */
export async function lockStorage(dir: string, waitMs = LOCK_WAIT_MS): Promise<StorageLock> {
  const path = join(dir, LOCK_FILE);
  const deadline = Date.now() + waitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await holderOf(path);
    if (holder !== undefined && !isAlive(holder)) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new CliError(`local storage in ${dir} is in use by another edge-ingress command${holder === undefined ? "" : ` (pid ${holder})`}; try again when it has finished, or remove ${path} if no such command runs`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(50 * attempt, 500)));
  }
}

async function holderOf(path: string): Promise<number | undefined> {
  const text = await readFile(path, "utf8").catch(() => "");
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
