// Listener isolation in the compiled table. The config already keeps a
// route off a hostname that a more specific listener owns whole
// (gateway/hostnames.ts isolatingListener); what is left is a route whose
// hostname covers only part of such a listener's hosts: a route on
// "*.example.com" through the "*.example.com" listener must not serve
// bar.foo.example.com when a "*.foo.example.com" listener exists, even with
// no route attached to that listener. So each listener hostname that a less
// specific host group of its address covers gets a group of its own, empty
// when no route serves it there: being more specific, it is the one the
// lookup chooses (lookup.ts), and a request for its hosts gets the Gateway
// API's 404. The groups are added when the table is compiled, from the
// config's listeners, so the routes and their stored form stay as they are.
import type { Listener } from "../config/types";
import { listenerName } from "../gateway/listeners";
import { wildcardKey } from "./host";
import type { GroupSource } from "./lazy-groups";

/** A listener's hosts that no route attached to it serves. */
export class IsolatedHosts {
  constructor(
    /** The listener, as warnings name it: "ns/gateway listener name (hostname, address)". */
    readonly listener: string,
    /**
     * The HTTPRoute group it was cut from, "*.suffix" or "" (no host): what
     * HTTPRoutes claim of these hosts, when Ingress rules claim them too
     * (lookup.ts), so that a listener without routes takes no host from a
     * more specific Ingress rule.
     */
    readonly cutFrom: string,
  ) {}
}

/** A host grouping's sources, as isolate() reads and extends them. */
export interface IsolationSources<T> {
  readonly exact: GroupSource<T>;
  readonly wildcard: GroupSource<T>;
  readonly hostless: T | undefined;
}

/**
 * The sources with an IsolatedHosts group for each listener hostname of
 * `listeners` (those of one address) that has no group of its own while a
 * less specific group covers it. Returns `sources` itself when none is needed.
 */
export function isolate<T>(sources: IsolationSources<T>, listeners: readonly Listener[]): IsolationSources<T | IsolatedHosts> {
  const exact = new Map<string, IsolatedHosts>();
  const wildcard = new Map<string, IsolatedHosts>();
  for (const l of listeners) {
    const host = l.hostname;
    if (host === undefined) continue;
    const isWildcard = host.startsWith("*.");
    const key = isWildcard ? host.slice(2) : host;
    if ((isWildcard ? sources.wildcard : sources.exact).has(key)) continue;
    const cutFrom = covering(sources, key);
    if (cutFrom === undefined) continue;
    (isWildcard ? wildcard : exact).set(key, new IsolatedHosts(listenerName(l), cutFrom));
  }
  if (exact.size === 0 && wildcard.size === 0) return sources;
  return { exact: withGroups(sources.exact, exact), wildcard: withGroups(sources.wildcard, wildcard), hostless: sources.hostless };
}

/**
 * The most specific group less specific than the listener hostname that
 * covers it ("*.suffix", or "" for the group without host), or undefined.
 * For a precise `name`, a wildcard of one of its suffixes; for a wildcard
 * (`name` its suffix), a wildcard of a shorter suffix; for both, the group
 * without host.
 */
function covering<T>(sources: IsolationSources<T>, name: string): string | undefined {
  for (let key = wildcardKey(name); key !== undefined; key = wildcardKey(key)) {
    if (sources.wildcard.has(key)) return `*.${key}`;
  }
  return sources.hostless === undefined ? undefined : "";
}

function withGroups<T>(source: GroupSource<T>, added: ReadonlyMap<string, IsolatedHosts>): GroupSource<T | IsolatedHosts> {
  if (added.size === 0) return source;
  return {
    get: (key) => source.get(key) ?? added.get(key),
    has: (key) => source.has(key) || added.has(key),
    get size() {
      return source.size + added.size;
    },
  };
}
