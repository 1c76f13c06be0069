import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../core/config/parse";
import type { Config } from "../core/config/types";
import { diffConfigs } from "./diff";
import { explainCommand } from "./explain";
import type { Io } from "./output";

function config(doc: object): Config {
  const parsed = parseConfig({ pools: { web: { origins: [{ url: "https://web.example.net" }] } }, ...doc });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config;
}

describe("diffConfigs and statusPath", () => {
  it("shows a moved status page, and nothing when it stays", () => {
    expect(diffConfigs(config({}), config({ statusPath: "/_ops/" }))).toEqual(["~ statusPath: /.well-known/edge-ingress/ -> /_ops/"]);
    expect(diffConfigs(config({ statusPath: "/_ops/" }), config({ statusPath: "/_ops" }))).toEqual([]);
    expect(diffConfigs(undefined, config({})).some((l) => l.includes("statusPath"))).toBe(false);
  });
});

describe("explain and statusPath", () => {
  it("says the Worker answers paths under the prefix itself, and explains the rest as before", async () => {
    const dir = await mkdtemp(join(tmpdir(), "edge-ingress-explain-"));
    try {
      const file = join(dir, "c.json");
      await writeFile(file, JSON.stringify({ pools: { web: { origins: [{ url: "https://web.example.net" }] } }, rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } } }] } }] }));
      const run = async (path: string) => {
        const out: string[] = [];
        const io: Io = { out: (l) => out.push(l), err: () => {}, cwd: dir, env: {} };
        expect(await explainCommand([file], { host: "a.example.com", path }, io)).toBe(0);
        return out;
      };
      expect(await run("/.well-known/edge-ingress/x")).toEqual([
        "/.well-known/edge-ingress/x is under statusPath /.well-known/edge-ingress/: the Worker answers it itself (the status page; 404 without STATUS_TOKEN), on every host, and no rule applies",
      ]);
      expect((await run("/.well-known/other")).join("\n")).toContain("pool web");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
