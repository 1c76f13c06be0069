// One edge-ingress command at a time on one local storage directory. workerd
// aborts (a fatal SQLITE_BUSY) when two processes open the same SQLite file at
// the same moment, so two local commands must not run their Miniflares side by
// side: the second waits for the first, as two `kubectl apply`s against one
// API server are serialized there. `wrangler dev` is not covered (it does not
// take this lock); local-kv.ts retries around it instead.
import { randomUUID } from "node:crypto";
import { open, readFile, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { CliError } from "./output";

const LOCK_FILE = "edge-ingress-cli.lock";
/** How long a command waits for another one before giving up. */
export const LOCK_WAIT_MS = 60_000;

export interface StorageLock {
  release(): Promise<void>;
}

/**
 * Takes the lock of `dir` (created by O_EXCL), waiting while a live process
 * holds it. A dead holder's lock is taken over under a second, short-lived
 * lock: two commands that both found it dead would otherwise each remove it,
 * the second removing the lock the first had just made, and both would run.
 */
export async function lockStorage(dir: string, waitMs = LOCK_WAIT_MS, pollMs = 50): Promise<StorageLock> {
  const path = join(dir, LOCK_FILE);
  // Ours alone, even among the locks of one process: release() removes only this one.
  const token = `${process.pid} ${randomUUID()}`;
  const deadline = Date.now() + waitMs;
  for (let attempt = 1; ; attempt++) {
    if (await create(path, token)) return { release: () => removeIf(path, token) };
    const holder = await holderOf(path);
    if (holder !== undefined && !isAlive(holder.pid)) {
      if (await takeOver(path, holder.text)) continue;
    }
    if (Date.now() > deadline) {
      throw new CliError(`local storage in ${dir} is in use by another edge-ingress command${holder === undefined ? "" : ` (pid ${holder.pid})`}; try again when it has finished, or remove ${path} if no such command runs`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs * attempt, 10 * pollMs)));
  }
}

/** Creates `path` holding `text`; false when it exists. */
async function create(path: string, text: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(path, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * Removes the lock at `path` if it still holds `seen` (a dead holder's),
 * under the takeover lock; false when another command is taking it over.
 * A takeover lock left by a command that died in those few milliseconds is
 * itself taken over when its holder is dead.
 */
async function takeOver(path: string, seen: string): Promise<boolean> {
  const guard = `${path}.takeover`;
  const token = `${process.pid} ${randomUUID()}`;
  if (!(await create(guard, token))) {
    const other = await holderOf(guard);
    if (other !== undefined && !isAlive(other.pid)) await removeIf(guard, other.text);
    return false;
  }
  try {
    await removeIf(path, seen);
    return true;
  } finally {
    await removeIf(guard, token);
  }
}

/** Removes `path` if it holds exactly `text`. */
async function removeIf(path: string, text: string): Promise<void> {
  const now = await readFile(path, "utf8").catch(() => undefined);
  if (now === text) await rm(path, { force: true });
}

async function holderOf(path: string): Promise<{ pid: number; text: string } | undefined> {
  const text = await readFile(path, "utf8").catch(() => "");
  const pid = Number(text.trim().split(" ")[0]);
  return Number.isInteger(pid) && pid > 0 ? { pid, text } : undefined;
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
