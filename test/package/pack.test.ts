// The published package, without this repository beside it: `npm pack`, then
// install the tarball into an empty directory (dependencies from the npm
// cache), `init`, `validate`, `test --cases`, `apply --local`, and `dev`,
// which routes a request to a real origin on 127.0.0.1.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, get, removeTempDirs, ROOT, tempDir, whoAnswers } from "../cli/helpers";
import { startOrigin, type TestOrigin } from "../support/origins";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** npm's own variables from an outer `npm test` would point the inner npm at this repository. */
const ENV = Object.fromEntries(Object.entries({ ...process.env, WRANGLER_SEND_METRICS: "false" }).filter(([k]) => !/^npm_/i.test(k)));

function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  const child = spawn(command, args, { cwd, env: ENV, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

let web: TestOrigin | undefined;
let api: TestOrigin | undefined;
let dev: ChildProcess | undefined;

afterAll(async () => {
  if (dev?.pid !== undefined && dev.exitCode === null) {
    const exited = new Promise((resolve) => dev!.on("exit", resolve));
    process.kill(-dev.pid, "SIGTERM");
    await exited;
  }
  await Promise.all([web?.close(), api?.close()]);
  await removeTempDirs();
});

describe("the published package", () => {
  it("declares as dependencies only what its bundles load at run time", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { private?: boolean; dependencies: Record<string, string> };
    expect(manifest.private).toBeUndefined();
    // Everything else is inside dist/ (scripts/build-cli.mjs): a dependency added for the Worker or the CLI belongs in devDependencies.
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["miniflare", "wrangler"]);
  });

  it("installs from its tarball into an empty directory, and init, validate, apply --local and dev work there", async () => {
    const packs = await tempDir("edge-ingress-pack-");
    const packed = await run("npm", ["pack", "--json", "--pack-destination", packs], ROOT);
    expect(packed.code, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as { filename: string; files: { path: string }[] }[];
    const files = info!.files.map((f) => f.path);
    expect(files).toContain("dist/worker/index.js");
    expect(files).toContain("dist/cli/edge-ingress.mjs");
    expect(files.filter((f) => /^(src|test|bench|scripts|examples)\/|\.ts$|fixtures/.test(f))).toEqual([]);

    const project = await tempDir("edge-ingress-project-");
    const installed = await run("npm", ["install", join(packs, info!.filename), "--prefer-offline", "--no-audit", "--no-fund"], project);
    expect(installed.code, installed.stderr).toBe(0);
    // No TypeScript at run time: the package ships JavaScript, and neither a compiler nor tsx comes with it.
    expect(await readdir(join(project, "node_modules"))).not.toContain("typescript");
    expect(existsSync(join(project, "node_modules/tsx"))).toBe(false);
    expect(existsSync(join(project, "node_modules/.bin/wrangler"))).toBe(true);

    const bin = join(project, "node_modules/.bin/edge-ingress");
    const init = await run(bin, ["init"], project);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain("npx edge-ingress dev config/edge-ingress.yaml --demo-origins");
    expect(init.stderr).toBe("");

    // The example's demo origins (web on 9001 and 9002, api on 9002), replaced by test origins on free ports.
    [web, api] = await Promise.all([startOrigin("web"), startOrigin("api")]);
    const config = join(project, "config/edge-ingress.yaml");
    const example = await readFile(config, "utf8");
    await writeFile(config, example.replaceAll("http://127.0.0.1:9001", web.url).replaceAll("http://127.0.0.1:9002", api.url));

    const validated = await run(bin, ["validate", "config/edge-ingress.yaml"], project);
    expect(validated.code, validated.stderr).toBe(0);
    const tested = await run(bin, ["test", "config/edge-ingress.yaml", "--cases", "config/routing-cases.yaml"], project);
    expect(tested.code, tested.stdout).toBe(0);
    const applied = await run(bin, ["apply", "config/edge-ingress.yaml", "--local"], project);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/^applied version [0-9a-f]{12} to local storage$/m);

    // dev with no files serves what apply wrote to .wrangler/state.
    const [port, inspector] = [await freePort(), await freePort()];
    const devArgs = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector)];
    dev = spawn(bin, devArgs, { cwd: project, env: ENV, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    dev.stdout?.on("data", (c: Buffer) => (output += c.toString()));
    dev.stderr?.on("data", (c: Buffer) => (output += c.toString()));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && dev.exitCode === null) {
      if (await get(port, "ready.test", "/").then(() => true, () => false)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(dev.exitCode, output).toBeNull();
    expect(await whoAnswers(port, "app.example.com", "/api/users"), output).toBe("api");
    expect(api.requests.at(-1)).toMatchObject({ method: "GET", url: "/api/users" });
    expect(await whoAnswers(port, "www.example.com", "/")).toBe("404");
  }, 180_000);
});
