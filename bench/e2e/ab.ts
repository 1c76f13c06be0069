// A/B of router builds end to end: several router bundles (each a
// `wrangler deploy --dry-run --outdir DIR` output, optionally with its own
// vars) and the bare pass-through, all in ONE workerd, loaded by the same
// client with the same requests in rounds whose order rotates, so drift in a
// shared machine's load falls on every variant alike. The measure is workerd
// CPU per request from /proc; medians over rounds. Prints a table and writes
// nothing. Usage:
//   npx tsx bench/e2e/ab.ts base=/path/to/bundle new=/path/to/other[:VAR=value,VAR2=value] [--rounds 5 --round-seconds 4 --rules 10000 --connections 10] [--cf]
// --cf gives every request a request.cf object the size of the one Cloudflare
// sends (workerd's cfBlobHeader), which the runtime parses on first access.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { KV_KEYS } from "../../src/core/config/stored";
import { workerSettings } from "../bundle";
import { generateConfig } from "../generate";
import { spawnTracked, stop, stopAll, waitForLine } from "../processes";
import { workerdBinary } from "../workerd/server";
import { runLoad, type LoadRequest } from "./load";
import { median } from "./run";
import { getOnce, startOrigin } from "./stack";
import { CF_BLOB, CF_BLOB_HEADER } from "../workerd/cf-blob";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const here = join(repoRoot, "bench/workerd");

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: "string", default: "5" },
    "round-seconds": { type: "string", default: "4" },
    rules: { type: "string", default: "10000" },
    connections: { type: "string", default: "10" },
    cf: { type: "boolean", default: false },
  },
});
const variants = positionals.map((spec) => {
  const eq = spec.indexOf("=");
  if (eq <= 0) throw new Error(`expected name=bundleDir[:VAR=value,...], got ${spec}`);
  const [dir, varText] = spec.slice(eq + 1).split(":");
  const vars = Object.fromEntries((varText ?? "").split(",").filter(Boolean).map((kv) => kv.split("=") as [string, string]));
  return { name: spec.slice(0, eq), dir: resolve(dir!), vars };
});
if (variants.length === 0) throw new Error("give at least one name=bundleDir");

const q = JSON.stringify;
const httpOptions = values.cf ? `(cfBlobHeader = ${q(CF_BLOB_HEADER)})` : "()";
const work = mkdtempSync(join(tmpdir(), "edge-ingress-ab-"));
try {
  const { origin, originUrl } = await startOrigin(repoRoot);
  const { compatibilityDate, compatibilityFlags } = workerSettings(repoRoot);
  const flags = compatibilityFlags.map((f) => q(f)).join(", ");
  const services: string[] = [];
  const sockets: string[] = [];
  variants.forEach((v, i) => {
    mkdirSync(join(work, `r${i}`));
    copyFileSync(join(v.dir, "index.js"), join(work, `r${i}`, "router.js"));
    const vars = Object.entries({ CONFIG_CACHE_TTL_SECONDS: "3600", ORIGIN: originUrl, ...v.vars }).map(([k, val]) => `(name = ${q(k)}, text = ${q(val)})`);
    services.push(`( name = "r${i}", worker = ( modules = [ (name = "router.js", esModule = embed "r${i}/router.js") ], compatibilityDate = ${q(compatibilityDate)}, compatibilityFlags = [${flags}],
        bindings = [ (name = "INGRESS_KV", kvNamespace = "kv"), ${vars.join(", ")} ], globalOutbound = "loopback" ) )`);
    sockets.push(`( name = "r${i}", address = "127.0.0.1:0", http = ${httpOptions}, service = "r${i}" )`);
  });
  copyFileSync(join(here, "kv-service.js"), join(work, "kv-service.js"));
  copyFileSync(join(here, "pass-through.js"), join(work, "pass-through.js"));
  writeFileSync(
    join(work, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    ${services.join(",\n    ")},
    ( name = "pass-through", worker = ( modules = [ (name = "pass-through.js", esModule = embed "pass-through.js") ], compatibilityDate = ${q(compatibilityDate)},
        bindings = [ (name = "ORIGIN", text = ${q(originUrl)}) ], globalOutbound = "loopback" ) ),
    ( name = "kv", worker = ( modules = [ (name = "kv-service.js", esModule = embed "kv-service.js") ], compatibilityDate = ${q(compatibilityDate)} ) ),
    ( name = "loopback", network = ( allow = ["local"] ) ),
  ],
  sockets = [
    ${sockets.join(",\n    ")},
    ( name = "pass-through", address = "127.0.0.1:0", http = ${httpOptions}, service = "pass-through" ),
    ( name = "kv-admin", address = "127.0.0.1:0", http = (), service = "kv" ),
  ],
);
`,
  );
  const child = spawnTracked(workerdBinary(), ["serve", join(work, "config.capnp"), "config", "--control-fd=3"], { cwd: work, stdio: ["ignore", "ignore", "pipe", "pipe"] });
  const ports = new Map<string, number>();
  const required = [...variants.map((_, i) => `r${i}`), "pass-through", "kv-admin"];
  const control = child.stdio[3] as import("node:stream").Readable;
  await waitForLine(child, control, (line) => {
    try {
      const m = JSON.parse(line) as { event?: string; socket?: string; port?: number };
      if (m.event === "listen" && m.socket && m.port) ports.set(m.socket, m.port);
    } catch {
      return undefined;
    }
    return required.every((s) => ports.has(s)) ? true : undefined;
  }, 30_000, "workerd");
  control.resume();
  const url = (s: string) => `http://127.0.0.1:${ports.get(s)}`;

  const rules = Number(values.rules);
  const generated = generateConfig(rules, { originUrl: (_pool, o) => `${originUrl}/o${o}` });
  const stored = JSON.stringify({ version: `ab-${rules}`, appliedAt: new Date().toISOString(), config: generated.document });
  const put = await fetch(`${url("kv-admin")}/__bench/values/${encodeURIComponent(KV_KEYS.config)}`, { method: "PUT", body: stored });
  if (!put.ok) throw new Error(`KV put failed: ${put.status}`);
  const requests: LoadRequest[] = generated.samples
    .filter((s) => s.expectMatch)
    .slice(0, 64)
    .map((s, i) => ({ method: "GET", path: s.pathAndQuery, headers: { host: s.host, "user-agent": "bench/1.0", accept: "*/*", "cf-connecting-ip": `198.51.100.${i + 1}`, ...(values.cf ? { [CF_BLOB_HEADER]: CF_BLOB } : {}) } }));

  const targets = [...variants.map((v, i) => ({ name: v.name, url: url(`r${i}`) })), { name: "pass-through", url: url("pass-through") }];
  for (const t of targets) {
    const check = await getOnce(t.url, requests[0]!);
    if (check.status !== 200 || !check.fromOrigin) throw new Error(`${t.name}: check request answered ${check.status}`);
  }
  const connections = Number(values.connections);
  const load = (t: { url: string }, seconds: number) =>
    runLoad({ url: t.url, requests, connections, durationSeconds: seconds, maxRequests: 2_000_000, cpuProcesses: { workerd: child.pid!, origin: origin.pid! } });
  for (const t of targets) await load(t, 1.5);
  const stats = new Map<string, { cpu: number[]; rps: number[]; p50: number[]; non2xx: number }>(targets.map((t) => [t.name, { cpu: [], rps: [], p50: [], non2xx: 0 }]));
  const rounds = Number(values.rounds);
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round.
    const order = targets.map((_, i) => targets[(i + r) % targets.length]!);
    for (const t of order) {
      const s = await load(t, Number(values["round-seconds"]));
      const e = stats.get(t.name)!;
      e.cpu.push(s.cpuUsPerRequest.workerd ?? Number.NaN);
      e.rps.push(s.requestsPerSecond);
      e.p50.push(s.p50Ms);
      e.non2xx += s.non2xx + s.errors;
      process.stderr.write(`round ${r + 1} ${t.name}: ${Math.round(s.requestsPerSecond)} req/s, ${(s.cpuUsPerRequest.workerd ?? Number.NaN).toFixed(0)} µs CPU/request, p50 ${s.p50Ms.toFixed(3)} ms\n`);
    }
  }
  const pt = stats.get("pass-through")!;
  const ptCpu = median(pt.cpu);
  const ptRps = median(pt.rps);
  const ptP50 = median(pt.p50);
  process.stdout.write(`\n${rules} rules, ${connections} connections${values.cf ? ", request.cf given" : ""}, ${rounds} rounds x ${values["round-seconds"]} s; medians (machine shared)\n`);
  process.stdout.write(`| target | workerd CPU / request | extra over pass-through | req/s | req/s vs pass-through | p50 vs pass-through | CPU per round | failures |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n`);
  for (const t of targets) {
    const e = stats.get(t.name)!;
    const cpu = median(e.cpu);
    process.stdout.write(
      `| ${t.name} | ${cpu.toFixed(0)} µs | ${(cpu - ptCpu).toFixed(0)} µs | ${Math.round(median(e.rps))} | ${(median(e.rps) / ptRps).toFixed(2)} x | ${(median(e.p50) / ptP50).toFixed(2)} x | ${e.cpu.map((c) => c.toFixed(0)).join(", ")} | ${e.non2xx} |\n`,
    );
  }
  await stop(child);
  await stop(origin);
} finally {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
}
