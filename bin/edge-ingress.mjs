#!/usr/bin/env node
// The edge-ingress command. It runs the CLI bundled into dist/cli: shipped in
// the published package, and built in a clone when it is installed (`prepare`)
// or by `npm run build`. In a clone (the sources are beside this file), a
// bundle that is missing or was built from other sources is rebuilt first
// (about a second), so a fresh clone and edited sources both work; if that
// build fails, say why.
import { existsSync } from "node:fs";

const BUNDLE = new URL("../dist/cli/edge-ingress.mjs", import.meta.url);

if (existsSync(new URL("../src/cli/main.ts", import.meta.url))) {
  const { buildCli, isFresh } = await import("../scripts/build-cli.mjs");
  if (!isFresh()) {
    try {
      await buildCli();
    } catch (error) {
      const detail = (error.errors ?? []).map((e) => `${e.location?.file ?? ""}${e.location ? `:${e.location.line}` : ""}: ${e.text}`).join("; ");
      process.stderr.write(`edge-ingress: cannot build the CLI into dist/cli: ${detail || error.message}; run "npm install" (or "npm run build") in the edge-ingress folder\n`);
      process.exit(2);
    }
  }
}
const { main } = await import(BUNDLE.href);
await main();
