import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NGINX_ANNOTATIONS } from "./annotations";
import { formatLocation } from "./locations";
import { locateProblem, mergeDocuments, type SourceDocument } from "./manifests";
import { parseConfig } from "./parse";

const reference = JSON.parse(readFileSync(new URL("../../../test/fixtures/ingress-nginx-annotations.json", import.meta.url), "utf8")) as {
  annotations: { name: string }[];
};
const referenceNames = reference.annotations.map((a) => a.name);

const pools = { pools: { web: { origins: [{ url: "https://web.example.net" }] }, beta: { origins: [{ url: "https://beta.example.net" }] } } };
const nginx = (name: string) => `nginx.ingress.kubernetes.io/${name}`;

interface Options {
  readonly annotations?: Record<string, string>;
  readonly host?: string;
  readonly paths?: { path: string; pathType: string; pool?: string; port?: unknown }[];
}
function ingress(name: string, options: Options = {}) {
  const paths = options.paths ?? [{ path: "/", pathType: "Prefix" }];
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name, ...(options.annotations ? { annotations: options.annotations } : {}) },
    spec: {
      rules: [{
        host: options.host ?? "a.example.com",
        http: { paths: paths.map((p) => ({ path: p.path, pathType: p.pathType, backend: { service: { name: p.pool ?? "web", port: p.port ?? { number: 80 } } } })) },
      }],
    },
  };
}

/** Merge and parse as the CLI does; every line says where it is and what. */
function run(...values: unknown[]) {
  const documents: SourceDocument[] = values.map((value, index) => ({ file: "a.yaml", index, value }));
  const merge = mergeDocuments(documents);
  const parsed = parseConfig(merge.document);
  return {
    merge,
    problems: [...merge.problems, ...parsed.problems.map((p) => locateProblem(merge, p))].map((p) => `${p.path}: ${p.message}`),
    notes: merge.notes,
    warnings: merge.warnings.map((w) => `${formatLocation(w.at)}: ${w.message}`),
  };
}
const where = (doc: number, key: string, ingress: string) => `a.yaml[${doc}]: metadata.annotations[${JSON.stringify(key)}] (Ingress ${ingress})`;

describe("the verdict table", () => {
  it("has a verdict for every annotation of the ingress-nginx reference, and none it does not list", () => {
    expect(referenceNames.filter((name) => !NGINX_ANNOTATIONS[name])).toEqual([]);
    expect(Object.keys(NGINX_ANNOTATIONS).filter((name) => !referenceNames.includes(name))).toEqual([]);
  });

  it("is consistent: dependencies exist, accepted values only soften refusals, every entry says why", () => {
    for (const [name, entry] of Object.entries(NGINX_ANNOTATIONS)) {
      expect(entry.reason.length, name).toBeGreaterThan(20);
      if (entry.requires !== undefined) expect(NGINX_ANNOTATIONS[entry.requires]?.requires, `${name} requires ${entry.requires}`).toBeUndefined();
      if (entry.requires !== undefined) expect(NGINX_ANNOTATIONS[entry.requires], name).toBeDefined();
      // On a refused entry the values accepted anyway; on an honoured one the values that turn it off (enable-cors "false").
      if (entry.inert !== undefined) expect(["refused", "honoured"], name).toContain(entry.verdict);
    }
  });
});

describe("judging an Ingress's annotations", () => {
  it("refuses what restricts access, and accepts the values that ask for what edge-ingress does anyway", () => {
    const { problems, notes } = run(pools, ingress("x", { annotations: { [nginx("enable-cors")]: "false", [nginx("ssl-redirect")]: "false", [nginx("enable-global-auth")]: "true" } }));
    expect(notes).toEqual([]);
    expect(problems).toEqual([`${where(1, nginx("enable-global-auth"), "x")}: refused: ${NGINX_ANNOTATIONS["enable-global-auth"]?.reason} (accepted: "false")`]);
  });

  it("notes an annotation that ingress-nginx reads only beside another one that is absent, and refuses it beside that one", () => {
    const alone = run(pools, ingress("x", { annotations: { [nginx("auth-secret")]: "basic-auth", [nginx("session-cookie-path")]: "/x" } }));
    expect(alone.problems).toEqual([]);
    expect(alone.notes).toEqual([
      `${where(1, nginx("auth-secret"), "x")}: ignored, harmless: it has no effect without ${nginx("auth-type")}, in ingress-nginx either`,
      `${where(1, nginx("session-cookie-path"), "x")}: ignored, harmless: it has no effect without ${nginx("affinity")}, in ingress-nginx either`,
    ]);
    const together = run(pools, ingress("x", { annotations: { [nginx("auth-tls-verify-client")]: "on", [nginx("auth-tls-secret")]: "ns/ca" } }));
    expect(together.problems.map((p) => p.split(": refused: ")[0])).toEqual([where(1, nginx("auth-tls-verify-client"), "x"), where(1, nginx("auth-tls-secret"), "x")]);
  });

  it("warns about unknown ingress-nginx names and other controllers' annotations, and notes every other annotation", () => {
    const { problems, notes, warnings } = run(pools, ingress("x", {
      annotations: {
        [nginx("limit-rsp")]: "5",
        [nginx("frobnicate")]: "yes",
        "traefik.ingress.kubernetes.io/router.middlewares": "auth@kubernetescrd",
        "cert-manager.io/cluster-issuer": "letsencrypt",
        "team.example.com/owner": "a",
        "kubernetes.io/ingress.class": "nginx",
        "kubectl.kubernetes.io/last-applied-configuration": "{}",
      },
    }));
    expect(problems).toEqual([]);
    expect(warnings).toEqual([
      // "limit-rps" and "limit-rpm" are both two edits away: no guess.
      `${where(1, nginx("limit-rsp"), "x")}: not an ingress-nginx annotation (ingress-nginx ignores it too)`,
      `${where(1, nginx("frobnicate"), "x")}: not an ingress-nginx annotation (ingress-nginx ignores it too)`,
      `${where(1, "traefik.ingress.kubernetes.io/router.middlewares", "x")}: read by Traefik, not by edge-ingress: what it asks for does not happen`,
    ]);
    expect(notes).toEqual([
      `${where(1, "cert-manager.io/cluster-issuer", "x")}: ignored: read by cert-manager (certificates are not needed: Cloudflare terminates TLS), not by an ingress controller`,
      `${where(1, "team.example.com/owner", "x")}: ignored: not an annotation edge-ingress or a known ingress controller reads`,
    ]);
  });

  it("use-regex: \"true\" is honoured for regex paths, and refused when ingress-nginx would turn a Prefix or Exact path of the host into a regex", () => {
    const regex = ingress("regex", { annotations: { [nginx("use-regex")]: "true" }, paths: [{ path: "/api/v[0-9]+", pathType: "ImplementationSpecific" }] });
    expect(run(pools, regex).problems).toEqual([]);
    const plain = ingress("plain", { paths: [{ path: "/static", pathType: "Prefix" }] });
    expect(run(pools, regex, plain).problems).toEqual([
      `${where(1, nginx("use-regex"), "regex")}: refused: with "true", ingress-nginx reads every path of host "a.example.com" as a case-insensitive regular expression, ` +
        'including the Prefix path "/static" at a.yaml[2]: spec.rules[0].http.paths[0] (Ingress plain), which edge-ingress matches as written: make the host\'s paths ImplementationSpecific, or remove the annotation',
    ]);
    // Another host's Prefix paths are not touched.
    expect(run(pools, regex, ingress("other", { host: "b.example.com" })).problems).toEqual([]);
  });

  it("use-regex: \"false\" is refused beside ImplementationSpecific paths, which edge-ingress reads as regexes, and anything else is not a boolean", () => {
    const prefixOnly = ingress("p", { annotations: { [nginx("use-regex")]: "false" } });
    expect(run(pools, prefixOnly).problems).toEqual([]);
    const regexPaths = ingress("r", { annotations: { [nginx("use-regex")]: "false" }, paths: [{ path: "/a.*", pathType: "ImplementationSpecific" }] });
    expect(run(pools, regexPaths).problems).toEqual([
      `${where(1, nginx("use-regex"), "r")}: refused: with "false", ingress-nginx reads ImplementationSpecific paths as plain prefixes, and edge-ingress reads them as regular expressions: use pathType Prefix (or Exact) for those paths, or remove the annotation`,
    ]);
    expect(run(pools, ingress("y", { annotations: { [nginx("use-regex")]: "yes" } })).problems).toEqual([`${where(1, nginx("use-regex"), "y")}: must be "true" or "false", got "yes"`]);
  });

  it("makes each path of a canary Ingress the canary of the main Ingress's path, without merging its rules", () => {
    const canary = ingress("c", { annotations: { [nginx("canary")]: "true", [nginx("canary-weight")]: "20", [nginx("canary-by-header")]: "X-Canary" }, paths: [{ path: "/", pathType: "Prefix", pool: "beta" }] });
    const paired = run(pools, ingress("main"), canary);
    expect(paired.problems).toEqual([]);
    expect(paired.merge.document.rules).toHaveLength(1);
    const path = (paired.merge.document.rules![0] as { http: { paths: Record<string, unknown>[] } }).http.paths[0]!;
    expect(path.canary).toEqual({ backend: { service: { name: "beta", port: { number: 80 } } }, header: "X-Canary", weight: 20 });
    const parsed = parseConfig(paired.merge.document);
    expect(parsed.ok && parsed.config.routes[0]?.canary?.pool).toBe("beta");
    expect(run(pools, ingress("x", { annotations: { [nginx("canary")]: "false" } })).problems).toEqual([]);
  });

  it("refuses a canary with no main Ingress, two canaries for one path, a canary defaultBackend, and canary annotations without canary", () => {
    const canary = (name: string, path = "/") => ingress(name, { annotations: { [nginx("canary")]: "true" }, paths: [{ path, pathType: "Prefix", pool: "beta" }] });
    expect(run(pools, ingress("main"), canary("c", "/other")).problems).toEqual([
      `a.yaml[2]: spec.rules[0].http.paths[0] (Ingress c): no other Ingress has host "a.example.com" and path "/other": a canary Ingress takes part of the traffic of a main Ingress with the same host and path, ` +
        `and there is none (ingress-nginx would not use it either). Add the main Ingress, or remove the canary annotations (${where(2, nginx("canary"), "c")}) to route it on its own`,
    ]);
    expect(run(pools, ingress("main"), canary("c1"), canary("c2")).problems).toEqual([
      "a.yaml[3]: spec.rules[0].http.paths[0] (Ingress c2): a.yaml[1]: spec.rules[0].http.paths[0] (Ingress main) already has a canary, a.yaml[2]: spec.rules[0].http.paths[0] (Ingress c1): " +
        "a path takes at most one canary Ingress (ingress-nginx uses only one). Merge the two canaries or remove one",
    ]);
    const withDefault = canary("c");
    (withDefault.spec as Record<string, unknown>).defaultBackend = { service: { name: "beta", port: { number: 80 } } };
    expect(run(pools, ingress("main"), withDefault).problems).toEqual([
      "a.yaml[2]: spec.defaultBackend (Ingress c): a canary Ingress takes part of the traffic of another Ingress's paths; a defaultBackend has no main Ingress path to share: move it to a non-canary Ingress",
    ]);
    expect(run(pools, ingress("x", { annotations: { [nginx("canary-weight")]: "20", [nginx("canary")]: "false" } })).problems).toEqual([
      `${where(1, nginx("canary-weight"), "x")}: has no effect without canary: "true" on this Ingress, and ingress-nginx refuses a canary configured but not enabled: set canary: "true", or remove it`,
    ]);
    const bad = ingress("c", { annotations: { [nginx("canary")]: "true", [nginx("canary-weight")]: "half", [nginx("canary-by-header-pattern")]: "(" }, paths: [{ path: "/", pathType: "Prefix", pool: "beta" }] });
    expect(run(pools, ingress("main"), bad).problems.map((p) => p.split(": ")[1])).toEqual([`metadata.annotations["${nginx("canary-weight")}"] (Ingress c)`, `metadata.annotations["${nginx("canary-by-header-pattern")}"] (Ingress c)`, `metadata.annotations["${nginx("canary-by-header-pattern")}"] (Ingress c)`]);
  });

  it("puts an Ingress's affinity annotations on each of its paths, and refuses bad values by annotation", () => {
    const sticky = ingress("s", { annotations: { [nginx("affinity")]: "cookie", [nginx("session-cookie-name")]: "route", [nginx("session-cookie-max-age")]: "60" } });
    const merged = run(pools, sticky);
    expect(merged.problems).toEqual([]);
    const path = (merged.merge.document.rules![0] as { http: { paths: Record<string, unknown>[] } }).http.paths[0]!;
    expect(path.affinity).toEqual({ cookie: { name: "route", mode: "balanced", maxAgeSeconds: 60 } });
    const parsed = parseConfig(merged.merge.document);
    expect(parsed.ok && parsed.config.routes[0]?.affinity).toMatchObject({ kind: "cookie", cookie: { cookieName: "route", maxAgeSeconds: 60 } });
    expect(run(pools, ingress("t", { annotations: { [nginx("affinity")]: "ip", [nginx("session-cookie-samesite")]: "Loose" } })).problems).toEqual([
      `${where(1, nginx("affinity"), "t")}: must be "cookie" (the only affinity type), got "ip"`,
      `${where(1, nginx("session-cookie-samesite"), "t")}: must be "None", "Lax" or "Strict", got "Loose"`,
    ]);
    expect(run(pools, ingress("u", { annotations: { [nginx("session-cookie-name")]: "route" } })).notes).toEqual([
      `${where(1, nginx("session-cookie-name"), "u")}: ignored, harmless: it has no effect without ${nginx("affinity")}, in ingress-nginx either`,
    ]);
  });

  it("refuses one pool named with two different ports, since the pool's origins carry the port", () => {
    const one = ingress("one", { paths: [{ path: "/", pathType: "Prefix", port: { number: 80 } }] });
    const metrics = ingress("metrics", { paths: [{ path: "/metrics", pathType: "Prefix", port: { number: 9090 } }] });
    expect(run(pools, one, metrics).problems).toEqual([
      'a.yaml[2]: spec.rules[0].http.paths[0].backend.service.port (Ingress metrics): pool "web" is named with port 80 at a.yaml[1]: spec.rules[0].http.paths[0].backend.service.port (Ingress one); ' +
        "one pool is one set of origins and cannot also stand for port 9090: define another pool for that port",
    ]);
    const named = ingress("named", { paths: [{ path: "/x", pathType: "Prefix", port: { name: "http" } }] });
    expect(run(pools, named, ingress("again", { paths: [{ path: "/y", pathType: "Prefix", port: { name: "http" } }] })).problems).toEqual([]);
  });
});
