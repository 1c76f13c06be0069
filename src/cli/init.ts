// `edge-ingress init [DIR]`: sets up a team's own repository (empty or not) to
// run edge-ingress from the package: a wrangler.toml whose Worker is the
// package's (worker.js, one line, re-exports it), an example config with
// routing cases, a .gitignore and a CI workflow. The files are copied from
// templates/init in the package. A file that exists is kept unless --force.
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError, type Io } from "./output";
import { PACKAGE_NAME, PACKAGE_VERSION } from "./package-info";

export interface InitOptions {
  readonly force?: boolean;
}

/** Template (under templates/init) -> where it is written. npm leaves .gitignore files out of packages, hence the plain names. */
const FILES: readonly { readonly from: string; readonly to: string; readonly what: string }[] = [
  { from: "wrangler.toml", to: "wrangler.toml", what: "the Worker: the package's router, the INGRESS_KV namespace, the health-check cron" },
  { from: "worker.js", to: "worker.js", what: "its entry: one line that re-exports the package's Worker" },
  { from: "config/edge-ingress.yaml", to: "config/edge-ingress.yaml", what: "an example config: two pools and an Ingress" },
  { from: "config/routing-cases.yaml", to: "config/routing-cases.yaml", what: "where requests must go, for `edge-ingress test`" },
  { from: "gitignore", to: ".gitignore", what: "keeps node_modules, local state and secrets out of git" },
  { from: "github-workflow.yml", to: ".github/workflows/edge-ingress.yml", what: "CI: validate, test --cases, then deploy and apply from main" },
];
const IGNORED = ["node_modules/", ".wrangler/", ".dev.vars"];
const CONFIG = "config/edge-ingress.yaml";
const NEXT: readonly (readonly [string, string])[] = [
  [`npx edge-ingress dev ${CONFIG} --demo-origins`, "the router on http://localhost:8787 with two demo origins: curl -H 'Host: app.example.com' localhost:8787/"],
  ["npx wrangler kv namespace create edge-ingress", "then put the id it prints into wrangler.toml"],
  [`npx wrangler deploy && npx edge-ingress apply ${CONFIG}`, "the Worker first, then its config (what CI does on main)"],
];

export async function initCommand(dir: string | undefined, options: InitOptions, io: Io): Promise<number> {
  const target = resolve(io.cwd, dir ?? ".");
  if (existsSync(target) && !statSync(target).isDirectory()) throw new CliError(`${target} is not a directory`);
  const templates = templatesDir();
  const rows: string[] = [];
  for (const file of FILES) {
    const path = join(target, file.to);
    const exists = existsSync(path);
    if (exists && !options.force) {
      rows.push(`  kept     ${file.to} (it exists; --force replaces it)`);
      continue;
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await readFile(join(templates, file.from), "utf8"));
    rows.push(`  ${exists ? "replaced" : "wrote   "} ${file.to}${exists ? "" : `  ${" ".repeat(Math.max(0, 34 - file.to.length))}${file.what}`}`);
  }
  io.out(`edge-ingress ${PACKAGE_VERSION} init in ${target}:`);
  for (const row of rows) io.out(row.trimEnd());
  notes(target, io);
  io.out("");
  io.out(dir === undefined || target === resolve(io.cwd) ? "next:" : `next, in ${dir}:`);
  const width = Math.max(...NEXT.map(([command]) => command.length));
  for (const [command, why] of NEXT) io.out(`  ${command.padEnd(width)}  # ${why}`);
  return 0;
}

/** What the team still has to do for what init did not write. */
function notes(target: string, io: Io): void {
  const gitignore = readText(join(target, ".gitignore"));
  const lines = new Set((gitignore ?? "").split(/\r?\n/).map((l) => l.trim()));
  const missing = IGNORED.filter((entry) => !lines.has(entry) && !lines.has(entry.replace(/\/$/, "")));
  if (missing.length > 0) io.err(`note: .gitignore does not ignore ${missing.join(", ")}: add them (local state and secrets)`);

  const manifest = join(target, "package.json");
  const pkg = readText(manifest);
  let listed = false;
  try {
    const parsed = pkg === undefined ? {} : (JSON.parse(pkg) as Record<string, Record<string, string> | undefined>);
    listed = ["dependencies", "devDependencies"].some((field) => parsed[field]?.[PACKAGE_NAME] !== undefined);
  } catch {
    listed = false;
  }
  if (!listed) {
    io.err(`note: ${PACKAGE_NAME} is not in ${manifest} yet: install it there first (npm install --save-dev --save-exact ${PACKAGE_NAME}@${PACKAGE_VERSION})`);
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** templates/init of this package: two levels up from src/cli (sources) and from dist/cli (the bundle). */
function templatesDir(): string {
  const dir = fileURLToPath(new URL("../../templates/init/", import.meta.url));
  if (!existsSync(dir)) throw new CliError(`the init templates are missing from ${dir}: reinstall ${PACKAGE_NAME}`);
  return dir;
}
