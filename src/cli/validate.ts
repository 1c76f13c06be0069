// `edge-ingress validate FILE...`: every problem as `FILE[doc]: path: message`,
// then warnings that do not block.
import { formatLocation } from "../core/config/manifests";
import type { Config } from "../core/config/types";
import { loadConfigFiles, type LoadOptions, type Loaded } from "./load";
import { EXIT_INVALID, plural, type Io } from "./output";
import { configVersion } from "./version";
import { configWarnings } from "./warnings";

export async function validateCommand(files: readonly string[], options: LoadOptions, io: Io): Promise<number> {
  const loaded = await loadConfigFiles(files, io, options);
  const config = reportLoaded(loaded, io, "");
  if (!config) return EXIT_INVALID;
  io.out(`valid: ${summarize(config)}; version ${configVersion(loaded.document)}`);
  return 0;
}

/**
 * Prints notes, problems (or warnings when valid) to stderr; returns the
 * config when valid. `unchanged` is said after the problem count, e.g. "KV was not changed".
 */
export function reportLoaded(loaded: Loaded, io: Io, unchanged: string): Config | undefined {
  for (const note of loaded.notes) io.err(`note: ${note}`);
  for (const problem of loaded.problems) io.err(problem);
  if (!loaded.config) {
    io.err(`edge-ingress: ${plural(loaded.problems.length, "problem")} found${unchanged ? `; ${unchanged}` : ""}`);
    return undefined;
  }
  for (const w of configWarnings(loaded.config, loaded.merge)) {
    io.err(w.at ? `warning: ${formatLocation(w.at)}: ${w.message}${loaded.lineNote(w.at)}` : `warning: ${w.message}`);
  }
  return loaded.config;
}

export function summarize(config: Config): string {
  const backend = config.defaultBackend ? `defaultBackend ${config.defaultBackend.pool}` : "no defaultBackend";
  const gateway = config.gatewayRoutes && config.gatewayRoutes.length > 0
    ? `, ${plural(new Set(config.gatewayRoutes.map((r) => r.action?.rule.source)).size, "HTTPRoute rule")} on ${plural(config.listeners?.length ?? 0, "listener")}`
    : "";
  return `${plural(config.pools.size, "pool")}, ${plural(config.routes.length, "route")}, ${backend}${gateway}`;
}
