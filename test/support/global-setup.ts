// Builds the Worker once, exactly as `wrangler deploy` would bundle it, so
// every workerd test runs the real bundle.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

export const WORKER_BUNDLE = "dist/test-worker/index.js";

export default function setup(): void {
  const wrangler = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
  execFileSync(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", "dist/test-worker"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
}
