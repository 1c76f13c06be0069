// The isolate's view of KV: the compiled config and the health snapshot,
// read together and cached in the isolate. In steady state a
// request reads no KV at all: once the cache is older than the TTL, the
// request is served from it and a refresh runs in the background
// (ctx.waitUntil), one at a time. A value that fails to parse never replaces
// the last good one; it is logged once per distinct value. An isolate with no
// good config of its own (a cold start) serves the newest valid version of the
// history that was made active instead, as chooseServedConfig decides: the
// history key (and the version key, which says what was made active) is read
// only then, once per distinct bad value.
import { readFastStored, verifiedDigest } from "../core/config/fast-stored";
import { readVersionKey } from "../core/config/published";
import { chooseServedConfig, skippedVersions } from "../core/config/served";
import { KV_KEYS, parseStoredConfig, type ValidStored } from "../core/config/stored";
import { emptySnapshot, decodeHealthSnapshot, type HealthSnapshot } from "../core/health";
import { compileRuntime, type Runtime } from "../core/runtime";
import type { Logger } from "../log";

/** The history could not be read: judge the same active value again on the next refresh. */
const RETRY = Symbol("retry");

/** Every how many refreshes the active value is read even though the version key says it is unchanged. */
export const FULL_READ_EVERY = 10;

export interface View {
  /** Undefined until a valid config has been read. */
  readonly runtime: Runtime | undefined;
  readonly health: HealthSnapshot;
}

export interface StoreDeps {
  readonly random: () => number;
  readonly nowMs: () => number;
  readonly log: Logger;
}

export class ConfigStore {
  private view: View = { runtime: undefined, health: emptySnapshot };
  private loaded = false;
  private loadedAtMs = 0;
  /** The bytes of the last active value judged; null when there was none. */
  private judgedConfig: Uint8Array | null = null;
  private rawHealth: string | null = null;
  /** The digest of the active value served, when it came from `apply` (its prepared form); else undefined. */
  private servedDigest: string | undefined;
  private refreshes = 0;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly deps: StoreDeps) {}

  /**
   * The current view. Waits for KV only on the first request of an isolate
   * (or always when ttlMs is 0); afterwards a stale view is served while it
   * refreshes in the background.
   */
  async current(kv: KVNamespace, ttlMs: number, waitUntil: (p: Promise<unknown>) => void): Promise<View> {
    if (!this.loaded || ttlMs === 0) {
      await this.refresh(kv);
    } else if (this.deps.nowMs() - this.loadedAtMs >= ttlMs) {
      // With nothing to serve there is no point answering from the cache.
      if (this.view.runtime === undefined) await this.refresh(kv);
      else waitUntil(this.refresh(kv));
    }
    return this.view;
  }

  /** Reads both keys once; concurrent callers share the same read. */
  refresh(kv: KVNamespace): Promise<void> {
    this.refreshing ??= this.load(kv).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async load(kv: KVNamespace): Promise<void> {
    let configBytes: ArrayBuffer | null | undefined;
    let healthText: string | null;
    try {
      ({ configBytes, healthText } = await this.read(kv));
    } catch (error) {
      this.deps.log.error({ event: "kv.read_failed", message: (error as Error).message });
      this.markLoaded();
      return;
    }
    let { runtime, health } = this.view;
    const bytes = configBytes ? new Uint8Array(configBytes) : configBytes;
    if (bytes !== undefined && !sameBytes(bytes, this.judgedConfig)) {
      if (bytes === null) this.servedDigest = undefined;
      const next = bytes === null ? undefined : await this.runtimeFor(kv, await ActiveValue.of(bytes));
      // Not remembered as judged when the history could not be read: the next refresh tries again.
      if (next !== RETRY) {
        this.judgedConfig = bytes;
        runtime = next ?? runtime;
      }
    }
    if (healthText !== this.rawHealth) {
      this.rawHealth = healthText;
      health = healthText === null ? emptySnapshot : (this.parseHealth(healthText) ?? health);
    }
    this.view = { runtime, health };
    this.markLoaded();
  }

  /**
   * The active value (undefined: unchanged, so not read) and the health
   * state. An isolate serving a value `apply` wrote reads the version key
   * first, and the active value only when that names another digest.
   */
  private async read(kv: KVNamespace): Promise<{ configBytes: ArrayBuffer | null | undefined; healthText: string | null }> {
    const versionFirst = this.servedDigest !== undefined && ++this.refreshes % FULL_READ_EVERY !== 0;
    if (!versionFirst) {
      // Two gets rather than one bulk get: workerd returns a bulk get's values
      // inside one JSON document, and decoding a large value from it costs
      // the isolate several times a plain get of it (measured in local
      // workerd: about 150 against 60 ms of CPU for a 16 MiB value). The
      // active value as bytes: see ActiveValue.
      const [configBytes, healthText] = await Promise.all([kv.get(KV_KEYS.config, "arrayBuffer"), kv.get(KV_KEYS.health, "text")]);
      return { configBytes, healthText };
    }
    const first = await kv.get([KV_KEYS.version, KV_KEYS.health], "text");
    const healthText = first.get(KV_KEYS.health) ?? null;
    if (readVersionKey(first.get(KV_KEYS.version))?.digest === this.servedDigest) return { configBytes: undefined, healthText };
    return { configBytes: await kv.get(KV_KEYS.config, "arrayBuffer"), healthText };
  }

  /** The runtime for a new active value: undefined keeps the current one. */
  private async runtimeFor(kv: KVNamespace, value: ActiveValue): Promise<Runtime | undefined | typeof RETRY> {
    const fast = value.digest === undefined ? undefined : await readFastStored(value.bytes, value.digest);
    const active = fast ?? parseStoredConfig(value.text());
    if (active.ok) {
      this.servedDigest = fast?.digest;
      if (active.version === this.view.runtime?.version) return undefined;
      this.deps.log.info({ event: "config.loaded", version: active.version, previousVersion: this.view.runtime?.version ?? null, read: fast ? "prepared" : "validated" });
      return this.compile(active);
    }
    // What is served was not read from this value: the next refresh reads the active value again.
    this.servedDigest = undefined;
    const problems = active.problems.map((p) => `${p.path}: ${p.message}`);
    const serving = this.view.runtime;
    // A warm isolate keeps what it serves (see README, "Config loading and KV").
    if (serving) {
      this.deps.log.error({ event: "config.invalid", version: active.version ?? null, servingVersion: serving.version, problems });
      return undefined;
    }
    let historyText: string | null;
    let versionText: string | null;
    try {
      // Two gets, not one bulk get: the history holds several whole configs (see read()).
      [historyText, versionText] = await Promise.all([kv.get(KV_KEYS.history, "text"), kv.get(KV_KEYS.version, "text")]);
    } catch (error) {
      this.deps.log.error({ event: "kv.read_failed", key: `${KV_KEYS.history}, ${KV_KEYS.version}`, message: (error as Error).message });
      return RETRY;
    }
    const choice = chooseServedConfig(active, historyText, readVersionKey(versionText)?.version);
    // Versions an apply or rollback wrote to the history but did not make active (as far as KV says): not served, and said so.
    const skipped = skippedVersions(choice);
    if (choice.source === "history") {
      const { version, appliedAt } = choice.served;
      this.deps.log.error({ event: "config.fallback", version: active.version ?? null, problems, servingVersion: version, servingAppliedAt: appliedAt, from: KV_KEYS.history, ...skipped });
      return this.compile(choice.served);
    }
    const historyVersions = choice.source === "none" ? choice.historyVersions : [];
    this.deps.log.error({ event: "config.invalid", version: active.version ?? null, problems, servingVersion: null, historyTried: true, historyVersions, ...skipped });
    return undefined;
  }

  private compile(stored: ValidStored): Runtime {
    return compileRuntime(stored.version, stored.config, { random: this.deps.random }, this.view.runtime, stored.appliedAt);
  }

  private parseHealth(text: string): HealthSnapshot | undefined {
    const snapshot = decodeHealthSnapshot(text);
    if (!snapshot) this.deps.log.error({ event: "health.invalid", message: "health state in KV is malformed; keeping the last good one" });
    return snapshot;
  }

  private markLoaded(): void {
    this.loaded = true;
    this.loadedAtMs = this.deps.nowMs();
  }
}

/**
 * Whether a value read again is the one judged last, compared natively: the
 * periodic full read of an unchanged value then decodes and hashes nothing.
 */
function sameBytes(bytes: Uint8Array | null, judged: Uint8Array | null): boolean {
  if (bytes === null || judged === null) return bytes === judged;
  return bytes.byteLength === judged.byteLength && crypto.subtle.timingSafeEqual(bytes, judged);
}

/**
 * The active value, read as bytes. One `apply` wrote has its digest checked
 * over its bytes (native) and is never decoded whole: only its prepared form
 * is (fast-stored.ts). Any other value is decoded to text once, as the full
 * path reads it. Reading the value as text and encoding it again for the
 * digest cost a new isolate more than the digest (BENCHMARKS.md).
 */
class ActiveValue {
  private constructor(
    readonly bytes: Uint8Array,
    /** Verified: the value is the one `apply` wrote. */
    readonly digest: string | undefined,
  ) {}

  static async of(bytes: Uint8Array): Promise<ActiveValue> {
    return new ActiveValue(bytes, await verifiedDigest(bytes));
  }

  /** The value decoded whole, for the full path (called at most once per value). */
  text(): string {
    return new TextDecoder().decode(this.bytes);
  }
}
