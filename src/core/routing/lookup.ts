// The compiled table and its host lookup: a precise host by hash, else the
// wildcard covering exactly one more label (one more hash lookup), else the
// rules without host. Shared by match and explain so both choose alike.
import type { DefaultBackend } from "../config/types";
import type { HostGroup } from "./host-group";
import { wildcardKey } from "./host";
import type { RouteMatch } from "./types";

export interface CompiledRoutes {
  readonly exactHosts: ReadonlyMap<string, HostGroup>;
  /** Keyed by the suffix after "*.". */
  readonly wildcardHosts: ReadonlyMap<string, HostGroup>;
  readonly hostless: HostGroup | undefined;
  readonly defaultBackend: DefaultBackend | undefined;
  /** The defaultBackend's answer when no host group applies at all. */
  readonly fallback: RouteMatch | undefined;
}

/** `host` must already be normalized (normalizeHost). */
export function findHostGroup(compiled: CompiledRoutes, host: string): HostGroup | undefined {
  const exact = compiled.exactHosts.get(host);
  if (exact !== undefined) return exact;
  if (compiled.wildcardHosts.size > 0) {
    const key = wildcardKey(host);
    const wildcard = key === undefined ? undefined : compiled.wildcardHosts.get(key);
    if (wildcard !== undefined) return wildcard;
  }
  return compiled.hostless;
}
