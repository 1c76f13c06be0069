// Which health snapshot a cron run counts from, and whether it may still
// write. KV has no compare-and-swap and its reads may be a minute old: a run
// can read the state from before the previous run's write (cached at its
// location, or written at another one and not arrived yet), and a run that
// outlasts its minute overlaps the next. So each snapshot a run writes is
// stamped with the run's scheduled time, which orders runs whatever KV
// returns; the isolate that runs the cron keeps the snapshot its last run
// ended with (such isolates are often reused from one minute to the next),
// and a run counts from the newer of that and KV's, by stamp. A snapshot
// without a stamp (written before stamps existed) is older than any stamped
// one. What KV still allows is said in README (Health checking).
import type { HealthSnapshot } from "./snapshot";

/** A stamp further ahead of the run than this is no run's (a hand edit, a broken clock): it is ignored rather than stopping every run. */
export const MAX_STAMP_AHEAD_MS = 10 * 60_000;

export type RunStart =
  | {
      readonly kind: "run";
      readonly base: HealthSnapshot;
      /** "isolate": KV returned an older snapshot than the one this isolate's last run ended with. */
      readonly from: "kv" | "isolate";
      /** KV's stamp when it was too far ahead to believe: the run writes its own state over it. */
      readonly ignoredStampMs?: number;
    }
  /** A run of this minute or a later one has already counted (this run is late, or a second delivery): it neither writes nor alerts. */
  | { readonly kind: "superseded"; readonly byRunAtMs: number; readonly from: "kv" | "isolate" };

/** `stored`: what KV returned; `kept`: what this isolate's last run ended with; `runAtMs`: this run's scheduled time. */
export function runStart(stored: HealthSnapshot, kept: HealthSnapshot | undefined, runAtMs: number): RunStart {
  const ignoredStampMs = stored.runAtMs !== undefined && stored.runAtMs > runAtMs + MAX_STAMP_AHEAD_MS ? stored.runAtMs : undefined;
  const fromKv = ignoredStampMs === undefined ? stored : withStamp(stored, undefined);
  // On a tie KV's copy is the same run's write (or a second delivery's): either will do.
  const from = kept !== undefined && stampOf(kept) > stampOf(fromKv) ? "isolate" : "kv";
  const base = from === "isolate" ? kept! : fromKv;
  if (stampOf(base) >= runAtMs) return { kind: "superseded", byRunAtMs: stampOf(base), from };
  return ignoredStampMs === undefined ? { kind: "run", base, from } : { kind: "run", base, from, ignoredStampMs };
}

/** False once a later run in this isolate has ended while this one probed: its state is newer, and must not be replaced. */
export function stillNewest(kept: HealthSnapshot | undefined, runAtMs: number): boolean {
  return kept === undefined || stampOf(kept) < runAtMs;
}

/** The snapshot as the run of `runAtMs` writes it. */
export function stamped(snapshot: HealthSnapshot, runAtMs: number): HealthSnapshot {
  return withStamp(snapshot, runAtMs);
}

function withStamp(snapshot: HealthSnapshot, runAtMs: number | undefined): HealthSnapshot {
  const { origins, changes } = snapshot;
  return { v: 1, ...(runAtMs === undefined ? {} : { runAtMs }), origins, ...(changes === undefined ? {} : { changes }) };
}

function stampOf(snapshot: HealthSnapshot): number {
  return snapshot.runAtMs ?? Number.NEGATIVE_INFINITY;
}
