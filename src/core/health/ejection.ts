// Passive ejection, per isolate: an origin that fails live traffic
// `consecutiveFailures` times in a row is skipped for `cooldownMs`. The cron's
// active checks run once a minute at best; this reacts within a few requests,
// but only in the isolate that saw the failures (isolates share no memory).
//
// After the cooldown the origin is back with its failure count reset, as in
// Envoy's outlier detection (consecutive_5xx, base_ejection_time): it needs
// another full run of failures to be ejected again, so a recovered origin is
// not re-ejected by a single unlucky request. Failures recorded while ejected
// (requests sent before the ejection, or sent anyway because it was the last
// origin available) neither count nor extend the cooldown.
import type { Origin, PassiveEjectionSpec } from "../config/types";

interface Entry {
  failures: number;
  /** 0 when not ejected. */
  ejectedUntilMs: number;
}

/** Cap on tracked origins, so a stream of failing, since-removed origins cannot grow the map without end. */
const MAX_ENTRIES = 4096;

export class PassiveEjector {
  /** Only origins with a failure since their last success; a success deletes the entry. */
  private readonly entries = new Map<string, Entry>();
  /** Latest end of any ejection: past it nothing is ejected, and availability skips every lookup. */
  private lastEjectionEndMs = 0;

  /** `onEject` hears of each ejection as it happens (the status page counts them); it must not throw. */
  constructor(
    private readonly nowMs: () => number,
    private readonly onEject?: (key: string, untilMs: number) => void,
  ) {}

  recordFailure(origin: Origin, spec: PassiveEjectionSpec): void {
    const now = this.nowMs();
    let entry = this.entries.get(origin.key);
    if (!entry) {
      if (this.entries.size >= MAX_ENTRIES) this.evictOldest();
      entry = { failures: 0, ejectedUntilMs: 0 };
      this.entries.set(origin.key, entry);
    } else if (entry.ejectedUntilMs !== 0) {
      if (now < entry.ejectedUntilMs) return;
      entry.failures = 0; // cooldown over: back with a fresh count
      entry.ejectedUntilMs = 0;
    }
    entry.failures++;
    if (entry.failures >= spec.consecutiveFailures) {
      entry.ejectedUntilMs = now + spec.cooldownMs;
      if (entry.ejectedUntilMs > this.lastEjectionEndMs) this.lastEjectionEndMs = entry.ejectedUntilMs;
      this.onEject?.(origin.key, entry.ejectedUntilMs);
    }
  }

  recordSuccess(origin: Origin): void {
    if (this.entries.size !== 0) this.entries.delete(origin.key);
  }

  isEjected(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry || entry.ejectedUntilMs === 0) return false;
    if (this.nowMs() < entry.ejectedUntilMs) return true;
    this.entries.delete(key); // cooldown over: forget it, failure count reset
    return false;
  }

  /** False when no origin can be ejected right now; one clock read, no lookups. */
  anyEjected(): boolean {
    return this.lastEjectionEndMs !== 0 && this.nowMs() < this.lastEjectionEndMs;
  }

  /** Number of tracked origins (failed since their last success), for tests and diagnostics. */
  get size(): number {
    return this.entries.size;
  }

  private evictOldest(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }
}
