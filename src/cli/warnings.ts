// Warnings that do not block apply: what works locally but not in production,
// or is probably not what the user meant.
import { locatePath, relocateSources, type DocLocation, type MergeResult } from "../core/config/manifests";
import type { Config } from "../core/config/types";
import { findUnreachableRoutes } from "../core/routing";
import { plainCredentialWarnings } from "./credentials";
import { unusedPoolWarnings } from "./unused-pools";

/** Subrequests one Worker invocation may make on the free plan; each probe is one. */
export const FREE_PLAN_SUBREQUESTS = 50;

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export interface Warning {
  /** Where the warned-about thing was written; undefined for the config as a whole. */
  readonly at?: DocLocation;
  readonly message: string;
}

export function configWarnings(config: Config, merge: MergeResult): Warning[] {
  // What the files say that edge-ingress treats differently (an Ingress's tls, another controller's annotations).
  const warnings: Warning[] = [...merge.warnings];
  for (const pool of config.pools.values()) {
    pool.origins.forEach((origin, i) => {
      const host = new URL(origin.url).hostname;
      if (IPV4.test(host) || host.startsWith("[")) {
        warnings.push({
          at: locatePath(merge, `pools.${pool.name}.origins[${i}].url`),
          message: `${origin.url} is an IP address; Cloudflare refuses to fetch IP addresses in production (error 1003): give the origin a DNS name`,
        });
      }
    });
  }

  const probed = [...config.pools.values()].reduce((n, p) => n + (p.healthCheck ? p.origins.length : 0), 0);
  if (probed > FREE_PLAN_SUBREQUESTS) {
    const every = Math.ceil(probed / FREE_PLAN_SUBREQUESTS);
    warnings.push({
      message:
        `${probed} origins have health checks, more than one cron run may probe on the free plan (${FREE_PLAN_SUBREQUESTS} subrequests per invocation): ` +
        `each run probes a rotating window of ${FREE_PLAN_SUBREQUESTS}, so each origin is probed every ${every} minutes; ` +
        "on a paid plan, raise HEALTH_MAX_PROBES_PER_RUN in wrangler.toml",
    });
  }

  warnings.push(...plainCredentialWarnings(config, merge));

  // Valid but answered with 500: a backendRef naming no pool (the Gateway API's rule for invalid backends).
  for (const w of config.warnings ?? []) warnings.push({ at: locatePath(merge, w.path), message: w.message });
  warnings.push(...hostRewriteWarnings(config, merge), ...poolHostWarnings(config, merge));

  for (const { route, reason } of findUnreachableRoutes(config.routes)) {
    warnings.push({ at: locatePath(merge, route.source), message: `can never match: ${relocateSources(merge, reason)}` });
  }
  warnings.push(...unusedPoolWarnings(config, merge));
  return warnings;
}

/** The same for a pool's (or an origin's) hostHeader and preserveHost, once per pool. */
function poolHostWarnings(config: Config, merge: MergeResult): Warning[] {
  const warnings: Warning[] = [];
  for (const pool of config.pools.values()) {
    const hosts = [pool.hostHeader, ...pool.origins.map((o) => o.hostHeader)].filter((h) => h !== undefined);
    if (hosts.length === 0 && pool.preserveHost !== true) continue;
    const ips = pool.origins.map((o) => new URL(o.url).hostname).filter((h) => IPV4.test(h) || h.startsWith("["));
    const what = pool.preserveHost === true ? "preserveHost sends the client's host" : `hostHeader sends ${[...new Set(hosts)].join(", ")}`;
    const field = pool.preserveHost === true ? "preserveHost" : pool.hostHeader !== undefined ? "hostHeader" : "origins";
    warnings.push({
      at: locatePath(merge, `pools.${pool.name}.${field}`),
      message:
        `${what} as Host: in production the origin receives it only when that host and the origin's host are both hostnames in your Cloudflare zone (the Worker fetches it with cf.resolveOverride)` +
        (ips.length > 0 ? `; ${ips.join(", ")} is an IP address, which resolveOverride cannot name: give the origin a hostname in the zone` : ""),
    });
  }
  return warnings;
}

/**
 * A Host rewrite (URLRewrite hostname) is carried out with cf.resolveOverride,
 * which Cloudflare honours only when the rewritten host and the origin's host
 * are both hostnames in the zone: say so once per rule, and refuse to pretend
 * for origins given as IP addresses.
 */
function hostRewriteWarnings(config: Config, merge: MergeResult): Warning[] {
  const warnings: Warning[] = [];
  const seen = new Set<string>();
  for (const route of [...(config.gatewayRoutes ?? []), ...config.routes]) {
    const action = route.action;
    if (action === undefined || seen.has(action.rule.source)) continue;
    seen.add(action.rule.source);
    for (const backend of action.backends) {
      const host = [...action.filters, ...backend.filters].find((f) => f.rewritesHost !== undefined)?.rewritesHost;
      if (host === undefined || backend.pool === undefined) continue;
      const origins = config.pools.get(backend.pool)?.origins ?? [];
      const ips = origins.map((o) => new URL(o.url).hostname).filter((h) => IPV4.test(h) || h.startsWith("["));
      // An Ingress path copied for a server-alias is written once: warn once.
      const at = locatePath(merge, action.rule.source);
      const key = `${JSON.stringify(at)} ${host} ${backend.pool}`;
      if (seen.has(key)) continue;
      seen.add(key);
      warnings.push({
        at,
        message:
          `${route.action?.rule.kind === "HTTPRoute" ? "URLRewrite hostname" : "Host rewrite (upstream-vhost or URLRewrite)"} ${host} (pool ${backend.pool}): in production the origin receives Host ${host} only when ${host} and the origin's host are both hostnames in your Cloudflare zone (the Worker fetches ${host} with cf.resolveOverride)` +
          (ips.length > 0 ? `; ${ips.join(", ")} is an IP address, which resolveOverride cannot name: give the origin a hostname in the zone` : ""),
      });
    }
  }
  return warnings;
}
