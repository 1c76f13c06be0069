// Deterministic (seeded) native config documents of N path rules, and sample
// requests against them, for the benchmarks. The mix imitates a large shared
// ingress: mostly precise hosts with a handful of paths each, some
// `*.tenant` wildcards (a few with precise hosts under them, so precedence is
// exercised), one host-less rule set for ACME challenges, Exact and Prefix
// paths one to four segments deep, and about one regex (ImplementationSpecific)
// path in two hundred. "N rules" counts path rules (flattened routes), which is
// what the router compiles and matches.

import { seededRandom } from "../test/support/seeded-random";

export type Random = () => number;

export { seededRandom };

export interface SampleRequest {
  /** Host header as a client sends it (sometimes with a port or in upper case). */
  readonly host: string;
  /** Path and query. */
  readonly pathAndQuery: string;
  /** Whether some rule matches (which one is for the router's precedence to say). */
  readonly expectMatch: boolean;
}

export interface Generated {
  readonly ruleCount: number;
  /** The native document (what `edge-ingress apply` stores under `config`). */
  readonly document: NativeDocument;
  readonly samples: readonly SampleRequest[];
  /** Every pool name, in declaration order. */
  readonly poolNames: readonly string[];
}

export interface NativeDocument {
  pools: Record<string, { policy: string; origins: { url: string; weight?: number }[] }>;
  rules: { host?: string; http: { paths: NativePath[] } }[];
}

interface NativePath {
  path: string;
  pathType: "Exact" | "Prefix" | "ImplementationSpecific";
  backend: { service: { name: string } };
}

const SEGMENTS = ["api", "v1", "v2", "users", "orders", "static", "assets", "img", "admin", "search", "cart", "docs", "auth", "billing", "events", "feed"];
const POLICIES = ["round-robin", "random", "least-recent"] as const;

/**
 * Regex paths with a request path each matches. Every pattern is accepted by
 * checkRegexPath (RE2 syntax, small programs).
 */
const REGEXES: readonly { pattern: string; example: (n: number) => string }[] = [
  { pattern: "/api/v[0-9]+/items/[0-9]+$", example: (n) => `/api/v2/items/${n}` },
  { pattern: "/(images|img)/[a-z0-9_-]+\\.(png|jpg|webp)$", example: (n) => `/img/photo-${n}.webp` },
  { pattern: "/u/[a-z0-9]{3,16}/profile", example: (n) => `/u/user${n % 1000}/profile` },
  { pattern: "/files/.+\\.pdf$", example: (n) => `/files/report/${n}.pdf` },
];

export interface GenerateOptions {
  readonly seed?: number;
  /** Sample requests to produce; about one in eight is a miss. Default 1024. */
  readonly sampleCount?: number;
  /**
   * Origin URLs of pool i, origin j. Default `https://o{j}.pool-{i}.origin.internal`.
   * The end-to-end run points every origin at its local origin server.
   */
  readonly originUrl?: (pool: number, origin: number) => string;
}

export function generateConfig(ruleCount: number, options: GenerateOptions = {}): Generated {
  const random = seededRandom(options.seed ?? 0x5eed + ruleCount);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const originUrl = options.originUrl ?? ((p: number, o: number) => `https://o${o}.pool-${p}.origin.internal`);

  // About one pool per 20 rules (at least 2), each with 1 to 4 weighted origins.
  const poolCount = Math.max(2, Math.ceil(ruleCount / 20));
  const pools: NativeDocument["pools"] = {};
  const poolNames: string[] = [];
  for (let p = 0; p < poolCount; p++) {
    const name = `pool-${p}`;
    poolNames.push(name);
    const origins = Array.from({ length: int(1, 4) }, (_, o) => ({ url: originUrl(p, o), ...(random() < 0.3 ? { weight: int(1, 5) } : {}) }));
    pools[name] = { policy: POLICIES[p % POLICIES.length]!, origins };
  }

  const rules: NativeDocument["rules"] = [];
  /** What the samples are drawn from: a host that reaches the rule, and the rule. */
  const targets: Target[] = [];
  let remaining = ruleCount;

  // Host-less rules match every host: an ACME challenge path, as many setups have.
  if (ruleCount >= 10) {
    const path: NativePath = { path: "/.well-known/acme-challenge/", pathType: "Prefix", backend: { service: { name: poolNames[0]! } } };
    rules.push({ http: { paths: [path] } });
    remaining--;
  }

  // Rules naming the same host are merged by the router, so paths are kept
  // unique per host (the same path to two pools would be refused).
  const hosts = new Map<string, { seen: Set<string>; catchAll: boolean }>();
  const drafts: { ruleHost: string; requestHost: string; path: NativePath }[] = [];
  for (let h = 0; remaining > 0; h++) {
    const tenant = `t${Math.floor(h / 8)}`;
    const roll = random();
    // 10% wildcard hosts (the third host always, so small configs have one); 5% precise hosts under a tenant that also has a wildcard.
    const wildcard = roll < 0.1 || h === 2;
    const host = wildcard ? `*.${tenant}.example.net` : roll < 0.15 ? `www.${tenant}.example.net` : `app-${h}.zone-${h % 97}.example.com`;
    let state = hosts.get(host);
    if (!state) hosts.set(host, (state = { seen: new Set(), catchAll: false }));
    const hostPool = pick(poolNames);
    const paths: NativePath[] = [];
    const pathCount = Math.min(remaining, int(1, 6));
    for (let i = 0; i < pathCount; i++) {
      let path: NativePath;
      const kind = random();
      const service = { name: random() < 0.7 ? hostPool : pick(poolNames) };
      // The first host's second path is always a regex, so small configs have one.
      if (kind < 0.005 || (h === 0 && i === 1)) {
        path = { path: pick(REGEXES).pattern, pathType: "ImplementationSpecific", backend: { service } };
      } else {
        const depth = int(1, 4);
        let text = "";
        for (let d = 0; d < depth; d++) text += `/${random() < 0.2 ? `s${int(0, 50)}` : pick(SEGMENTS)}`;
        path = { path: i === 0 && random() < 0.5 ? "/" : text, pathType: kind < 0.4 ? "Exact" : "Prefix", backend: { service } };
      }
      const id = `${path.pathType} ${path.path}`;
      if (state.seen.has(id)) continue;
      state.seen.add(id);
      if (path.path === "/" && path.pathType === "Prefix") state.catchAll = true;
      paths.push(path);
      drafts.push({ ruleHost: host, requestHost: wildcard ? `x${int(0, 999)}.${tenant}.example.net` : host, path });
    }
    if (paths.length === 0) continue;
    rules.push({ host, http: { paths } });
    remaining -= paths.length;
  }
  for (const d of drafts) targets.push({ host: d.requestHost, path: d.path, catchAll: hosts.get(d.ruleHost)!.catchAll });

  const samples = makeSamples(targets, options.sampleCount ?? 1024, random, int);
  return { ruleCount, document: { pools, rules }, samples, poolNames };
}

interface Target {
  /** A request host that reaches this rule's host group. */
  readonly host: string;
  readonly path: NativePath;
  /** The host group has a `/` Prefix rule, so no path of this host misses. */
  readonly catchAll: boolean;
}

function makeSamples(
  targets: readonly Target[],
  count: number,
  random: Random,
  int: (min: number, max: number) => number,
): SampleRequest[] {
  const samples: SampleRequest[] = [];
  for (let i = 0; i < count; i++) {
    const roll = random();
    if (roll < 0.06) {
      // A host no rule names (only the host-less ACME rule could match it).
      samples.push({ host: `unknown-${i}.example.org`, pathAndQuery: `/x/${i}`, expectMatch: false });
      continue;
    }
    const target = targets[int(0, targets.length - 1)]!;
    if (roll < 0.1) {
      // A known host, a path none of its rules has ("/" Prefix catches it, if present).
      samples.push({ host: target.host, pathAndQuery: `/zz-missing/${i}`, expectMatch: target.catchAll });
      continue;
    }
    let host = target.host;
    if (roll > 0.95) host = `${host.toUpperCase()}:443`;
    const p = target.path;
    let pathAndQuery: string;
    if (p.pathType === "ImplementationSpecific") {
      pathAndQuery = REGEXES.find((r) => r.pattern === p.path)!.example(i);
    } else if (p.pathType === "Exact") {
      pathAndQuery = p.path;
    } else {
      const base = p.path === "/" ? "" : p.path;
      pathAndQuery = random() < 0.5 ? `${base}/item/${i}` : p.path;
    }
    if (random() < 0.3) pathAndQuery += `?q=${i}&page=${int(1, 9)}`;
    samples.push({ host, pathAndQuery, expectMatch: true });
  }
  return samples;
}
