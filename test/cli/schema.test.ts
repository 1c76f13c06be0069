// The committed JSON Schema is generated from the schema the parser validates
// with; this test fails when they drift (run `npx tsx scripts/gen-schema.ts`).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateSchema, SCHEMA_FILE } from "../../scripts/gen-schema";
import { ROOT } from "./helpers";

describe("schema/edge-ingress.schema.json", () => {
  it("equals a fresh generation from src/core/config/schema.ts", async () => {
    const committed = await readFile(SCHEMA_FILE, "utf8");
    expect(committed, "schema is stale: run `npx tsx scripts/gen-schema.ts`").toBe(generateSchema());
  });

  it("describes the native document and leaves manifests to the CLI", () => {
    const schema = JSON.parse(generateSchema());
    const native = schema.definitions.nativeDocument;
    expect(Object.keys(native.properties)).toEqual(["$schema", "pools", "rules", "defaultBackend", "pathNormalization", "statusPath", "hosts", "gateways", "httpRoutes"]);
    // Filters come from the registry: a new filter shows up here without touching the schema.
    const rule = native.properties.httpRoutes.items.properties.rules.items;
    expect(rule.properties.filters.items.description).toMatch(/RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect, URLRewrite, RequestMirror, CORS, .*, BasicAuth, ExternalAuth/);
    const filterTypes = rule.properties.filters.items.anyOf.map((f: { properties: { type: { const: string } } }) => f.properties.type.const);
    expect(filterTypes).toEqual(["RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite", "RequestMirror", "CORS", "RewriteTarget", "AppRoot", "StaticRedirect", "HTTPSRedirect", "AccessControl", "StrictTransportSecurity", "BasicAuth", "ExternalAuth", "NginxCORS", "RequestBodyLimit", "ErrorBackend", "BackendTimeouts", "NginxHeaders"]);
    expect(native.additionalProperties).toBe(false);
    expect(native.properties.pools.additionalProperties.properties.policy.enum).toEqual(["random", "round-robin", "least-recent"]);
    expect(schema.if).toEqual({ type: "object", required: ["kind"] });
  });

  it("is referenced by the example config", async () => {
    const example = await readFile(join(ROOT, "examples/edge-ingress.yaml"), "utf8");
    expect(example).toContain("# yaml-language-server: $schema=../schema/edge-ingress.schema.json");
  });
});
