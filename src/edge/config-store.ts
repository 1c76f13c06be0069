// The isolate's view of KV: the compiled config and the health snapshot,
// read together in one bulk get and cached in the isolate. In steady state a
// request reads no KV at all: once the cache is older than the TTL, the
// request is served from it and a refresh runs in the background
// (ctx.waitUntil), one at a time. A value that fails to parse never replaces
// the last good one; it is logged once per distinct value.
import { KV_KEYS, parseStoredConfig } from "../core/config/stored";
import { emptySnapshot, decodeHealthSnapshot, type HealthSnapshot } from "../core/health";
import { compileRuntime, type Runtime } from "../core/runtime";
import type { Logger } from "../log";

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
  private rawConfig: string | null = null;
  private rawHealth: string | null = null;
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
    let values: Map<string, string | null>;
    try {
      values = await kv.get([KV_KEYS.config, KV_KEYS.health], "text");
    } catch (error) {
      this.deps.log.error({ event: "kv.read_failed", message: (error as Error).message });
      this.markLoaded();
      return;
    }
    let { runtime, health } = this.view;
    const configText = values.get(KV_KEYS.config) ?? null;
    if (configText !== this.rawConfig) {
      this.rawConfig = configText;
      if (configText !== null) runtime = this.compile(configText) ?? runtime;
    }
    const healthText = values.get(KV_KEYS.health) ?? null;
    if (healthText !== this.rawHealth) {
      this.rawHealth = healthText;
      health = healthText === null ? emptySnapshot : (this.parseHealth(healthText) ?? health);
    }
    this.view = { runtime, health };
    this.markLoaded();
  }

  private compile(text: string): Runtime | undefined {
    const parsed = parseStoredConfig(text);
    if (!parsed.ok) {
      this.deps.log.error({
        event: "config.invalid",
        version: parsed.version,
        servingVersion: this.view.runtime?.version ?? null,
        problems: parsed.problems.map((p) => `${p.path}: ${p.message}`),
      });
      return undefined;
    }
    if (parsed.version === this.view.runtime?.version) return this.view.runtime;
    const runtime = compileRuntime(parsed.version, parsed.config, { random: this.deps.random }, this.view.runtime, parsed.appliedAt);
    this.deps.log.info({ event: "config.loaded", version: parsed.version, previousVersion: this.view.runtime?.version ?? null });
    return runtime;
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
