// The Worker bundle exactly as `wrangler deploy` would upload it (minified,
// as wrangler.toml says), and its gzipped size (level 9, as Cloudflare's size
// limit counts compressed bytes). The breakdown by package and the workerd
// runs use the same build unminified, whose module comments name each line's
// source file.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readBundleMap } from "./workerd/bundle-map";

export interface BundleResult {
  /** The unminified build (workerd runs it; profiles map its lines to sources). */
  readonly outDir: string;
  /** As deployed (minified). */
  readonly rawBytes: number;
  readonly gzipBytes: number;
  /** The same code unminified. */
  readonly unminifiedRawBytes: number;
  readonly unminifiedGzipBytes: number;
  readonly buildMs: number;
  /** Uncompressed bytes per package or src/ folder, largest first. */
  readonly parts: readonly { readonly part: string; readonly bytes: number }[];
}

/** Runs `wrangler deploy --dry-run` in the repo root twice (as configured, and unminified into `outDir`), each bounded to 120 s. */
export async function buildBundle(repoRoot: string, outDir: string): Promise<BundleResult> {
  const started = performance.now();
  const deployedDir = `${outDir}-deployed`;
  await dryRun(repoRoot, deployedDir, []);
  await dryRun(repoRoot, outDir, ["--no-minify"]);
  const buildMs = performance.now() - started;
  const deployed = readFileSync(join(deployedDir, "index.js"));
  const code = readFileSync(join(outDir, "index.js"));
  const parts = readBundleMap(join(outDir, "index.js")).bytesByPart();
  return {
    outDir,
    rawBytes: deployed.length,
    gzipBytes: gzipSync(deployed, { level: 9 }).length,
    unminifiedRawBytes: code.length,
    unminifiedGzipBytes: gzipSync(code, { level: 9 }).length,
    buildMs,
    parts,
  };
}

function dryRun(repoRoot: string, outDir: string, flags: readonly string[]): Promise<void> {
  const wrangler = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
  return new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      [wrangler, "deploy", "--dry-run", "--outdir", outDir, ...flags],
      { cwd: repoRoot, timeout: 120_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" } },
      (error, _stdout, stderr) => (error ? reject(new Error(`wrangler build failed: ${error.message}\n${stderr}`)) : resolve()),
    );
  });
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
