// An in-memory Kv for the commands' unit tests. Views of one store share its
// data; each view has its own `before` hook, called before every read and
// write, which can run another command at that exact point or make the
// operation fail: interleavings are deterministic, not timing-dependent.
import type { KvDeps } from "./kv-state";
import type { Io } from "./output";
import type { Kv } from "./wrangler";

export type KvOp = { readonly kind: "get"; readonly key: string } | { readonly kind: "put"; readonly key: string; readonly value: string };

export class MemoryKv implements Kv {
  readonly where = "memory";
  opened = 0;
  before: ((op: KvOp) => Promise<void> | void) | undefined;

  constructor(
    readonly data = new Map<string, string>(),
    /** Every write of every view, in order. */
    readonly writes: { key: string; value: string }[] = [],
  ) {}

  /** Another view of the same store, with its own hook. */
  view(): MemoryKv {
    return new MemoryKv(this.data, this.writes);
  }

  async get(key: string): Promise<string | undefined> {
    await this.before?.({ kind: "get", key });
    return this.data.get(key);
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    const values: (string | undefined)[] = [];
    for (const key of keys) values.push(await this.get(key));
    return values;
  }

  async put(key: string, value: string): Promise<void> {
    await this.before?.({ kind: "put", key, value });
    this.writes.push({ key, value });
    this.data.set(key, value);
  }
}

/** An Io that keeps what a command prints. */
export function captureIo(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), cwd: "/", env: {} };
}

let clockMs = Date.parse("2026-11-27T06:00:00Z");

/** Deps that open `kv` (counting it) with a clock a minute further on each call. */
export function depsFor(kv: MemoryKv): KvDeps {
  return {
    open: () => {
      kv.opened++;
      return kv;
    },
    nowMs: () => (clockMs += 60_000),
  };
}
