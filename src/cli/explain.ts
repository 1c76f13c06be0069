// `edge-ingress explain FILE... --host H --path P`: which rule matched and
// which precedence step decided (the routing table's own explanation), then
// the pool, its policy and the candidate origins with their share of traffic.
// With --local/--persist-to it also reads the health state from local KV and
// marks the origins that are down.
import { describeSource, relocateSources } from "../core/config/manifests";
import { isStatusRequest } from "../core/config/status-path";
import { KV_KEYS } from "../core/config/stored";
import type { Config, Pool } from "../core/config/types";
import { isDown, decodeHealthSnapshot, type HealthSnapshot } from "../core/health";
import type { RouteAction } from "../core/action/action";
import { outcomeOf, simulate } from "../core/request/simulate";
import { actionOf } from "../core/request/decide";
import { requestFacts } from "../core/request/facts";
import { parseAsWorkerd } from "../core/http/path";
import { explainRoute } from "../core/routing/explain";
import { compileRuntime } from "../core/runtime";
import { describeHealthCheck, whenAllDown } from "./diff";
import { openKv, type KvFlags } from "./kv-state";
import { loadConfigFiles, type LoadOptions } from "./load";
import { CliError, EXIT_INVALID, align, type Io } from "./output";
import { reportLoaded } from "./validate";

export interface ExplainOptions extends LoadOptions, KvFlags {
  readonly host: string;
  /** The path, optionally with "?query". */
  readonly path: string;
  readonly method?: string;
  /** "Name: value" each. */
  readonly header?: readonly string[];
  readonly scheme?: string;
}

export async function explainCommand(files: readonly string[], options: ExplainOptions, io: Io): Promise<number> {
  const [rawPath = "", query = ""] = splitQuery(options.path);
  const path = requestPath(rawPath);
  const headers = parseHeaders(options.header ?? []);
  const scheme = options.scheme ?? "http";
  if (scheme !== "http" && scheme !== "https") throw new CliError(`--scheme must be http or https, got ${JSON.stringify(scheme)}`);
  const loaded = await loadConfigFiles(files, io, options);
  const config = reportLoaded(loaded, io, "");
  if (!config) return EXIT_INVALID;

  if (isStatusRequest(path, config.statusPath)) {
    io.out(`${path} is under statusPath ${config.statusPath}: the Worker answers it itself (the status page; 404 without STATUS_TOKEN), on every host, and no rule applies`);
    return 0;
  }
  const runtime = compileRuntime("explain", config, { random: () => 0 });
  const method = (options.method ?? "GET").toUpperCase();
  const request = { host: options.host, path: path + query, method, headers, scheme } as const;
  const { decision, url } = simulate(runtime, request);
  const explanation = explainRoute(runtime.table, options.host, path, requestFacts(method, url, new Headers(headers)));
  if (path !== rawPath) io.out(`request path ${rawPath} reaches the Worker as ${path} (URL parsing)`);
  if (options.method !== undefined && (config.gatewayRoutes ?? []).length === 0) {
    io.out(`method: ${method} (Ingress rules match host and path only; every method is routed alike)`);
  }
  for (const line of explanation.lines) io.out(relocateSources(loaded.merge, line));
  const match = explanation.match;
  if (!match) return 0;
  if (match.route) io.out(`rule written at ${describeSource(loaded.merge, match.route.action?.rule.source ?? match.route.source)}`);
  const action = actionOf(runtime, match);
  for (const line of describeAction(action)) io.out(line);

  const outcome = outcomeOf(runtime, decision);
  if (decision.kind !== "forward") {
    io.out(`answer: ${outcome.status} from the router${outcome.location ? `, Location: ${outcome.location}` : ""}${decision.kind === "no-backend" ? " (no valid backend)" : ""}`);
    for (const [name, value] of outcome.responseHeaders) if (name !== "location") io.out(`  ${name}: ${value}`);
    return 0;
  }
  if (action.backends.length > 1) io.out(`backend chosen by weight; shown for ${decision.backend.name}`);
  const pool = config.pools.get(decision.pool);
  const origin = pool?.origins[0];
  io.out(`the origin receives: ${method} ${origin ? origin.url : ""}${outcome.upstreamPath} with Host ${outcome.upstreamHost}`);
  for (const line of headerChanges(new Headers(headers), decision.upstream.headers)) io.out(`  ${line}`);
  for (const [name, value] of outcome.responseHeaders) io.out(`  response header set: ${name}: ${value}`);

  const health = options.local || options.persistTo !== undefined ? await readHealth(options, io) : undefined;
  for (const line of describeCandidates(config, decision.pool, health)) io.out(line);
  return 0;
}

/** What a route action does: filters, backends and weights, timeouts, retry. */
export function describeAction(action: RouteAction): string[] {
  // An Ingress or native path: its filters only (from its annotations or its `filters`).
  if (action.rule.kind !== "HTTPRoute") return action.filters.flatMap((f) => f.describe().map((d) => `filter ${f.type}: ${d}`));
  const rule = action.rule;
  const lines = [`HTTPRoute ${rule.name} rule ${rule.ruleIndex}${rule.ruleName ? ` (${rule.ruleName})` : ""}`];
  for (const f of action.filters) for (const d of f.describe()) lines.push(`  filter ${f.type}: ${d}`);
  const total = action.totalWeight;
  for (const b of action.backends) {
    const share = total > 0 ? `${Math.round((b.weight / total) * 1000) / 10}%` : "0%";
    lines.push(`  backend ${b.name}: weight ${b.weight} (${share})${b.pool === undefined ? ", no such pool: its share answers 500" : ""}`);
    for (const f of b.filters) for (const d of f.describe()) lines.push(`    filter ${f.type}: ${d}`);
  }
  if (action.backends.length === 0) lines.push("  no backendRefs: a request no filter answers gets 500");
  if (action.requestTimeoutMs !== undefined) lines.push(`  timeout: ${action.requestTimeoutMs} ms for the whole request`);
  if (action.backendTimeoutMs !== undefined) lines.push(`  timeout: ${action.backendTimeoutMs === 0 ? "none" : `${action.backendTimeoutMs} ms`} per try`);
  if (action.retry) lines.push(`  retry: up to ${action.retry.attempts} more tries on ${action.retry.codes.join(", ") || "connection failures"} (and connection failures), backoff ${action.retry.backoffMs} ms, idempotent requests without a body only`);
  return lines;
}

/** Set on every request (README, Proxy behaviour): listed once, not line by line. */
const FORWARDING = new Set(["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-real-ip", "true-client-ip", "x-request-id"]);

/** Headers the origin gets that differ from the client's: added, changed, removed (the forwarding headers aside). */
function headerChanges(client: Headers, upstream: Headers): string[] {
  const lines: string[] = ["with the forwarding headers (X-Forwarded-*, X-Real-IP, X-Request-Id)"];
  for (const [name, value] of upstream) {
    if (FORWARDING.has(name)) continue;
    const before = client.get(name);
    if (before === null) lines.push(`header added: ${name}: ${value}`);
    else if (before !== value) lines.push(`header changed: ${name}: ${before} -> ${value}`);
  }
  for (const [name] of client) if (!upstream.has(name) && name !== "host") lines.push(`header removed: ${name}`);
  return lines;
}

function splitQuery(path: string): [string, string] {
  const q = path.indexOf("?");
  return q === -1 ? [path, ""] : [path.slice(0, q), path.slice(q)];
}

function parseHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new CliError(`--header must be "Name: value", got ${JSON.stringify(line)}`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** The path as the Worker sees it: `new URL(request.url).pathname` (dot segments removed, some characters encoded). */
export function requestPath(path: string): string {
  if (!path.startsWith("/")) throw new CliError(`--path must start with "/", got ${JSON.stringify(path)}`);
  // Appended to an origin, not resolved against one: "//admin" is a path here,
  // as in a request line, not a scheme-relative URL naming host "admin".
  return parseAsWorkerd(`http://edge-ingress.invalid${path}`).pathname;
}

export function describeCandidates(config: Config, poolName: string, health: HealthSnapshot | undefined): string[] {
  const pool = config.pools.get(poolName);
  if (!pool) return [];
  const lines = [`pool ${pool.name}: policy ${pool.policy}, ${describeHealth(pool, health)}, when all down: ${whenAllDown(pool.whenAllDown)}`];
  const total = pool.origins.reduce((sum, o) => sum + o.weight, 0);
  const down = (key: string) => health !== undefined && isDown(health, key);
  const rows = pool.origins.map((o) => [
    `  ${o.url}`,
    `weight ${o.weight}`,
    `${Math.round((o.weight / total) * 100)}%`,
    health === undefined ? "" : down(o.key) ? "DOWN (not a candidate)" : "up",
  ]);
  lines.push("candidates:", ...align(rows));
  if (health !== undefined && pool.origins.every((o) => down(o.key))) {
    const next = pool.whenAllDown;
    lines.push(
      next.kind === "fail-open"
        ? "every origin is down: fail-open sends to all of them anyway"
        : next.kind === "503"
          ? "every origin is down: the Worker answers 503"
          : `every origin is down: the request goes to pool ${next.pool}`,
    );
  }
  return lines;
}

function describeHealth(pool: Pool, health: HealthSnapshot | undefined): string {
  if (!pool.healthCheck) return "no health check";
  return `health check ${describeHealthCheck(pool.healthCheck)}${health === undefined ? " (state not read: pass --local or --persist-to)" : ""}`;
}

async function readHealth(options: KvFlags, io: Io): Promise<HealthSnapshot> {
  const text = await openKv(options, io).get(KV_KEYS.health);
  if (text === undefined) return { v: 1, origins: {} };
  const snapshot = decodeHealthSnapshot(text);
  if (!snapshot) io.err(`warning: ${KV_KEYS.health} is malformed; every origin is taken as up (as the Worker does)`);
  return snapshot ?? { v: 1, origins: {} };
}
