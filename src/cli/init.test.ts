// `edge-ingress init [DIR]`: what it writes into a team's own repository,
// that it never overwrites without --force, and what it prints next.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseToml } from "smol-toml";
import { initCommand } from "./init";
import { captureIo } from "./memory-kv";
import { validateCommand } from "./validate";
import { testCommand } from "./test-cases";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "edge-ingress-init-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const WRITTEN = [".github/workflows/edge-ingress.yml", ".gitignore", "config/edge-ingress.yaml", "config/routing-cases.yaml", "worker.js", "wrangler.toml"];

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, path)));
    else out.push(path);
  }
  return out.sort();
}

describe("init", () => {
  it("writes what a team needs into an empty directory, and prints the next three commands", async () => {
    const dir = await tempDir();
    const io = { ...captureIo(), cwd: dir };
    expect(await initCommand(undefined, {}, io)).toBe(0);
    expect(await listFiles(dir)).toEqual(WRITTEN);
    expect(await readFile(join(dir, "worker.js"), "utf8")).toBe('export { default } from "edge-ingress/worker";\n');
    const toml = parseToml(await readFile(join(dir, "wrangler.toml"), "utf8")) as { main: string; kv_namespaces: { binding: string }[] };
    expect(toml.main).toBe("worker.js");
    expect(toml.kv_namespaces.map((ns) => ns.binding)).toEqual(["INGRESS_KV"]);
    expect(await readFile(join(dir, ".gitignore"), "utf8")).toBe("node_modules/\n.wrangler/\n.dev.vars\n");
    const workflow = await readFile(join(dir, ".github/workflows/edge-ingress.yml"), "utf8");
    for (const step of ["npx edge-ingress validate", "npx edge-ingress test config/edge-ingress.yaml --cases config/routing-cases.yaml", "npx wrangler deploy", "npx edge-ingress apply"]) {
      expect(workflow).toContain(step);
    }
    const next = io.stdout.slice(io.stdout.indexOf("next:") + 1);
    expect(next.map((line) => line.trim().split("  #")[0]!.trim())).toEqual([
      "npx edge-ingress dev config/edge-ingress.yaml --demo-origins",
      "npx wrangler kv namespace create edge-ingress",
      "npx wrangler deploy && npx edge-ingress apply config/edge-ingress.yaml",
    ]);
    // Not installed in this directory yet: it says how, before the three commands.
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(new RegExp(`^note: edge-ingress is not in ${join(dir, "package.json")} yet: install it there first \\(npm install --save-dev --save-exact edge-ingress@\\d+\\.\\d+\\.\\d+\\)$`));
  });

  it("writes a config that validates and routing cases that pass", async () => {
    const dir = await tempDir();
    await initCommand(undefined, {}, { ...captureIo(), cwd: dir });
    const config = join(dir, "config/edge-ingress.yaml");
    const validated = captureIo();
    expect(await validateCommand([config], {}, validated)).toBe(0);
    const tested = captureIo();
    expect(await testCommand([config], { cases: join(dir, "config/routing-cases.yaml") }, tested), tested.stdout.join("\n")).toBe(0);
  });

  it("never overwrites a file without --force, says which it kept, and writes the others", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "wrangler.toml"), "# ours\n");
    await writeFile(join(dir, ".gitignore"), "dist/\nnode_modules/\n");
    await writeFile(join(dir, "package.json"), JSON.stringify({ devDependencies: { "edge-ingress": "0.2.0" } }));
    const io = { ...captureIo(), cwd: dir };
    expect(await initCommand(undefined, {}, io)).toBe(0);
    expect(await readFile(join(dir, "wrangler.toml"), "utf8")).toBe("# ours\n");
    expect(await readFile(join(dir, ".gitignore"), "utf8")).toBe("dist/\nnode_modules/\n");
    expect(io.stdout).toContain("  kept     wrangler.toml (it exists; --force replaces it)");
    expect(io.stderr).toEqual(["note: .gitignore does not ignore .wrangler/, .dev.vars: add them (local state and secrets)"]);
    expect(await listFiles(dir)).toEqual([...WRITTEN, "package.json"].sort());

    const forced = { ...captureIo(), cwd: dir };
    expect(await initCommand(undefined, { force: true }, forced)).toBe(0);
    expect(await readFile(join(dir, "wrangler.toml"), "utf8")).toContain('main = "worker.js"');
    expect(forced.stdout).toContain("  replaced wrangler.toml");
  });

  it("writes into DIR, creating it, and names it in the next steps", async () => {
    const parent = await tempDir();
    const io = { ...captureIo(), cwd: parent };
    expect(await initCommand("infra/edge", {}, io)).toBe(0);
    expect(await listFiles(join(parent, "infra/edge"))).toEqual(WRITTEN);
    expect(io.stdout).toContain("next, in infra/edge:");
  });

  it("writes the same Worker settings as this repository's wrangler.toml, with the package's entry", async () => {
    const dir = await tempDir();
    await initCommand(undefined, {}, { ...captureIo(), cwd: dir });
    const written = parseToml(await readFile(join(dir, "wrangler.toml"), "utf8"));
    const ours = parseToml(await readFile(new URL("../../wrangler.toml", import.meta.url), "utf8"));
    expect({ ...written, main: "(entry)" }).toEqual({ ...ours, main: "(entry)" });
  });

  it("refuses a DIR that is a file", async () => {
    const parent = await tempDir();
    await mkdir(join(parent, "d"));
    await writeFile(join(parent, "f"), "");
    await expect(initCommand("f", {}, { ...captureIo(), cwd: parent })).rejects.toThrow(`${join(parent, "f")} is not a directory`);
  });
});
