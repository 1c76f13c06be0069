// Gateways and HTTPRoutes of the merged document -> listeners and table
// routes. A route attaches through its parentRefs to listeners of a
// Gateway (sectionName and port narrow them; allowedRoutes decides whether
// its namespace may), serves the intersection of its hostnames with each
// listener's, and each (hostname, rule, match) becomes one table Route
// carrying the rule's action. Identities are `namespace/name`. A hostname
// that a more specific listener on the same address owns is not served
// through the less specific one (listener isolation, hostnames.ts).
import * as v from "valibot";
import { issuesToProblems, got } from "../config/messages";
import { isRecord } from "../config/locations";
import type { Listener, Problem, Route } from "../config/types";
import { intersectHostnames, gatewayHostnameProblem, isolatingListener } from "./hostnames";
import { DEFAULT_NAMESPACE, isolationMessage, readGateway, type GatewayInfo } from "./listeners";
import { compileRule } from "./rules";
import { gateway as gatewaySchema, httpRouteOutline as routeSchema, httpRouteRule, type RawHttpRoute, type RawHttpRouteRule } from "./schema";

export interface GatewayResult {
  readonly listeners: readonly Listener[];
  readonly routes: readonly Route[];
  /** Valid but probably not meant: backendRefs naming no pool, hostnames listener isolation takes away. */
  readonly warnings: readonly Problem[];
}

const GATEWAY_GROUP = "gateway.networking.k8s.io";

export function normalizeGateway(
  rawGateways: readonly unknown[],
  rawRoutes: readonly unknown[],
  pools: ReadonlySet<string>,
  ingressRoutes: readonly Route[],
  problems: Problem[],
): GatewayResult {
  const seenGateways = new Map<string, number>();
  const gateways = new Map<string, GatewayInfo>();
  // Gateways too broken to use still exist: a route naming one is not told "no such Gateway".
  const broken = new Set<string>();
  rawGateways.forEach((value, i) => {
    const raw = part(gatewaySchema, value, `gateways[${i}]`, problems);
    const info = raw && readGateway(raw, i, problems, seenGateways);
    if (info) gateways.set(info.key, info);
    else if (isRecord(value) && typeof value.name === "string") broken.add(`${typeof value.namespace === "string" ? value.namespace : DEFAULT_NAMESPACE}/${value.name}`);
  });

  // Every Gateway's listeners by address: the Worker is every Gateway, so a request's listener is chosen among all of them.
  const byAddress = new Map<string, Listener[]>();
  for (const g of gateways.values()) for (const l of g.listeners) byAddress.set(l.address, [...(byAddress.get(l.address) ?? []), l]);
  const routes: Route[] = [];
  const warnings: Problem[] = [];
  const seenRoutes = new Map<string, number>();
  rawRoutes.forEach((value, i) => {
    const raw = part(routeSchema, value, `httpRoutes[${i}]`, problems);
    if (raw) routes.push(...readRoute(raw, i, { gateways, broken, byAddress, pools, seen: seenRoutes, warnings, problems }));
  });
  checkHostOwnership(routes, ingressRoutes, problems);
  return { listeners: [...gateways.values()].flatMap((g) => g.listeners.map(({ allowAll: _, ...l }) => Object.freeze(l))), routes, warnings };
}

interface ReadContext {
  readonly gateways: ReadonlyMap<string, GatewayInfo>;
  readonly broken: ReadonlySet<string>;
  readonly byAddress: ReadonlyMap<string, readonly Listener[]>;
  readonly pools: ReadonlySet<string>;
  readonly seen: Map<string, number>;
  readonly warnings: Problem[];
  readonly problems: Problem[];
}

function readRoute(raw: RawHttpRoute, index: number, ctx: ReadContext): Route[] {
  const { pools, seen, warnings: invalidBackends, problems } = ctx;
  const at = `httpRoutes[${index}]`;
  const namespace = raw.namespace ?? DEFAULT_NAMESPACE;
  const routeKey = `${namespace}/${raw.name}`;
  const earlier = seen.get(routeKey);
  if (earlier !== undefined) {
    problems.push({ path: `${at}.name`, message: `HTTPRoute ${routeKey} is already defined at httpRoutes[${earlier}] (kubectl would keep only the last one)` });
    return [];
  }
  seen.set(routeKey, index);
  const hostnames = (raw.hostnames ?? []).map((h) => h.toLowerCase());
  let hostsOk = true;
  hostnames.forEach((h, i) => {
    const problem = gatewayHostnameProblem(h);
    if (problem) {
      problems.push({ path: `${at}.hostnames[${i}]`, message: problem });
      hostsOk = false;
    }
  });
  const before = problems.length;
  const written = raw.rules && raw.rules.length > 0;
  const rawRules: (RawHttpRouteRule | undefined)[] = written ? (raw.rules ?? []).map((rule, r) => part(httpRouteRule, rule, `${at}.rules[${r}]`, problems)) : [{}];
  const rules = rawRules.flatMap((rule, r) =>
    rule === undefined ? [] : [compileRule(rule, written ? `${at}.rules[${r}]` : at, r, { routeKey, namespace, pools, problems, invalidBackends })],
  );
  const names = new Set<string>();
  rawRules.forEach((rule, r) => {
    if (rule?.name === undefined) return;
    if (names.has(rule.name)) problems.push({ path: `${at}.rules[${r}].name`, message: `rule name ${got(rule.name)} is already used in this route` });
    names.add(rule.name);
  });
  const attached = attach(raw, at, namespace, hostnames, ctx);
  if (!hostsOk || problems.length > before) return [];

  const out: Route[] = [];
  for (const [host, addresses] of attached) {
    const listeners = Object.freeze([...addresses].sort());
    for (const { action, matches } of rules) {
      const single = action.backends.length === 1 ? (action.backends[0]?.pool ?? "") : "";
      for (const m of matches) {
        out.push({ host, path: m.path, pathType: m.pathType, pool: single, source: m.source, conditions: m.conditions, action, listeners });
      }
    }
  }
  return out;
}

/** Hostname (undefined: any) -> listener addresses the route serves it on. */
function attach(raw: RawHttpRoute, at: string, namespace: string, hostnames: readonly string[], ctx: ReadContext): Map<string | undefined, Set<string>> {
  const { gateways, broken, byAddress, problems } = ctx;
  const attached = new Map<string | undefined, Set<string>>();
  // Hostnames a more specific listener took, by hostname and address: said once the route's every listener is known.
  const taken = new Map<string, { host: string; from: Listener; to: Listener }>();
  if (!raw.parentRefs || raw.parentRefs.length === 0) {
    problems.push({ path: `${at}.parentRefs`, message: "must name at least one Gateway (a route without parentRefs attaches nowhere and serves nothing)" });
    return attached;
  }
  raw.parentRefs.forEach((ref, j) => {
    const path = `${at}.parentRefs[${j}]`;
    if (ref.group !== undefined && ref.group !== GATEWAY_GROUP) {
      return problems.push({ path: `${path}.group`, message: `must be ${GATEWAY_GROUP}, got ${got(ref.group)}` });
    }
    if (ref.kind !== undefined && ref.kind !== "Gateway") {
      return problems.push({ path: `${path}.kind`, message: `must be Gateway (the only parent edge-ingress implements), got ${got(ref.kind)}` });
    }
    const key = `${ref.namespace ?? namespace}/${ref.name}`;
    const gw = gateways.get(key);
    if (!gw && broken.has(key)) return problems.push({ path: `${path}.name`, message: `Gateway ${key} has problems of its own (above): the route cannot attach until they are fixed` });
    if (!gw) {
      const known = [...gateways.keys()].join(", ") || "none defined";
      return problems.push({ path: `${path}.name`, message: `no Gateway ${key} (Gateways: ${known})` });
    }
    let listeners = gw.listeners;
    if (ref.sectionName !== undefined) {
      listeners = listeners.filter((l) => l.name === ref.sectionName);
      if (listeners.length === 0) {
        return problems.push({ path: `${path}.sectionName`, message: `Gateway ${key} has no listener ${got(ref.sectionName)} (listeners: ${gw.listeners.map((l) => l.name).join(", ")})` });
      }
    }
    if (ref.port !== undefined) {
      listeners = listeners.filter((l) => l.port === ref.port);
      if (listeners.length === 0) return problems.push({ path: `${path}.port`, message: `no listener of Gateway ${key} is on port ${ref.port}` });
    }
    const allowed = listeners.filter((l) => l.allowAll || gw.namespace === namespace);
    if (allowed.length === 0) {
      return problems.push({ path: `${path}.namespace`, message: `the listeners of Gateway ${key} accept routes of namespace ${got(gw.namespace)} only (allowedRoutes.namespaces.from: Same); this route is in ${got(namespace)}` });
    }
    let any = false;
    for (const l of allowed) {
      for (const host of intersectHostnames(l.hostname, hostnames)) {
        any = true;
        const owner = isolatingListener(byAddress.get(l.address) ?? [], l, host);
        if (owner !== undefined) {
          const key = `${host} ${l.address}`;
          if (host !== undefined && !taken.has(key)) taken.set(key, { host, from: l, to: owner });
          continue;
        }
        const set = attached.get(host) ?? new Set<string>();
        set.add(l.address);
        attached.set(host, set);
      }
    }
    if (!any) {
      problems.push({ path: `${at}.hostnames`, message: `no hostname intersects a listener hostname of Gateway ${key} (${allowed.map((l) => l.hostname ?? "any").join(", ")}): the route would serve nothing` });
    }
  });
  for (const t of taken.values()) {
    if (attached.get(t.host)?.has(t.from.address)) continue;
    const left = attached.size === 0 ? "; the route serves nothing" : "";
    ctx.warnings.push({ path: `${at}.hostnames`, message: `${isolationMessage(t.host, t.from, t.to)}${left}` });
  }
  return attached;
}

/**
 * A host pattern belongs to one model: an Ingress rule and an HTTPRoute
 * claiming the same one is refused, naming both, rather than one silently
 * shadowing the other. Different patterns may overlap: the most specific
 * pattern decides (a precise host beats a wildcard, which beats no host).
 */
function checkHostOwnership(routes: readonly Route[], ingress: readonly Route[], problems: Problem[]): void {
  if (routes.length === 0 || ingress.length === 0) return;
  const ingressHosts = new Map<string, Route>();
  for (const r of ingress) {
    const key = r.host?.toLowerCase() ?? "";
    if (!ingressHosts.has(key)) ingressHosts.set(key, r);
  }
  const reported = new Set<string>();
  for (const r of routes) {
    const key = r.host ?? "";
    const other = ingressHosts.get(key);
    const owner = r.action?.rule.name ?? "";
    if (other === undefined || reported.has(`${owner} ${key}`)) continue;
    reported.add(`${owner} ${key}`);
    const routeAt = r.source.replace(/\.rules\[\d+\].*$/, "");
    problems.push({
      path: `${routeAt}.hostnames`,
      message: `HTTPRoute ${owner} serves host ${key || "(any host)"}, which the Ingress rule at ${other.source} also claims: a host belongs to either Ingress rules or HTTPRoutes; move one of them to another host`,
    });
  }
}

function part<S extends v.GenericSchema>(schema: S, value: unknown, at: string, problems: Problem[]): v.InferOutput<S> | undefined {
  const parsed = v.safeParse(schema, value, { abortEarly: false });
  if (!parsed.success) {
    for (const p of issuesToProblems(parsed.issues)) problems.push({ path: p.path === "(document)" ? at : `${at}${p.path.startsWith("[") ? "" : "."}${p.path}`, message: p.message });
  }
  return parsed.success ? parsed.output : undefined;
}
