#!/usr/bin/env node
// The edge-ingress command. It runs the CLI bundled into dist/cli, built when
// the package is installed (`prepare`) or by `npm run build`. A bundle that is
// missing or was built from other sources is rebuilt first (about a second),
// so a fresh clone and edited sources both work; if that build fails, say why.
import { buildCli, BUNDLE, isFresh } from "../scripts/build-cli.mjs";

if (!isFresh()) {
  try {
    await buildCli();
  } catch (error) {
    const detail = (error.errors ?? []).map((e) => `${e.location?.file ?? ""}${e.location ? `:${e.location.line}` : ""}: ${e.text}`).join("; ");
    process.stderr.write(`edge-ingress: cannot build the CLI into dist/cli: ${detail || error.message}; run "npm install" (or "npm run build") in the edge-ingress folder\n`);
    process.exit(2);
  }
}
const { main } = await import(BUNDLE);
await main();
