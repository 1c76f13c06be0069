// The Worker bundle exactly as `wrangler deploy` would upload it, and its
// gzipped size (level 9, as Cloudflare's size limit counts compressed bytes).
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readBundleMap } from "./workerd/bundle-map";

export interface BundleResult {
  readonly outDir: string;
  readonly rawBytes: number;
  readonly gzipBytes: number;
  readonly buildMs: number;
  /** Uncompressed bytes per package or src/ folder, largest first. */
  readonly parts: readonly { readonly part: string; readonly bytes: number }[];
}

/** Runs `wrangler deploy --dry-run --outdir <outDir>` in the repo root (bounded to 120 s). */
export async function buildBundle(repoRoot: string, outDir: string): Promise<BundleResult> {
  const wrangler = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      [wrangler, "deploy", "--dry-run", "--outdir", outDir],
      { cwd: repoRoot, timeout: 120_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" } },
      (error, _stdout, stderr) => (error ? reject(new Error(`wrangler build failed: ${error.message}\n${stderr}`)) : resolve()),
    );
  });
  const buildMs = performance.now() - started;
  const code = readFileSync(join(outDir, "index.js"));
  const parts = readBundleMap(join(outDir, "index.js")).bytesByPart();
  return { outDir, rawBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, buildMs, parts };
}

export interface WorkerSettings {
  readonly compatibilityDate: string;
  readonly compatibilityFlags: readonly string[];
}

/** compatibility_date and _flags from wrangler.toml, so workerd runs the bundle as Cloudflare would. */
export function workerSettings(repoRoot: string): WorkerSettings {
  const toml = readFileSync(join(repoRoot, "wrangler.toml"), "utf8");
  const date = /^compatibility_date\s*=\s*"([0-9-]+)"/m.exec(toml)?.[1];
  if (!date) throw new Error("wrangler.toml has no compatibility_date");
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? "";
  return { compatibilityDate: date, compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]!) };
}
