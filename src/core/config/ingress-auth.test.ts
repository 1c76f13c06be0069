import { describe, expect, it } from "vitest";
import { mergeDocuments, locateProblem } from "./manifests";
import { parseConfig } from "./parse";
import { preparedRoundTrip } from "./prepared";
import { formatLocation } from "./locations";

const pools = { pools: { web: { origins: [{ url: "https://web.example.net" }] } } };
const nginx = (name: string) => `nginx.ingress.kubernetes.io/${name}`;
function ingress(annotations: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "x", annotations },
    spec: { rules: [{ host: "a.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }], ...extra },
  };
}
function run(...values: unknown[]) {
  const merge = mergeDocuments(values.map((value, index) => ({ file: "a.yaml", index, value })));
  const parsed = parseConfig(merge.document);
  const problems = [...merge.problems, ...parsed.problems.map((p) => locateProblem(merge, p))].map((p) => `${p.path}: ${p.message}`);
  return { merge, parsed, problems, notes: merge.notes };
}
const at = (key: string) => `a.yaml[1]: metadata.annotations[${JSON.stringify(nginx(key))}] (Ingress x)`;

describe("Ingress authentication annotations", () => {
  it("turn auth-type basic into a BasicAuth filter on every path of the Ingress", () => {
    const { merge, parsed, problems, notes } = run(pools, ingress({ [nginx("auth-type")]: "basic", [nginx("auth-secret")]: "basic-auth", [nginx("auth-realm")]: "Staff", [nginx("auth-secret-type")]: "auth-map" }));
    expect(problems).toEqual([]);
    expect(notes).toEqual([]);
    const paths = (merge.document.rules as { http: { paths: { filters?: unknown }[] } }[])[0]?.http.paths;
    expect(paths?.[0]?.filters).toEqual([{ type: "BasicAuth", basicAuth: { secret: "basic-auth", secretType: "auth-map", realm: "Staff" } }]);
    if (!parsed.ok) return;
    expect(parsed.config.routes[0]?.action?.filters.map((f) => f.type)).toEqual(["BasicAuth"]);
    // The prepared form carries them: compiled again from what they were compiled from.
    const fast = preparedRoundTrip(parsed.config);
    expect(fast?.routes[0]?.action?.filters.map((f) => [f.type, f.describe()])).toEqual(parsed.config.routes[0]?.action?.filters.map((f) => [f.type, f.describe()]));
  });

  it("turn auth-url and its companions into an ExternalAuth filter", () => {
    const { merge, problems } = run(pools, ingress({
      [nginx("auth-url")]: "https://auth.example.com/oauth2/auth",
      [nginx("auth-signin")]: "https://auth.example.com/oauth2/start?rd=$escaped_request_uri",
      [nginx("auth-response-headers")]: "X-Auth-Request-User, X-Auth-Request-Email",
      [nginx("auth-method")]: "POST",
    }));
    expect(problems).toEqual([]);
    const paths = (merge.document.rules as { http: { paths: { filters?: unknown }[] } }[])[0]?.http.paths;
    expect(paths?.[0]?.filters).toEqual([{
      type: "ExternalAuth",
      externalAuth: {
        url: "https://auth.example.com/oauth2/auth",
        method: "POST",
        signin: "https://auth.example.com/oauth2/start?rd=$escaped_request_uri",
        responseHeaders: ["X-Auth-Request-User", "X-Auth-Request-Email"],
      },
    }]);
  });

  it("refuse every bad value at its annotation", () => {
    const { problems } = run(pools, ingress({
      [nginx("auth-type")]: "digest",
      [nginx("auth-secret")]: "ns/basic-auth",
      [nginx("auth-secret-type")]: "auth-json",
      [nginx("auth-url")]: "http://user:pw@auth.example.com/",
      [nginx("auth-method")]: "FETCH",
      [nginx("auth-response-headers")]: "X-Ok, bad header",
    }));
    const where = (p: string) => p.slice(0, p.indexOf(" (Ingress x)"));
    expect(problems.map(where)).toEqual(["auth-type", "auth-secret", "auth-secret-type", "auth-method", "auth-response-headers", "auth-url"].map((k) => where(at(k))));
    expect(problems[0]).toBe(`${at("auth-type")}: must be "basic" (digest authentication is not supported), got "digest"`);
    expect(problems.join("\n")).toMatch(/Worker secrets have no namespace/);
    expect(problems.join("\n")).toMatch(/must not carry credentials/);
  });

  it("refuse a missing auth-secret, and a defaultBackend the authentication would not cover", () => {
    const { problems } = run(pools, ingress({ [nginx("auth-type")]: "basic" }, { defaultBackend: { service: { name: "web", port: { number: 80 } } } }));
    expect(problems).toEqual([
      `${at("auth-type")}: needs ${nginx("auth-secret")}: the name of the Worker secret holding the users`,
    ]);
    const covered = run(pools, ingress({ [nginx("auth-type")]: "basic", [nginx("auth-secret")]: "users" }, { defaultBackend: { service: { name: "web", port: { number: 80 } } } }));
    expect(covered.problems).toEqual([expect.stringMatching(/^a\.yaml\[1\]: spec\.defaultBackend \(Ingress x\): would be served without the authentication/)]);
  });

  it("refuse the native filters field inside a kind: Ingress manifest", () => {
    const manifest = ingress({});
    (manifest.spec.rules[0]!.http.paths[0] as Record<string, unknown>).filters = [{ type: "BasicAuth", basicAuth: { secret: "users" } }];
    const { problems } = run(pools, manifest);
    expect(problems).toEqual([expect.stringMatching(/^a\.yaml\[1\]: spec\.rules\[0\]\.http\.paths\[0\]\.filters \(Ingress x\): unknown field/)]);
  });

  it("note a companion without the annotation it needs", () => {
    const { problems, notes } = run(pools, ingress({ [nginx("auth-realm")]: "Staff" }));
    expect(problems).toEqual([]);
    expect(notes).toEqual([`${at("auth-realm")}: ignored, harmless: it has no effect without ${nginx("auth-type")}, in ingress-nginx either`]);
  });
});

describe("an Ingress's defaultBackend and its annotations", () => {
  const defaultBackend = { defaultBackend: { service: { name: "web", port: { number: 80 } } } };
  const where = "a.yaml[1]: spec.defaultBackend (Ingress x)";

  it("refuses a defaultBackend that would be served without the access lists or the forced HTTPS redirect the annotations ask for", () => {
    const listed = run(pools, ingress({ [nginx("whitelist-source-range")]: "10.0.0.0/8", [nginx("denylist-source-range")]: "10.1.0.0/16" }, defaultBackend));
    expect(listed.problems).toEqual([`${where}: would be served without the allow and deny lists that the annotations ask for (they apply to the Ingress's paths): move it into a rule's path, or into another Ingress`]);
    expect(listed.merge.document.defaultBackend).toBeUndefined();
    const forced = run(pools, ingress({ [nginx("force-ssl-redirect")]: "true" }, defaultBackend));
    expect(forced.problems).toEqual([expect.stringContaining(`${where}: would be served without the HTTPS redirect`)]);
  });

  it("keeps a defaultBackend beside traffic annotations, with a warning naming what it is served without", () => {
    const { merge, problems } = run(pools, ingress({ [nginx("enable-cors")]: "true", [nginx("proxy-body-size")]: "1m" }, defaultBackend));
    expect(problems).toEqual([]);
    expect(merge.document.defaultBackend).toEqual(defaultBackend.defaultBackend);
    expect(merge.warnings.map((w) => `${formatLocation(w.at)}: ${w.message}`)).toEqual([
      `${where}: CORS and the body size limit from the annotations apply to this Ingress's paths, not to requests no rule matches, which this defaultBackend serves without them`,
    ]);
  });

  it("takes a defaultBackend beside annotations that make no filter as before", () => {
    const { merge, problems } = run(pools, ingress({ [nginx("ssl-redirect")]: "false" }, defaultBackend));
    expect(problems).toEqual([]);
    expect(merge.warnings).toEqual([]);
    expect(merge.document.defaultBackend).toEqual(defaultBackend.defaultBackend);
  });
});
