// `npm run deploy` stops before wrangler when the INGRESS_KV namespace id is
// the placeholder: scripts/predeploy.mjs run against temporary wrangler.toml
// files, with every network connection denied, and through npm itself.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url).pathname;
const SCRIPT = join(ROOT, "scripts/predeploy.mjs");
const DENY_NETWORK = join(ROOT, "test/support/deny-network.mjs");
const PLACEHOLDER = "00000000000000000000000000000000";
const REAL_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

let dir: string;

const toml = (topId: string | undefined, envs: Record<string, string | undefined> = {}) =>
  [
    'name = "edge-ingress"',
    'main = "src/index.ts"',
    'compatibility_date = "2026-04-20"',
    ...(topId === undefined ? [] : ["[[kv_namespaces]]", 'binding = "INGRESS_KV"', `id = "${topId}"`]),
    ...Object.entries(envs).flatMap(([env, id]) => [`[env.${env}]`, ...(id === undefined ? [] : [`[[env.${env}.kv_namespaces]]`, 'binding = "INGRESS_KV"', `id = "${id}"`])]),
  ].join("\n");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_ENV: "", ...options.env };
  const child = spawn(command, args, { cwd: options.cwd ?? dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function check(text: string, args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  const file = join(await mkdtemp(join(dir, "case-")), "wrangler.toml");
  await writeFile(file, text);
  const result = await run(process.execPath, ["--import", DENY_NETWORK, SCRIPT, "--config", file, ...args], { env });
  expect(result.stderr).not.toContain("NETWORK ACCESS ATTEMPTED");
  return result;
}

// Each run imports wrangler's config reader (about a second, several on a loaded machine).
const SLOW = 120_000;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edge-ingress-predeploy-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("scripts/predeploy.mjs", () => {
  it("stops on the placeholder id and says how to create the namespace", async () => {
    const result = await check(toml(PLACEHOLDER));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`edge-ingress: cannot deploy: the INGRESS_KV namespace id is the placeholder "${PLACEHOLDER}"`);
    expect(result.stderr).toContain("npx wrangler kv namespace create edge-ingress\n");
    expect(result.stderr).toContain('then under [[kv_namespaces]] with binding = "INGRESS_KV", set id = "<that id>"');
    expect(result.stderr).toContain("CLOUDFLARE_ENV=NAME npm run deploy");
  }, SLOW);

  it("lets a real-looking id through", async () => {
    const result = await check(toml(REAL_ID));
    expect(result.stderr).not.toContain("cannot deploy");
    expect(result.code).toBe(0);
  }, SLOW);

  it("refuses a missing binding and an id that is not one", async () => {
    const missing = await check(toml(undefined));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cannot deploy: no INGRESS_KV namespace in the top level.");
    const odd = await check(toml("my-namespace"));
    expect(odd.code).toBe(1);
    expect(odd.stderr).toContain('the INGRESS_KV namespace id "my-namespace" is not a namespace id (32 hexadecimal digits)');
  }, SLOW);

  it("checks the environment being deployed, chosen by --env or CLOUDFLARE_ENV as wrangler chooses it", async () => {
    const text = toml(PLACEHOLDER, { production: REAL_ID, staging: undefined });
    expect((await check(text, [], { CLOUDFLARE_ENV: "production" })).code).toBe(0);
    expect((await check(text, ["--env", "production"])).code).toBe(0);
    const staging = await check(text, [], { CLOUDFLARE_ENV: "staging" });
    expect(staging.code).toBe(1);
    expect(staging.stderr).toContain("no INGRESS_KV namespace in [env.staging] (kv_namespaces are not inherited from the top level)");
    expect(staging.stderr).toContain("npx wrangler kv namespace create edge-ingress --env staging");
    expect(staging.stderr).toContain("[[env.staging.kv_namespaces]]");
  }, SLOW);

  it("stops the repository's own wrangler.toml, whose id is the placeholder", async () => {
    const result = await run(process.execPath, ["--import", DENY_NETWORK, SCRIPT], { cwd: ROOT });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("placeholder");
  }, SLOW);

  it("runs before `npm run deploy` as package.json wires it, and stops the deploy", async () => {
    const { scripts } = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(scripts.predeploy).toBe("node scripts/predeploy.mjs");
    expect(scripts.deploy).toBe("wrangler deploy");
    // The same hook in a project whose deploy step only prints, so nothing can reach Cloudflare.
    const project = await mkdtemp(join(dir, "project-"));
    await writeFile(
      join(project, "package.json"),
      JSON.stringify({ name: "p", private: true, scripts: { predeploy: scripts.predeploy!.replace("scripts/", `${ROOT}scripts/`), deploy: "node -e \"console.log('DEPLOYED')\"" } }),
    );
    await writeFile(join(project, "wrangler.toml"), toml(PLACEHOLDER));
    const stopped = await run("npm", ["run", "deploy"], { cwd: project });
    expect(stopped.code).not.toBe(0);
    expect(stopped.stdout).not.toContain("DEPLOYED");
    expect(stopped.stderr).toContain("cannot deploy");

    await writeFile(join(project, "wrangler.toml"), toml(REAL_ID));
    const deployed = await run("npm", ["run", "deploy"], { cwd: project });
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toContain("DEPLOYED");
  }, SLOW);
});
