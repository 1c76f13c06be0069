// The compiled table and its host lookup: a precise host by hash, else the
// most specific wildcard (one hash lookup per label stripped; an Ingress
// wildcard covers exactly one label, a Gateway API wildcard one or more),
// else the rules without host. HTTPRoute rules live in one index per
// listener address, Ingress rules in one index for every address; a host
// pattern belongs to one model (the config refuses a pattern claimed by
// both), and the more specific of the two indexes' answers wins. Shared by
// match and explain so both choose alike.
import type { DefaultBackend } from "../config/types";
import type { RequestFacts } from "./conditions";
import type { HostGroup } from "./host-group";
import { wildcardKey } from "./host";
import type { RouteMatch } from "./types";

export interface HostIndex {
  readonly exactHosts: ReadonlyMap<string, HostGroup>;
  /** Keyed by the suffix after "*.". */
  readonly wildcardHosts: ReadonlyMap<string, HostGroup>;
  readonly hostless: HostGroup | undefined;
  /** Some wildcard covers several labels: keep stripping labels past the first. */
  readonly anyLabels: boolean;
}

export interface CompiledRoutes extends HostIndex {
  /** HTTPRoute rules by listener address ("http:80"); empty without HTTPRoutes. */
  readonly listeners: ReadonlyMap<string, HostIndex>;
  readonly defaultBackend: DefaultBackend | undefined;
  /** The defaultBackend's answer when no host group applies at all. */
  readonly fallback: RouteMatch | undefined;
}

/**
 * `host` must already be normalized (normalizeHost). The request's listener
 * is read only when some HTTPRoute names one: working it out builds a string
 * from the URL, which a config without listeners never needs.
 */
export function findHostGroup(compiled: CompiledRoutes, host: string, request: Pick<RequestFacts, "listener">): HostGroup | undefined {
  const ingress = findInIndex(compiled, host);
  if (compiled.listeners.size === 0) return ingress;
  const index = compiled.listeners.get(request.listener);
  const gateway = index === undefined ? undefined : findInIndex(index, host);
  if (gateway === undefined) return ingress;
  if (ingress === undefined) return gateway;
  return specificity(gateway) > specificity(ingress) ? gateway : ingress;
}

function findInIndex(index: HostIndex, host: string): HostGroup | undefined {
  const exact = index.exactHosts.get(host);
  if (exact !== undefined) return exact;
  if (index.wildcardHosts.size > 0) {
    // Longest suffix first: "*.b.example.com" beats "*.example.com" for a.b.example.com.
    let key = wildcardKey(host);
    for (let labels = 1; key !== undefined; labels++) {
      const wildcard = index.wildcardHosts.get(key);
      if (wildcard !== undefined && (labels === 1 || wildcard.anyLabels)) return wildcard;
      if (!index.anyLabels) break;
      key = wildcardKey(key);
    }
  }
  return index.hostless;
}

/**
 * A precise host beats any wildcard, a longer wildcard a shorter one, and any
 * host beats none. A group listener isolation added claims only what the
 * HTTPRoute group it was cut from claims (routing/isolation.ts).
 */
function specificity(group: HostGroup): number {
  if (group.isolatedBy !== undefined) return group.isolatedBy.cutFrom.length;
  if (group.kind === "exact") return 1e6;
  return group.kind === "wildcard" ? group.pattern.length : 0;
}
