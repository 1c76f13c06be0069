// The Gateway API part of apply's diff: listeners and HTTPRoute rules added,
// removed and changed, each rule told by what it matches and what it does.
import type { RouteAction } from "../core/action/action";
import type { Config, Route } from "../core/config/types";

export function diffGateway(before: Config | undefined, after: Config): string[] {
  const lines: string[] = [];
  const listeners = (c: Config | undefined) => new Map((c?.listeners ?? []).map((l) => [`${l.gateway} ${l.name}`, `${l.protocol} ${l.port}${l.hostname ? ` ${l.hostname}` : ""}`]));
  const [oldL, newL] = [listeners(before), listeners(after)];
  for (const [key, what] of newL) {
    const was = oldL.get(key);
    if (was === undefined) lines.push(`+ listener ${key}: ${what}`);
    else if (was !== what) lines.push(`~ listener ${key}: ${was} -> ${what}`);
  }
  for (const key of oldL.keys()) if (!newL.has(key)) lines.push(`- listener ${key}`);

  const [oldR, newR] = [rules(before?.gatewayRoutes ?? []), rules(after.gatewayRoutes ?? [])];
  for (const [key, what] of newR) {
    const was = oldR.get(key);
    if (was === undefined) lines.push(`+ ${key}: ${what}`);
    else if (was !== what) lines.push(`~ ${key}: ${was} -> ${what}`);
  }
  for (const key of oldR.keys()) if (!newR.has(key)) lines.push(`- ${key}`);
  return lines;
}

/** "HTTPRoute ns/name rule i" -> what it matches and does, in words. */
function rules(routes: readonly Route[]): Map<string, string> {
  const byRule = new Map<string, { hosts: Set<string>; matches: Set<string>; action: RouteAction }>();
  for (const r of routes) {
    if (r.action === undefined) continue;
    const key = `HTTPRoute ${r.action.rule.name} rule ${r.action.rule.ruleIndex}`;
    const entry = byRule.get(key) ?? { hosts: new Set<string>(), matches: new Set<string>(), action: r.action };
    entry.hosts.add(r.host ?? "*");
    const c = r.conditions;
    entry.matches.add([`${r.pathType} ${r.path}`, c?.method, ...(c?.headers ?? []).map((h) => `header ${h.name}=${h.value}`), ...(c?.queryParams ?? []).map((q) => `query ${q.name}=${q.value}`)].filter(Boolean).join(" "));
    byRule.set(key, entry);
  }
  const out = new Map<string, string>();
  for (const [key, { hosts, matches, action }] of byRule) {
    const backends = action.backends.map((b) => `${b.name}${action.backends.length > 1 ? ` (${b.weight})` : ""}`).join(", ") || "no backend";
    const filters = action.filters.map((f) => f.type).join(", ");
    const extra = [
      filters && `filters ${filters}`,
      action.requestTimeoutMs !== undefined && `timeout ${action.requestTimeoutMs} ms`,
      action.backendTimeoutMs !== undefined && `try timeout ${action.backendTimeoutMs} ms`,
      action.retry && `retry ${action.retry.attempts} on ${action.retry.codes.join("/")}`,
    ].filter(Boolean);
    out.set(key, `${[...hosts].sort().join(" ")} ${[...matches].join(" | ")} -> ${backends}${extra.length ? `; ${extra.join("; ")}` : ""}`);
  }
  return out;
}
