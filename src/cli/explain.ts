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
import { compileRoutes } from "../core/routing";
import { describeHealthCheck, whenAllDown } from "./diff";
import { openKv, type KvFlags } from "./kv-state";
import { loadConfigFiles, type LoadOptions } from "./load";
import { CliError, EXIT_INVALID, align, type Io } from "./output";
import { reportLoaded } from "./validate";

export interface ExplainOptions extends LoadOptions, KvFlags {
  readonly host: string;
  readonly path: string;
  readonly method?: string;
}

export async function explainCommand(files: readonly string[], options: ExplainOptions, io: Io): Promise<number> {
  const path = requestPath(options.path);
  const loaded = await loadConfigFiles(files, io, options);
  const config = reportLoaded(loaded, io, "");
  if (!config) return EXIT_INVALID;

  if (isStatusRequest(path, config.statusPath)) {
    io.out(`${path} is under statusPath ${config.statusPath}: the Worker answers it itself (the status page; 404 without STATUS_TOKEN), on every host, and no rule applies`);
    return 0;
  }
  const explanation = compileRoutes(config.routes, config.defaultBackend, config.pathNormalization).explain(options.host, path);
  if (path !== options.path) io.out(`request path ${options.path} reaches the Worker as ${path} (URL parsing)`);
  if (options.method !== undefined) {
    io.out(`method: ${options.method.toUpperCase()} (Ingress rules match host and path only; every method is routed alike)`);
  }
  for (const line of explanation.lines) io.out(relocateSources(loaded.merge, line));
  const match = explanation.match;
  if (!match) return 0;
  if (match.route) io.out(`rule written at ${describeSource(loaded.merge, match.route.source)}`);

  const health = options.local || options.persistTo !== undefined ? await readHealth(options, io) : undefined;
  for (const line of describeCandidates(config, match.pool, health)) io.out(line);
  return 0;
}

/** The path as the Worker sees it: `new URL(request.url).pathname` (dot segments removed, some characters encoded). */
export function requestPath(path: string): string {
  if (!path.startsWith("/")) throw new CliError(`--path must start with "/", got ${JSON.stringify(path)}`);
  // Appended to an origin, not resolved against one: "//admin" is a path here,
  // as in a request line, not a scheme-relative URL naming host "admin".
  return new URL(`http://edge-ingress.invalid${path}`).pathname;
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
