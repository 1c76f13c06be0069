// Local KV (`--local`, `--persist-to`) read and written in this process through
// Miniflare, on the same on-disk state `wrangler dev` uses (wrangler-config.ts
// finds it; the Miniflare options are the ones `wrangler kv ... --local` uses),
// so `wrangler dev` sees what apply wrote on its next request. One Miniflare
// for the whole command, started on first use: a command answers in about a
// second, where a wrangler run per read or write took several.
import type { Miniflare } from "miniflare";
import { mkdir } from "node:fs/promises";
import { CliError } from "./output";
import { lockStorage, type StorageLock } from "./storage-lock";
import { localNamespace } from "./wrangler-config";
import type { Kv, KvTarget } from "./wrangler";

/** What `wrangler kv ... --local` runs: a Worker that only exists to bind the namespace. */
const SCRIPT = 'addEventListener("fetch", (e) => e.respondWith(new Response(null, { status: 404 })))';
/**
 * `wrangler dev` holds the same SQLite file: an operation may find it locked
 * for a moment. Running it again is safe: a read changes nothing, and a write
 * puts the same value (apply re-reads what it wrote anyway).
 */
const STORAGE_BUSY = /SQLITE_BUSY|database is locked|KV (?:GET|PUT) failed: 5\d\d/;
const BUSY_RETRIES = 8;

/** The part of the namespace this file uses. */
interface MiniflareKv {
  get(key: string, type: "text"): Promise<string | null>;
  get(keys: string[], type: "text"): Promise<Map<string, string | null>>;
  put(key: string, value: string): Promise<void>;
}

export interface ClosableKv extends Kv {
  /** Stops the Miniflare it started, if any. */
  close(): Promise<void>;
}

export function localKv(target: KvTarget, binding: string, cwd: string): ClosableKv {
  let started: Promise<Started> | undefined;
  const namespace = () => {
    started ??= start(target, binding, cwd);
    return started.then((s) => s.kv);
  };
  return {
    where: `local storage${target.persistTo === undefined ? "" : ` in ${target.persistTo}`}`,
    async get(key) {
      const kv = await namespace();
      return (await retried(() => kv.get(key, "text"))) ?? undefined;
    },
    async getMany(keys) {
      const kv = await namespace();
      const values = await retried(() => kv.get([...keys], "text"));
      return keys.map((key) => values.get(key) ?? undefined);
    },
    async put(key, value) {
      const kv = await namespace();
      await retried(() => kv.put(key, value));
    },
    async close() {
      const running = started;
      started = undefined;
      if (running) await running.then(({ mf, lock }) => mf.dispose().finally(() => lock.release()), () => undefined);
    },
  };
}

/**
 * workerd opens the namespace's SQLite file as it starts, and aborts when
 * another process (`wrangler dev`, a second command) holds the lock at that
 * moment ("database is locked: SQLITE_BUSY", reported to us only as "failed
 * to start"). Starting again once the lock is released is safe: nothing was
 * read or written yet.
 */
const RUNTIME_START_FAILED = /Workers runtime failed to start/;
const START_RETRIES = 6;

interface Started {
  readonly mf: Miniflare;
  readonly kv: MiniflareKv;
  readonly lock: StorageLock;
}

async function start(target: KvTarget, binding: string, cwd: string): Promise<Started> {
  const { id, persistRoot } = await localNamespace(target, binding, cwd);
  // Loaded only here: validate and test never pay for it.
  const { Miniflare } = await import("miniflare");
  try {
    await mkdir(persistRoot, { recursive: true });
  } catch (error) {
    // A path that names a file, or a directory the user may not write: the user's to fix, not a crash.
    throw new CliError(`cannot use ${persistRoot} for local storage: ${(error as Error).message}; give --persist-to a directory edge-ingress may write`);
  }
  const lock = await lockStorage(persistRoot);
  for (let attempt = 1; ; attempt++) {
    const mf = new Miniflare({ script: SCRIPT, defaultPersistRoot: persistRoot, kvNamespaces: { NAMESPACE: id } });
    try {
      return { mf, lock, kv: (await mf.getKVNamespace("NAMESPACE")) as unknown as MiniflareKv };
    } catch (error) {
      await mf.dispose().catch(() => undefined);
      const message = (error as Error).message;
      if (!RUNTIME_START_FAILED.test(message) || attempt > START_RETRIES) {
        await lock.release();
        throw new CliError(`cannot open local storage in ${persistRoot}: ${message}`);
      }
      await backOff(attempt);
    }
  }
}

/** Random back-off, so two waiting commands do not collide again. */
function backOff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.random() * 400));
}

async function retried<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const message = (error as Error).message;
      if (!STORAGE_BUSY.test(message) || attempt > BUSY_RETRIES) throw new CliError(`local storage: ${message}`);
      await backOff(attempt);
    }
  }
}
