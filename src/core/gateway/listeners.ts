// Gateways: the Worker is the Gateway, and each listener (protocol, port,
// optional hostname) is an address routes attach to. A request's listener
// is its scheme and port ("https:443").
import { got } from "../config/messages";
import type { Listener, Problem } from "../config/types";
import { gatewayHostnameProblem } from "./hostnames";
import type { RawGateway } from "./schema";

export interface GatewayInfo {
  readonly key: string;
  readonly namespace: string;
  readonly index: number;
  readonly listeners: readonly (Listener & { readonly allowAll: boolean })[];
}

export const DEFAULT_NAMESPACE = "default";

export function readGateway(raw: RawGateway, index: number, problems: Problem[], seen: Map<string, number>): GatewayInfo | undefined {
  const namespace = raw.namespace ?? DEFAULT_NAMESPACE;
  const key = `${namespace}/${raw.name}`;
  const at = `gateways[${index}]`;
  const earlier = seen.get(key);
  if (earlier !== undefined) {
    problems.push({ path: `${at}.name`, message: `Gateway ${key} is already defined at gateways[${earlier}]` });
    return undefined;
  }
  seen.set(key, index);
  const names = new Set<string>();
  const addresses = new Map<string, number>();
  const listeners = raw.listeners.flatMap((l, i) => {
    const path = `${at}.listeners[${i}]`;
    if (names.has(l.name)) problems.push({ path: `${path}.name`, message: `listener ${got(l.name)} is already defined in this Gateway` });
    names.add(l.name);
    const hostname = l.hostname?.toLowerCase();
    const hostProblem = hostname === undefined ? undefined : gatewayHostnameProblem(hostname);
    if (hostProblem) problems.push({ path: `${path}.hostname`, message: hostProblem });
    const address = `${l.protocol === "HTTPS" ? "https" : "http"}:${l.port}`;
    // Two listeners of one Gateway on one address with one hostname conflict (Gateway API: Conflicted).
    const same = `${address} ${hostname ?? "*"}`;
    const other = addresses.get(same);
    if (other !== undefined) problems.push({ path, message: `conflicts with listeners[${other}]: same protocol, port and hostname` });
    addresses.set(same, i);
    if (hostProblem) return [];
    return [{ gateway: key, name: l.name, protocol: l.protocol, port: l.port, hostname, address, allowAll: l.allowedRoutes?.namespaces?.from === "All" }];
  });
  return { key, namespace, index, listeners };
}

/** A listener as warnings and explain name it: "ns/gateway listener name (hostname, address)". */
export const listenerName = (l: Listener): string => `${l.gateway} listener ${l.name} (${l.hostname ?? "any host"}, ${l.address})`;

/** Why a route does not serve `host` through `from`: listener `to` owns it (hostnames.ts isolatingListener). */
export function isolationMessage(host: string, from: Listener, to: Listener): string {
  return `${host} reaches this route through ${listenerName(from)}, but ${listenerName(to)} is more specific and owns those hosts: requests for them are served by the routes attached to it only (listener isolation)`;
}
