// The Worker bundle exactly as `wrangler deploy` would upload it (minified,
// as wrangler.toml says), and its gzipped size (level 9, as Cloudflare's size
// limit counts compressed bytes). esbuild's metafile of that build says how
// many of its bytes each module left after minification and tree shaking
// (what to cut next); the workerd runs use the same build unminified, whose
// module comments name each line's source file.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { partOf, readBundleMap } from "./workerd/bundle-map";

export interface BundleResult {
  /** The unminified build (workerd runs it; profiles map its lines to sources). */
  readonly outDir: string;
  /** The deployed build's directory (minified, as uploaded). */
  readonly deployedDir: string;
  /** As deployed (minified). */
  readonly rawBytes: number;
  readonly gzipBytes: number;
  /** The same code unminified. */
  readonly unminifiedRawBytes: number;
  readonly unminifiedGzipBytes: number;
  readonly buildMs: number;
  /** Uncompressed bytes of the unminified build per package or src/ folder, largest first. */
  readonly parts: readonly BundlePart[];
  /** Bytes of the deployed (minified) build per package or src/ folder (esbuild's bytesInOutput), largest first. */
  readonly deployedParts: readonly BundlePart[];
  /** The same per module file, largest first. */
  readonly deployedFiles: readonly BundlePart[];
}

export interface BundlePart {
  readonly part: string;
  readonly bytes: number;
}

/** Runs `wrangler deploy --dry-run` in the repo root twice (as configured, and unminified into `outDir`), each bounded to 120 s. */
export async function buildBundle(repoRoot: string, outDir: string): Promise<BundleResult> {
  const started = performance.now();
  const deployedDir = `${outDir}-deployed`;
  const metafile = join(deployedDir, "meta.json");
  await dryRun(repoRoot, deployedDir, ["--metafile", metafile]);
  await dryRun(repoRoot, outDir, ["--no-minify"]);
  const buildMs = performance.now() - started;
  const deployed = readFileSync(join(deployedDir, "index.js"));
  const code = readFileSync(join(outDir, "index.js"));
  const parts = readBundleMap(join(outDir, "index.js")).bytesByPart();
  const deployedFiles = bytesInOutput(metafile);
  return {
    outDir,
    deployedDir,
    rawBytes: deployed.length,
    gzipBytes: gzipSync(deployed, { level: 9 }).length,
    unminifiedRawBytes: code.length,
    unminifiedGzipBytes: gzipSync(code, { level: 9 }).length,
    buildMs,
    parts,
    deployedParts: sumBy(deployedFiles, (file) => partOf(file)),
    deployedFiles,
  };
}

/** Bytes each input file left in the output, from an esbuild metafile (wrangler's --metafile), largest first. */
function bytesInOutput(metafilePath: string): BundlePart[] {
  const meta = JSON.parse(readFileSync(metafilePath, "utf8")) as { outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }> };
  const bundle = Object.values(meta.outputs).find((output) => output.entryPoint !== undefined);
  if (!bundle) throw new Error(`${metafilePath} names no entry point's output`);
  return sumBy(
    Object.entries(bundle.inputs).map(([part, input]) => ({ part, bytes: input.bytesInOutput })),
    (file) => file,
  );
}

function sumBy(files: readonly BundlePart[], key: (file: string) => string): BundlePart[] {
  const sizes = new Map<string, number>();
  for (const { part, bytes } of files) if (bytes > 0) sizes.set(key(part), (sizes.get(key(part)) ?? 0) + bytes);
  return [...sizes].map(([part, bytes]) => ({ part, bytes })).sort((a, b) => b.bytes - a.bytes);
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
