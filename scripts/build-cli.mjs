// Bundles the edge-ingress command (src/cli/main.ts and what it imports) with
// esbuild into one ES module, dist/cli/edge-ingress.mjs, so a command starts
// without compiling TypeScript, and the Worker (src/index.ts) into
// dist/worker/index.js, the entry the published package exports for a team's
// own wrangler.toml. `npm install`, `npm ci` and `npm pack` run it as the
// `prepare` script; in a clone, bin/edge-ingress.mjs rebuilds the CLI when its
// bundle is missing or was built from other sources (a clone installed with
// --ignore-scripts, or sources edited since).
//
// Freshness is a content hash, not mtimes (a checkout or a copy can give any
// file any time): dist/cli/build.json lists the bundle's own inputs (from
// esbuild's metafile) and the hash of their contents plus package-lock.json.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT_DIR = join(ROOT, "dist/cli");
export const BUNDLE = join(OUT_DIR, "edge-ingress.mjs");
export const WORKER_BUNDLE = join(ROOT, "dist/worker/index.js");
const STAMP = join(OUT_DIR, "build.json");
/** Files that change the bundle without being one of its inputs (dependency versions). */
const ALSO_HASHED = ["package-lock.json"];

/** The hash of the inputs' contents, or undefined when one of them is missing. */
function hashInputs(inputs) {
  const hash = createHash("sha256");
  for (const path of [...inputs, ...ALSO_HASHED]) {
    let content;
    try {
      content = readFileSync(join(ROOT, path));
    } catch {
      return undefined;
    }
    hash.update(`${path}\0${content.length}\0`).update(content);
  }
  return hash.digest("hex");
}

/** Whether dist/cli holds a bundle built from the sources as they are now. */
export function isFresh() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, "utf8"));
    readFileSync(BUNDLE, { flag: "r" }).length;
  } catch {
    return false;
  }
  return Array.isArray(stamp.inputs) && hashInputs(stamp.inputs) === stamp.hash;
}

/** Builds dist/cli; concurrent builds are safe (each file is written whole, then renamed). */
export async function buildCli() {
  const { build } = await import("esbuild");
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ["src/cli/main.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    outfile: BUNDLE,
    metafile: true,
    logLevel: "silent",
    // Loaded at run time from the install: each runs programs (workerd) and reads files of its own package.
    external: ["miniflare", "wrangler"],
    // Bundled CommonJS packages call require(); an ES module has none of its own.
    banner: { js: 'import { createRequire as __edgeIngressRequire } from "node:module";\nconst require = __edgeIngressRequire(import.meta.url);' },
  });
  // Only the project's own files: dependencies are covered by package-lock.json.
  const inputs = Object.keys(result.metafile.inputs)
    .filter((path) => !path.startsWith("node_modules/"))
    .sort();
  mkdirSync(OUT_DIR, { recursive: true });
  const suffix = `.${process.pid}.tmp`;
  writeFileSync(BUNDLE + suffix, result.outputFiles[0].contents);
  renameSync(BUNDLE + suffix, BUNDLE);
  writeFileSync(STAMP + suffix, `${JSON.stringify({ hash: hashInputs(inputs), inputs }, null, 2)}\n`);
  renameSync(STAMP + suffix, STAMP);
  return BUNDLE;
}

/**
 * The Worker as plain JavaScript with its dependencies inside, so a team's
 * wrangler.toml can point at it and wrangler bundles it like their own code.
 * The same conditions as wrangler's own bundling (workerd first).
 */
export async function buildWorker() {
  const { build } = await import("esbuild");
  await build({
    absWorkingDir: ROOT,
    entryPoints: ["src/index.ts"],
    bundle: true,
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    format: "esm",
    target: "es2022",
    outfile: WORKER_BUNDLE,
    external: ["cloudflare:*"],
    // bcryptjs imports Node's crypto only as a fallback for Web Crypto (its
    // package.json maps it to false for browsers, which a neutral build does
    // not read): the Worker has Web Crypto, so the import is left empty.
    plugins: [
      {
        name: "no-node-crypto",
        setup(b) {
          b.onResolve({ filter: /^crypto$/ }, () => ({ path: "crypto", namespace: "empty" }));
          b.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "export default undefined;" }));
        },
      },
    ],
    logLevel: "silent",
  });
  return WORKER_BUNDLE;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await Promise.all([buildCli(), buildWorker()]);
  for (const built of [BUNDLE, WORKER_BUNDLE]) process.stdout.write(`built ${built.slice(ROOT.length)}\n`);
}
