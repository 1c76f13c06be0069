// parse -> normalize -> cross-check, as one pure function shared by the Worker
// and the CLI, so both always agree on what a config means. Every problem is
// reported (never only the first), each with its path and the value received.
import * as v from "valibot";
import { DEFAULT_PATH_NORMALIZATION } from "../http/path";
import { checkRegexPath, routeIdentity, rulePathProblem } from "../routing";
import { issuesToProblems, got, joinPath } from "./messages";
import { hostProblem, httpIngressPath, ingressBackend, ingressRuleShell, isPoolName, type RawCanary, type RawIngressBackend } from "./ingress-schema";
import { documentOutline, ingressRecord, pathNormalization as pathNormalizationSchema, pool as poolSchema } from "./schema";
import { normalizePool } from "./normalize";
import { normalizeGateway } from "../gateway/normalize";
import { hostPolicies, normalizeHostPolicies } from "./host-policies";
import { pathFilters } from "./path-filters";
import { DEFAULT_STATUS_PATH, normalizeStatusPath, shadowedRouteProblems, statusPathProblem, statusPathSchema } from "./status-path";
import { canaryAction } from "../action/action";
import { compileNativeCanary } from "./canary-native";
import { normalizeAffinity } from "./affinity-schema";
import type { Config, DefaultBackend, IngressRecord, PathNormalization, Pool, Problem, Route } from "./types";

/** The merged document is what the CLI checks too, so the message speaks of all its documents. */
const NO_POOLS = 'no pools defined in any document: add a native document with "pools:" (Ingress backends name pools as their services)';

export type ParseResult =
  | { readonly ok: true; readonly config: Config; readonly problems: readonly [] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

export interface ParseOptions {
  /**
   * Refuse health-check headers that break the HTTP field grammar or that a
   * probe cannot send (Host, Content-Length, ...). Default true, for what a
   * user writes (validate, apply). Values read back from KV are judged with
   * false, by the Worker and the CLI alike: a config stored before these
   * checks existed must keep serving; each probe checks its header values
   * before sending them.
   */
  readonly strictProbeHeaders?: boolean;
}

export function parseConfig(input: unknown, options: ParseOptions = {}): ParseResult {
  const outline = v.safeParse(documentOutline, input, { abortEarly: false });
  if (!outline.typed) return { ok: false, problems: issuesToProblems(outline.issues) };
  const problems: Problem[] = outline.success ? [] : issuesToProblems(outline.issues);
  const config = normalizeDocument(outline.output, problems, options.strictProbeHeaders ?? true);
  return problems.length === 0 ? { ok: true, config, problems: [] } : { ok: false, problems };
}

/**
 * Checks one part of the document against its schema. A value of the wrong
 * type leaves nothing to cross-check (undefined); a value of the right type
 * that breaks a rule (a bad URL, a number out of range) is still returned, so
 * the cross-checks run too and every problem is reported at once.
 */
function part<S extends v.GenericSchema>(schema: S, value: unknown, at: (string | number)[], problems: Problem[]): v.InferOutput<S> | undefined {
  const parsed = v.safeParse(schema, value, { abortEarly: false });
  if (!parsed.success) problems.push(...issuesToProblems(parsed.issues, at));
  return parsed.typed ? (parsed.output as v.InferOutput<S>) : undefined;
}

function normalizeDocument(doc: v.InferOutput<typeof documentOutline>, problems: Problem[], strictProbeHeaders: boolean): Config {
  const pools = new Map<string, Pool>();
  // Every pool named counts for references, even one too broken to normalize.
  const known = new Set(Object.keys(doc.pools));
  // Without a pool nothing can be routed: every request would get a 404.
  if (known.size === 0) problems.push({ path: "pools", message: NO_POOLS });
  for (const [name, value] of Object.entries(doc.pools)) {
    if (!isPoolName(name)) {
      problems.push({
        path: joinPath(["pools", name]),
        message: `pool name must be lower-case letters, digits and "-" (a Kubernetes Service name), got ${got(name)}`,
      });
    }
    const raw = part(poolSchema, value, ["pools", name], problems);
    if (raw) pools.set(name, normalizePool(name, raw, problems, strictProbeHeaders));
  }
  checkFallbacks(pools, known, problems);

  const routes: Route[] = [];
  const seen = new Map<string, Route>();
  (doc.rules ?? []).forEach((value, r) => {
    const rule = part(ingressRuleShell, value, ["rules", r], problems);
    if (!rule) return;
    if (rule.host !== undefined) {
      const problem = hostProblem(rule.host);
      if (problem) problems.push({ path: `rules[${r}].host`, message: problem });
    }
    rule.http?.paths.forEach((rawPath, i) => {
      const p = part(httpIngressPath, rawPath, ["rules", r, "http", "paths", i], problems);
      if (!p) return;
      const source = `rules[${r}].http.paths[${i}]`;
      const pool = backendPool(p.backend, `${source}.backend`, known, problems);
      const path = p.path ?? (p.pathType === "ImplementationSpecific" ? "/" : "");
      if (p.pathType !== "ImplementationSpecific") {
        const problem = plainPathProblem(path, p.pathType) ?? rulePathProblem(path);
        if (problem) {
          problems.push({ path: `${source}.path`, message: `${problem}, got ${got(p.path)}` });
          return;
        }
      }
      if (p.pathType === "ImplementationSpecific") {
        const problem = checkRegexPath(path);
        if (problem) {
          problems.push({ path: `${source}.path`, message: `${problem}, got ${got(path)}` });
          return;
        }
      }
      const canary = p.canary === undefined ? undefined : pathCanary(p.canary, pool, source, known, problems);
      if (pool === undefined) return;
      // Same property order in every route, host always present (maybe
      // undefined): one hidden class, so reading routes stays fast at 100k rules.
      const action = pathFilters(p, pool, source, known, problems);
      const affinity = p.affinity === undefined ? undefined : normalizeAffinity(p.affinity, `${source}.affinity`, problems);
      const route: Route = { host: rule.host, path, pathType: p.pathType, pool, source, ...(action ? { action } : {}), ...(canary && { canary }), ...(affinity && { affinity }) };
      const id = routeIdentity(route);
      const earlier = seen.get(id);
      if (earlier && earlier.pool !== pool) {
        problems.push({
          path: source,
          message: `host ${got(rule.host ?? "*")} path ${got(path)} (${p.pathType}) already goes to pool ${got(earlier.pool)} at ${earlier.source}; it cannot also go to ${got(pool)}`,
        });
        return;
      }
      if (!earlier) seen.set(id, route);
      routes.push(route);
    });
  });

  let defaultBackend: DefaultBackend | undefined;
  const rawDefault = doc.defaultBackend === undefined ? undefined : part(ingressBackend, doc.defaultBackend, ["defaultBackend"], problems);
  if (rawDefault) {
    const pool = backendPool(rawDefault, "defaultBackend", known, problems);
    if (pool !== undefined) defaultBackend = { pool, source: "defaultBackend" };
  }
  const ingresses = doc.ingresses?.flatMap((value, i) => part(ingressRecord, value, ["ingresses", i], problems) ?? []);
  const rawNormalization = doc.pathNormalization === undefined ? undefined : part(pathNormalizationSchema, doc.pathNormalization, ["pathNormalization"], problems);
  const pathNormalization: PathNormalization = {
    escapedSlashes: rawNormalization?.escapedSlashes ?? DEFAULT_PATH_NORMALIZATION.escapedSlashes,
    mergeSlashes: rawNormalization?.mergeSlashes ?? DEFAULT_PATH_NORMALIZATION.mergeSlashes,
  };
  const gateway = doc.gateways || doc.httpRoutes ? normalizeGateway(doc.gateways ?? [], doc.httpRoutes ?? [], known, routes, problems) : undefined;
  const rawStatusPath = doc.statusPath === undefined ? undefined : part(statusPathSchema, doc.statusPath, ["statusPath"], problems);
  // An invalid one is reported above; the rules are still checked, against the default.
  const statusPath = normalizeStatusPath(rawStatusPath !== undefined && statusPathProblem(rawStatusPath) === undefined ? rawStatusPath : DEFAULT_STATUS_PATH);
  problems.push(...shadowedRouteProblems(routes, statusPath));
  // An HTTPRoute match is expanded per hostname: check each written match once.
  const written = new Set<string>();
  const gatewayMatches = (gateway?.routes ?? []).filter((r) => !written.has(r.source) && written.add(r.source));
  problems.push(...shadowedRouteProblems(gatewayMatches, statusPath).map((p) => ({ ...p, path: p.path.replace(/\.path$/, ".path.value") })));
  const rawHosts = doc.hosts === undefined ? undefined : part(hostPolicies, doc.hosts, ["hosts"], problems);
  const hostPolicyList = rawHosts ? normalizeHostPolicies(rawHosts, known, problems) : [];
  return {
    pools,
    routes,
    ...(defaultBackend ? { defaultBackend } : {}),
    ...(ingresses ? { ingresses: ingresses as IngressRecord[] } : {}),
    pathNormalization,
    ...(gateway ? { gatewayRoutes: gateway.routes, listeners: gateway.listeners, warnings: gateway.warnings } : {}),
    statusPath,
    ...(hostPolicyList.length > 0 ? { hostPolicies: hostPolicyList } : {}),
  };
}

/** A path's canary: its pool and the action choosing between main and canary per request. */
function pathCanary(raw: RawCanary, pool: string | undefined, source: string, known: ReadonlySet<string>, problems: Problem[]): Route["canary"] {
  const canaryPool = backendPool(raw.backend, `${source}.canary.backend`, known, problems);
  const rule = compileNativeCanary(raw, `${source}.canary`, problems);
  const affinity = raw.affinity === undefined ? undefined : normalizeAffinity(raw.affinity, `${source}.canary.affinity`, problems);
  if (pool === undefined || canaryPool === undefined || rule === undefined) return undefined;
  return { pool: canaryPool, action: canaryAction(pool, canaryPool, rule, source), ...(affinity && { affinity }) };
}

function backendPool(
  backend: RawIngressBackend,
  path: string,
  known: ReadonlySet<string>,
  problems: Problem[],
): string | undefined {
  const [field, name] = backend.service ? ["service", backend.service.name] : ["resource", backend.resource?.name ?? ""];
  if (known.has(name)) return name;
  const names = [...known].join(", ") || "none defined";
  problems.push({ path: `${path}.${field}.name`, message: `no pool named ${got(name)} (pools: ${names})` });
  return undefined;
}

/** A fallback must name another pool, and following fallbacks must never loop. */
function checkFallbacks(pools: ReadonlyMap<string, Pool>, known: ReadonlySet<string>, problems: Problem[]): void {
  for (const pool of pools.values()) {
    if (pool.whenAllDown.kind !== "fallback") continue;
    const path = joinPath(["pools", pool.name, "whenAllDown"]);
    const target = pool.whenAllDown.pool;
    if (!known.has(target)) {
      const names = [...known].filter((n) => n !== pool.name).join(", ") || "none";
      problems.push({ path, message: `must be "fail-open", "503" or the name of another pool (pools: ${names}), got ${got(target)}` });
      continue;
    }
    const chain = [pool.name];
    let next: string | undefined = target;
    while (next !== undefined) {
      if (chain.includes(next)) {
        problems.push({ path, message: `fallback pools loop: ${[...chain, next].join(" -> ")}` });
        break;
      }
      chain.push(next);
      const nextPool = pools.get(next);
      next = nextPool?.whenAllDown.kind === "fallback" ? nextPool.whenAllDown.pool : undefined;
    }
  }
}

/** What the Kubernetes API server rejects in Exact and Prefix paths (pkg/apis/networking/validation). */
const INVALID_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_SUFFIXES = ["/..", "/."];

function plainPathProblem(path: string, pathType: string): string | undefined {
  if (!path.startsWith("/")) return `must be an absolute path starting with "/" for pathType ${pathType}`;
  const sequence = INVALID_SEQUENCES.find((s) => path.includes(s));
  if (sequence) return `must not contain ${got(sequence)} for pathType ${pathType} (Kubernetes rejects it)`;
  const suffix = INVALID_SUFFIXES.find((s) => path.endsWith(s));
  if (suffix) return `must not end with ${got(suffix)} for pathType ${pathType} (Kubernetes rejects it)`;
  return undefined;
}
