// Native per-host policies: `hosts: [{host, filters}]`, for every request
// to a host whatever rule (Ingress, native or HTTPRoute) serves it, and for
// requests no rule matches too, as nginx's server-level settings are. Only
// the filters that make sense for a whole host are accepted: HTTPSRedirect,
// AccessControl, StrictTransportSecurity, BasicAuth and ExternalAuth. They
// run in the fixed order with the route's own (request/stages.ts): the
// host's HTTPS redirect, the route's; the host's access lists, the route's;
// the host's authentication, the route's; then the rest.
// `*.example.com` covers one or more labels; a precise host beats a
// wildcard, and a longer wildcard a shorter one.
import * as v from "valibot";
import type { Filter } from "../filters/filter";
import { httpRouteFilter } from "../filters/registry";
import { compileFilters } from "../gateway/rules";
import { inEvaluationOrder } from "../request/stages";
import { hostProblem } from "./ingress-schema";
import { got } from "./messages";
import type { Problem } from "./types";

export const HOST_FILTER_TYPES: readonly string[] = Object.freeze(["HTTPSRedirect", "AccessControl", "StrictTransportSecurity", "BasicAuth", "ExternalAuth"]);

export const hostPolicy = v.strictObject(
  {
    host: v.pipe(v.string((i) => `must be a host name, got ${got(i.input)}`), v.description('A precise host ("app.example.com") or a wildcard ("*.example.com": one or more labels).')),
    filters: v.pipe(
      v.array(httpRouteFilter, (i) => `must be a list of filters, got ${got(i.input)}`),
      v.minLength(1, "must list at least one filter"),
      v.maxLength(8, "must list at most 8 filters"),
      v.description(`Filters for every request to the host: ${HOST_FILTER_TYPES.join(", ")}.`),
    ),
  },
  (i) => `must be an object with "host" and "filters", got ${got(i.input)}`,
);

export const hostPolicies = v.pipe(
  v.array(hostPolicy, (i) => `must be a list of {host, filters}, got ${got(i.input)}`),
  v.description("Per-host policies (HTTPS redirect, HSTS, access lists, authentication), whatever rule serves the request."),
);

export interface HostPolicy {
  /** Lower-case; `*.suffix` for a wildcard. */
  readonly host: string;
  /** In evaluation order. */
  readonly filters: readonly Filter[];
  readonly source: string;
}

export function normalizeHostPolicies(raw: readonly v.InferOutput<typeof hostPolicy>[], pools: ReadonlySet<string>, problems: Problem[]): HostPolicy[] {
  const seen = new Set<string>();
  const out: HostPolicy[] = [];
  raw.forEach((entry, i) => {
    const at = `hosts[${i}]`;
    const host = entry.host.toLowerCase();
    const problem = hostProblem(host);
    if (problem) return void problems.push({ path: `${at}.host`, message: problem });
    if (seen.has(host)) return void problems.push({ path: `${at}.host`, message: `${got(host)} is listed twice: put all its filters in one entry` });
    seen.add(host);
    let ok = true;
    entry.filters.forEach((f, j) => {
      if (typeof f.type === "string" && !HOST_FILTER_TYPES.includes(f.type)) {
        ok = false;
        problems.push({ path: `${at}.filters[${j}].type`, message: `must be one of ${HOST_FILTER_TYPES.join(", ")} for a whole host, got ${got(f.type)} (put it on a rule)` });
      }
    });
    const ctx = { pools, matchPathTypes: ["PathPrefix"], namespace: "default", onBackendRef: false };
    const filters = compileFilters(entry.filters, `${at}.filters`, ctx, problems);
    if (ok) out.push(Object.freeze({ host, filters: inEvaluationOrder(filters), source: at }));
  });
  return out;
}

/** Host -> its policy's filters; precise first, then the longest wildcard. */
export interface HostPolicyTable {
  lookup(hostname: string): readonly Filter[] | undefined;
}

export function compileHostPolicies(policies: readonly HostPolicy[]): HostPolicyTable | undefined {
  if (policies.length === 0) return undefined;
  const exact = new Map<string, readonly Filter[]>();
  const wildcard = new Map<string, readonly Filter[]>();
  for (const p of policies) (p.host.startsWith("*.") ? wildcard : exact).set(p.host.startsWith("*.") ? p.host.slice(2) : p.host, p.filters);
  return Object.freeze({
    lookup(hostname: string) {
      const found = exact.get(hostname);
      if (found !== undefined || wildcard.size === 0) return found;
      // Longest suffix first: drop one label at a time.
      for (let dot = hostname.indexOf("."); dot !== -1; dot = hostname.indexOf(".", dot + 1)) {
        const filters = wildcard.get(hostname.slice(dot + 1));
        if (filters !== undefined) return filters;
      }
      return undefined;
    },
  });
}
