// Health: active probes from the cron run, the snapshot kept in KV, passive
// ejection in the isolate, the availability decision the request path makes,
// and the order of cron runs (stamp).
export { probe, statusExpected, MAX_PROBE_BODY_BYTES, type ProbeResult } from "./probe";
export { nextRecord, type HealthRecord } from "./state";
export { emptySnapshot, decodeHealthSnapshot, parseHealthSnapshot, snapshotsEqual, recordsEqual, isDown, describeRecord, type HealthSnapshot } from "./snapshot";
export { runHealthChecks, probeWindow, DEFAULT_CONCURRENCY, DEFAULT_MAX_PROBES, type HealthCheckDeps, type HealthRun, type ProbeReport, type HeaderProblem } from "./run";
export { resolveProbeHeaders, type SecretLookup } from "./probe-headers";
export { PassiveEjector } from "./ejection";
export { availableOrigins, type Availability } from "./availability";
export { runStart, stillNewest, stamped, MAX_STAMP_AHEAD_MS, type RunStart } from "./stamp";
export { healthTransitions, keepChanges, splitOriginKey, MAX_KEPT_CHANGES, type HealthChange } from "./transitions";
