// One edge-ingress command at a time on one local storage directory. workerd
// aborts (a fatal SQLITE_BUSY) when two processes open the same SQLite file at
// the same moment, so two local commands must not run their Miniflares side by
// side: the second waits for the first, as two `kubectl apply`s against one
// API server are serialized there. `wrangler dev` is not covered (it does not
// take this lock); local-kv.ts retries around it instead.
import { createHash, randomUUID } from "node:crypto";
import { open, readFile, rm, stat, type FileHandle } from "node:fs/promises";
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
 * holds it. A dead holder's lock is taken over under a second lock named
 * after that holder: two commands that both found it dead would otherwise
 * each remove it, the second removing the lock the first had just made, and
 * both would run. A lock file left empty (its maker died before writing its
 * pid) is taken over once it is older than EMPTY_LOCK_STALE_MS.
 */
export async function lockStorage(dir: string, waitMs = LOCK_WAIT_MS, pollMs = 50): Promise<StorageLock> {
  const path = join(dir, LOCK_FILE);
  // Ours alone, even among the locks of one process: release() removes only this one.
  const token = `${process.pid} ${randomUUID()}`;
  const deadline = Date.now() + waitMs;
  for (let attempt = 1; ; attempt++) {
    if (await create(path, token)) return { release: () => removeIf(path, token) };
    const holder = await holderOf(path);
    if (holder !== undefined && (holder.pid === undefined ? await olderThan(path, EMPTY_LOCK_STALE_MS) : !isAlive(holder.pid))) {
      if (await takeOver(path, holder.text)) continue;
    }
    if (Date.now() > deadline) {
      const who = holder?.pid === undefined ? "" : ` (pid ${holder.pid})`;
      throw new CliError(
        `local storage in ${dir} is in use by another edge-ingress command${who}; try again when it has finished, or remove ${path} (and any ${LOCK_FILE}.takeover-* beside it) if no such command runs`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs * attempt, 10 * pollMs)));
  }
}

/** A lock file still empty after this long was left by a command that died before writing its pid. */
const EMPTY_LOCK_STALE_MS = 5_000;

/** Creates `path` holding `text`; false when it exists. A file whose text could not be written is removed. */
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
  } catch (error) {
    await handle.close();
    await rm(path, { force: true });
    throw error;
  }
  await handle.close();
  return true;
}

/**
 * Removes the lock at `path` if it still holds `seen` (a dead holder's),
 * under a takeover lock named after that holder; false when another command
 * is taking it over. Each holder's text is unique (a random token), so the
 * takeover lock of one dead holder is never confused with another's: once
 * the dead lock is gone, a late taker finds other text and removes nothing.
 * A taker that dies in those few milliseconds leaves its takeover lock, and
 * the error message names it.
 */
async function takeOver(path: string, seen: string): Promise<boolean> {
  const guard = `${path}.takeover-${createHash("sha256").update(seen).digest("hex").slice(0, 16)}`;
  const token = `${process.pid} ${randomUUID()}`;
  if (!(await create(guard, token))) return false;
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

/** The lock's text and its holder's pid (undefined while the file is empty); undefined when it cannot be read. */
async function holderOf(path: string): Promise<{ pid: number | undefined; text: string } | undefined> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  if (text.trim() === "") return { pid: undefined, text };
  const pid = Number(text.trim().split(" ")[0]);
  return Number.isInteger(pid) && pid > 0 ? { pid, text } : undefined;
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  const stats = await stat(path).catch(() => undefined);
  return stats !== undefined && Date.now() - stats.mtimeMs > ms;
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
