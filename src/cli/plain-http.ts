// An origin reached over plain http:// from Cloudflare's edge crosses the
// internet unencrypted: anyone on the way can read and change requests,
// responses and any credential or cookie in them. Worth a warning, except for
// origins on this machine (local development, the demo origins).
import { locatePath, type MergeResult } from "../core/config/manifests";
import type { Config } from "../core/config/types";
import type { Warning } from "./warnings";

/** Loopback names and addresses: traffic to them never leaves the machine. */
export function isLocalHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return host === "localhost" || host.endsWith(".localhost") || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === "::1";
}

export function plainHttpWarnings(config: Config, merge: MergeResult): Warning[] {
  const warnings: Warning[] = [];
  for (const pool of config.pools.values()) {
    pool.origins.forEach((origin, i) => {
      const url = new URL(origin.url);
      if (url.protocol !== "http:" || isLocalHost(url.hostname)) return;
      warnings.push({
        at: locatePath(merge, `pools.${pool.name}.origins[${i}].url`),
        message: `${origin.url} is plain http://: requests, responses, cookies and credentials cross the network between Cloudflare and the origin unencrypted. Use https:// (or a Cloudflare Tunnel to the origin)`,
      });
    });
  }
  return warnings;
}
