// Acceptance: every example of the Kubernetes Ingress docs (path types table,
// hostname wildcards, the docs' example manifests) routed as the docs say,
// through the same path normalization as every request.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DefaultBackend, PathType, Route } from "../config/types";
import { compileRoutes } from "./index";

interface IngressBackend {
  service?: { name: string };
  resource?: { name: string };
}
interface IngressSpec {
  defaultBackend?: IngressBackend;
  rules?: { host?: string; http?: { paths: { path?: string; pathType: PathType; backend: IngressBackend }[] } }[];
}
interface Example {
  name: string;
  ingress: IngressSpec;
  requests: { host: string; path: string; expect: { backend?: string; status?: number } }[];
}

const examples = JSON.parse(
  readFileSync(new URL("../../../test/fixtures/conformance/ingress-docs-examples.json", import.meta.url), "utf8"),
) as Example[];

const backendName = (b: IngressBackend): string => b.service?.name ?? b.resource?.name ?? "";

/** Test-only: IngressSpec -> the normalized routes the config parser would produce. */
function toRoutes(spec: IngressSpec): { routes: Route[]; defaultBackend?: DefaultBackend } {
  const routes: Route[] = [];
  (spec.rules ?? []).forEach((rule, r) =>
    rule.http?.paths.forEach((p, i) =>
      routes.push({
        ...(rule.host === undefined ? {} : { host: rule.host }),
        path: p.path ?? "/",
        pathType: p.pathType,
        pool: backendName(p.backend),
        source: `rules[${r}].http.paths[${i}]`,
      }),
    ),
  );
  const defaultBackend = spec.defaultBackend && { pool: backendName(spec.defaultBackend), source: "defaultBackend" };
  return defaultBackend ? { routes, defaultBackend } : { routes };
}

describe("Kubernetes Ingress docs examples", () => {
  it("has examples to run", () => {
    expect(examples.length).toBeGreaterThan(10);
  });

  for (const example of examples) {
    it(example.name, () => {
      const { routes, defaultBackend } = toRoutes(example.ingress);
      const table = compileRoutes(routes, defaultBackend);
      for (const request of example.requests) {
        // As the Worker routes: the URL parser's pathname, normalized, then matched.
        const routed = table.route(request.host, new URL(`http://conformance.invalid${request.path}`).pathname);
        const got = routed.ok ? routed.match : undefined;
        const outcome = !routed.ok ? { status: 400 } : got === undefined ? { status: 404 } : { backend: got.pool };
        expect(outcome, `${request.host}${request.path}`).toEqual(request.expect);
      }
    });
  }
});
