// Generates schema/edge-ingress.schema.json from the very valibot schema the
// parser validates with (src/core/config/schema.ts), so editors validate and
// complete config files the way `edge-ingress validate` does.
// Run: npx tsx scripts/gen-schema.ts   (test/cli/schema.test.ts checks that the
// committed file equals a fresh generation, so the two cannot drift).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { toJsonSchema } from "@valibot/to-json-schema";
import { nativeDocument } from "../src/core/config/schema";

export const SCHEMA_FILE = fileURLToPath(new URL("../schema/edge-ingress.schema.json", import.meta.url));

export function generateSchema(): string {
  // Checks written as functions (URL parsing, host names, ranges) have no JSON
  // Schema form; they are left to `edge-ingress validate`.
  const { $schema, required, ...native } = toJsonSchema(nativeDocument, { errorMode: "ignore" }) as Record<string, unknown>;
  // "pools" is required of the merged document, not of each file: the CLI
  // merges every document it is given, so one file may hold only rules.
  if (JSON.stringify(required) !== '["pools"]') throw new Error(`unexpected required fields: ${JSON.stringify(required)}`);
  const schema = {
    $schema,
    title: "edge-ingress config",
    description:
      "A native edge-ingress document (pools, rules, defaultBackend, gateways, httpRoutes). A document with `kind` is a Kubernetes manifest " +
      "(networking.k8s.io/v1 Ingress, gateway.networking.k8s.io/v1 Gateway or HTTPRoute, or a List of them; other kinds are skipped or refused), " +
      "checked by `edge-ingress validate`, not by this schema. " +
      "All documents given to the CLI are merged; together they must define the pools.",
    if: { type: "object", required: ["kind"] },
    then: { type: "object", properties: { apiVersion: { type: "string" }, kind: { type: "string" } } },
    else: { $ref: "#/definitions/nativeDocument" },
    definitions: { nativeDocument: native },
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_FILE, generateSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
