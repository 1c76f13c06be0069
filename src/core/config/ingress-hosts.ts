// Annotations that give an Ingress's rules more hosts, applied once every
// file is read, because they give way to a host another rule defines (as
// ingress-nginx's do):
// - server-alias "a.example.com,b.example.com": the Ingress's host is served
//   under these names too, all of it (ingress-nginx adds them to the host's
//   server_name): every rule on that host, from any Ingress or document,
//   with the same paths and filters.
// - from-to-www-redirect "true": for a rule host example.com, requests to
//   www.example.com (and for www.example.com, to example.com) are answered
//   308 to the rule's host, path and query kept (ingress-nginx's
//   http-redirect-code default), through a RequestRedirect filter.
import { hostProblem } from "./ingress-schema";
import { NGINX_PREFIX } from "./annotations";
import { child, formatLocation, isRecord, type DocLocation } from "./locations";
import { addProblem, addRule, addWarning, type MergeState } from "./merge-state";
import { got } from "./messages";

const ALIAS = `${NGINX_PREFIX}server-alias`;
const WWW = `${NGINX_PREFIX}from-to-www-redirect`;
/** ingress-nginx's http-redirect-code default. */
const WWW_REDIRECT_CODE = 308;

export function readHostAnnotations(annotations: Readonly<Record<string, unknown>>, merged: readonly unknown[], at: DocLocation, state: MergeState): void {
  const rules = merged.flatMap((rule, i) => (isRecord(rule) ? [{ rule, at: child(at, "spec", "rules", i) }] : []));
  const www = annotations[WWW];
  const wwwAt = child(at, "metadata", "annotations", WWW);
  if (typeof www === "string" && www !== "false") {
    if (www !== "true") addProblem(state, wwwAt, `must be "true" or "false", got ${got(www)}`);
    else state.hostAliases.push({ kind: "from-to-www-redirect", at: wwwAt, rules, aliases: [] });
  }
  const alias = annotations[ALIAS];
  if (typeof alias !== "string") return;
  const aliasAt = child(at, "metadata", "annotations", ALIAS);
  const aliases = alias.split(",").map((a) => a.trim()).filter((a) => a !== "");
  const bad = aliases.map((a) => hostProblem(a)).filter((p) => p !== undefined);
  if (aliases.length === 0) bad.push(`must list host names separated by ",", got ${got(alias)}`);
  for (const problem of bad) addProblem(state, aliasAt, problem);
  const hosts = new Set(rules.map((r) => r.rule.host));
  if (hosts.size !== 1 || typeof [...hosts][0] !== "string") {
    addProblem(state, aliasAt, "needs the Ingress's rules to have one host (ingress-nginx adds the aliases to that host's server): split the Ingress per host");
    return;
  }
  if (bad.length === 0) state.hostAliases.push({ kind: "server-alias", at: aliasAt, rules, aliases });
}

/** Adds the alias and redirect rules, each giving way to a host some rule defines. */
export function applyHostAliases(state: MergeState): void {
  const defined = new Map<string, DocLocation>();
  // Every rule of each host as the documents define it, before any alias adds to them.
  const byHost = new Map<string, { rule: Record<string, unknown>; at: DocLocation }[]>();
  state.rules.forEach((rule, r) => {
    if (!isRecord(rule) || typeof rule.host !== "string") return;
    const at = state.ruleSources[r] as DocLocation;
    if (!defined.has(rule.host)) defined.set(rule.host, at);
    byHost.set(rule.host, [...(byHost.get(rule.host) ?? []), { rule, at }]);
  });
  for (const entry of state.hostAliases) {
    if (entry.kind === "server-alias") {
      const host = entry.rules[0]?.rule.host as string;
      for (const alias of entry.aliases) {
        const taken = defined.get(alias);
        if (taken) {
          addWarning(state, entry.at, `alias ${got(alias)} has no effect: the rule at ${formatLocation(taken)} defines that host, and takes precedence (as in ingress-nginx)`);
          continue;
        }
        for (const { rule, at } of byHost.get(host) ?? entry.rules) addRule(state, { ...rule, host: alias }, at);
      }
      continue;
    }
    const seen = new Set<string>();
    for (const { rule, at } of entry.rules) {
      const host = rule.host;
      if (typeof host !== "string" || host.startsWith("*.")) {
        addWarning(state, entry.at, `has no effect on the rule at ${formatLocation(at)}: it has ${host === undefined ? "no host" : "a wildcard host"}`);
        continue;
      }
      if (seen.has(host)) continue;
      seen.add(host);
      const other = host.startsWith("www.") ? host.slice(4) : `www.${host}`;
      if (defined.has(other)) continue; // ingress-nginx omits the redirect when a rule defines that host
      const backend = firstBackend(rule);
      if (backend === undefined) continue;
      addRule(state, {
        host: other,
        http: { paths: [{ path: "/", pathType: "Prefix", backend, filters: [{ type: "RequestRedirect", requestRedirect: { hostname: host, statusCode: WWW_REDIRECT_CODE } }] }] },
      }, entry.at);
    }
  }
}

/** A redirect rule still names a pool (Ingress paths need a backend); the redirect answers before it is used. */
function firstBackend(rule: Record<string, unknown>): unknown {
  const paths = isRecord(rule.http) && Array.isArray(rule.http.paths) ? rule.http.paths : [];
  const first = paths.find(isRecord);
  return first?.backend;
}
