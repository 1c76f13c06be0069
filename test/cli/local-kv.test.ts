// Local KV in the CLI's own process: apply, status and rollback with --local
// read and write the storage `wrangler dev` and `wrangler kv --local` use
// (.wrangler/state beside wrangler.toml by default, the namespace of --env),
// without running wrangler. What they wrote is read back with wrangler itself.
import { spawn } from "node:child_process";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { KV_KEYS } from "../../src/core/config/stored";
import { cli, removeTempDirs, tempDir, WRANGLER_TOML, writeFiles } from "./helpers";

const WRANGLER = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
/** An environment in which no wrangler (no Node child process) can start. */
const NO_CHILD_NODE = { ...process.env, WRANGLER_SEND_METRICS: "false", NODE_OPTIONS: "--require=/nonexistent/edge-ingress-test.js" };

const config = (host: string) =>
  stringify({
    pools: { web: { origins: [{ url: `https://${host}` }] } },
    rules: [{ host: "app.test", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } } }] } }],
  });
const versionIn = (text: string | undefined) => (text === undefined ? undefined : (JSON.parse(text) as { version: string }).version);

/** `wrangler kv key get KEY --local` run from `cwd`, as a user would; undefined when absent. */
function wranglerGet(cwd: string, key: string, ...args: string[]): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER, "kv", "key", "get", key, "--binding", "INGRESS_KV", "--local", ...args], {
      cwd,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out === "Value not found\n" ? undefined : out) : reject(new Error(err))));
  });
}

async function project(extraToml = ""): Promise<{ dir: string; files: Record<string, string> }> {
  const dir = await tempDir("edge-ingress-project-");
  await copyFile(WRANGLER_TOML, join(dir, "wrangler.toml"));
  if (extraToml) await writeFile(join(dir, "wrangler.toml"), `${await readFile(join(dir, "wrangler.toml"), "utf8")}\n${extraToml}`);
  const files = await writeFiles(dir, { "a.yaml": config("a.example.net"), "b.yaml": config("b.example.net") });
  return { dir, files };
}

afterAll(removeTempDirs);

describe("local KV commands", () => {
  it("apply, status and rollback --local run no wrangler, and use .wrangler/state beside wrangler.toml as wrangler does", async () => {
    const { dir, files } = await project();
    const run = (...argv: string[]) => cli(argv, { cwd: dir, env: NO_CHILD_NODE });

    const a = await run("apply", files["a.yaml"]!, "--local");
    expect(a.code, a.stderr).toBe(0);
    const b = await run("apply", files["b.yaml"]!, "--local");
    expect(b.code, b.stderr).toBe(0);
    const [va, vb] = [a, b].map((r) => r.stdout.match(/^applied version ([0-9a-f]{12}) to local storage$/m)?.[1]);
    expect(versionIn(await wranglerGet(dir, KV_KEYS.config))).toBe(vb);

    const status = await run("status", "--local", "--json");
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ where: "local storage", version: vb, history: [{ version: vb }, { version: va }] });

    const back = await run("rollback", "--local");
    expect(back.code, back.stderr).toBe(0);
    expect(versionIn(await wranglerGet(dir, KV_KEYS.config))).toBe(va);
  }, 120_000);

  it("--env writes the namespace of [env.NAME], which wrangler reads with --env, and an unknown environment is refused", async () => {
    const { dir, files } = await project('[env.staging]\nkv_namespaces = [{ binding = "INGRESS_KV", id = "11111111111111111111111111111111" }]\n');
    const applied = await cli(["apply", files["a.yaml"]!, "--local", "--env", "staging"], { cwd: dir });
    expect(applied.code, applied.stderr).toBe(0);
    const version = applied.stdout.match(/^applied version ([0-9a-f]{12})/m)?.[1];
    expect(versionIn(await wranglerGet(dir, KV_KEYS.config, "--env", "staging"))).toBe(version);
    expect(await wranglerGet(dir, KV_KEYS.config)).toBeUndefined();

    const unknown = await cli(["status", "--local", "--env", "prod"], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(`edge-ingress: no environment "prod" in ${join(dir, "wrangler.toml")}: add [env.prod], or leave out --env`);
  }, 120_000);

  it("finds wrangler.toml in a parent directory, and says so when there is none", async () => {
    const { dir, files } = await project();
    const sub = await tempDir("edge-ingress-none-");
    const missing = await cli(["status", "--local"], { cwd: sub });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^edge-ingress: no wrangler config \(wrangler\.json, wrangler\.jsonc, wrangler\.toml\) in .* or above; run "edge-ingress init", or pass --config PATH$/);

    const nested = join(dir, "config");
    await writeFiles(dir, {});
    await import("node:fs/promises").then((fs) => fs.mkdir(nested));
    const applied = await cli(["apply", files["a.yaml"]!, "--local"], { cwd: nested });
    expect(applied.code, applied.stderr).toBe(0);
    expect(await wranglerGet(dir, KV_KEYS.config)).toBeDefined();
  }, 120_000);

  it("says in one line when --persist-to is not a directory it can use", async () => {
    const { dir, files } = await project();
    const run = await cli(["status", "--persist-to", files["a.yaml"]!, "--config", join(dir, "wrangler.toml")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^edge-ingress: cannot use .*a\.yaml.* for local storage: ENOTDIR.*; give --persist-to a directory edge-ingress may write$/);
  });
});
