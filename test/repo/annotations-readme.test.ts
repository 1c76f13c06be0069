// README's "Ingress annotations" tables are the code's verdict table
// (src/core/config/annotations.ts): this fails when they drift (run
// `npx tsx scripts/gen-annotations-table.ts`).
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { NGINX_ANNOTATIONS } from "../../src/core/config/annotations";
import { CONTROLLER_KEYS } from "../../src/core/config/controller-configmap";
import { README_FILE, readmeWithTables } from "../../scripts/gen-annotations-table";

describe("README's Ingress annotations section", () => {
  it("holds the verdict tables exactly as the code has them", async () => {
    const readme = await readFile(README_FILE, "utf8");
    expect(readme, "README is stale: run `npx tsx scripts/gen-annotations-table.ts`").toBe(readmeWithTables(readme));
  });

  it("has one row per ingress-nginx annotation, with its verdict", async () => {
    const readme = await readFile(README_FILE, "utf8");
    for (const [name, entry] of Object.entries(NGINX_ANNOTATIONS)) {
      const line = readme.split("\n").find((l) => l.startsWith(`| \`${name}\` |`));
      expect(line, name).toBeDefined();
      expect(line, name).toContain(entry.reason);
    }
  });

  it("has one row per controller ConfigMap key with a verdict", async () => {
    const readme = await readFile(README_FILE, "utf8");
    const table = readme.slice(readme.indexOf("The controller ConfigMap's keys"));
    for (const [key, entry] of Object.entries(CONTROLLER_KEYS)) {
      const line = table.split("\n").find((l) => l.startsWith(`| \`${key}\` |`));
      expect(line, key).toContain(entry.reason);
    }
  });
});
