// One workerd process serving the Workers of the benchmark, each on its own
// 127.0.0.1 socket: the router bundle (with INGRESS_KV bound to the in-memory
// KV service), the bare pass-through, the KV service's admin socket, and the
// same bundle behind cron.js, which runs its scheduled handler on a request,
// and kv-read.js, a bare Worker that reads KV before proxying. The config is generated as Cap'n Proto text (schema:
// node_modules/workerd/workerd.capnp); ports are picked by the OS and read
// back from workerd's control pipe, as Miniflare does, so nothing races for a port.
import { copyFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildProcess } from "node:child_process";
import { outputTail, spawnTracked, waitForLine } from "../processes";
import { CF_BLOB_HEADER } from "./cf-blob";

const here = fileURLToPath(new URL(".", import.meta.url));

export interface WorkerdOptions {
  /** Directory with the router bundle (`wrangler deploy --dry-run --outdir`). */
  readonly bundleDir: string;
  /** Where the config and the copied modules are written. */
  readonly workDir: string;
  readonly compatibilityDate: string;
  /** The router's compatibility_flags (wrangler.toml). */
  readonly compatibilityFlags: readonly string[];
  /** Text bindings of the router (its [vars]). */
  readonly routerVars: Readonly<Record<string, string>>;
  /** What the pass-through Worker fetches: `origin + path + query`. */
  readonly originUrl: string;
  /** Open the V8 inspector (for CPU profiles); never during measured runs. */
  readonly inspector?: boolean;
  /**
   * Also serve the two variants of the observability A/B as services "router-ab-1" and "router-ab-2"
   * (observedService says which is which): the router with its request log lines off (REQUEST_LOG_SAMPLE_RATE =
   * "0"), and the router with an Analytics Engine binding (a stand-in, metrics-stand-in.js) besides its lines.
   */
  readonly abRouters?: boolean;
  /**
   * Discard workerd's stdout (the Workers' console.log lines; console.error's go to stderr, which is kept). On
   * Cloudflare a line leaves through the runtime's own log export; local workerd writes each to its stdout, and
   * that write is a cost of running locally (to a file, about 15 µs of workerd CPU per request that logs, measured
   * with a Worker that only logs; to a pipe more, and this process would spend CPU reading megabytes of lines).
   */
  readonly discardStdout?: boolean;
  /** Which of the two A/B services ("router-ab-1" or "router-ab-2") is the observed one; default 1. */
  readonly observedService?: 1 | 2;
}

export interface WorkerdServer {
  readonly child: ChildProcess;
  readonly routerUrl: string;
  /** The same router bundle without request log lines; undefined unless asked for. */
  readonly routerUnloggedUrl: string | undefined;
  /** The same router bundle with its log lines and a METRICS binding (one data point per request); undefined unless asked for. */
  readonly routerObservedUrl: string | undefined;
  /** The A/B's control: the bare pass-through writing one log line per request, and without it; undefined unless asked for. */
  readonly bareLoggedUrl: string | undefined;
  readonly bareUnloggedUrl: string | undefined;
  readonly passThroughUrl: string;
  /** The KV service's admin socket (stats, values). */
  readonly kvAdminUrl: string;
  /** A bare Worker that reads the KV keys of its x-bench-kv-keys header (one get per key), logs a line and proxies (kv-read.js). */
  readonly kvReadUrl: string;
  /** A request here runs the router's scheduled handler once (a cron run) and answers when it is done. */
  readonly cronUrl: string;
  /** Inspector port, when asked for. */
  readonly inspectorPort: number | undefined;
}

/** What workerd last wrote to stderr, and to stdout unless discarded. */
export function workerdOutput(server: WorkerdServer): string {
  return outputTail(server.child);
}

const SOCKETS = ["router", "pass-through", "kv-admin", "cron", "kv-read"] as const;
/** The observability A/B's services (abRouters): the router's two variants and the control's two. */
const AB_SOCKETS = ["router-ab-1", "router-ab-2", "bare-ab-1", "bare-ab-2"] as const;
/** The internal module name of the Analytics Engine stand-in (workerd wrapped bindings need one). */
const METRICS_MODULE = "bench-internal:metrics";

export function workerdBinary(): string {
  // The package's main export resolves the platform binary npm installed.
  const require = createRequire(import.meta.url);
  return require("workerd").default as string;
}

function capnpString(value: string): string {
  return JSON.stringify(value);
}

export function writeWorkerdConfig(options: WorkerdOptions): string {
  const modules = readdirSync(options.bundleDir).filter((f) => f.endsWith(".js") || f.endsWith(".mjs"));
  if (modules.length !== 1 || modules[0] !== "index.js") {
    throw new Error(`expected the bundle to be a single index.js, found: ${modules.join(", ") || "nothing"}`);
  }
  copyFileSync(join(options.bundleDir, "index.js"), join(options.workDir, "router.js"));
  copyFileSync(join(here, "kv-service.js"), join(options.workDir, "kv-service.js"));
  copyFileSync(join(here, "pass-through.js"), join(options.workDir, "pass-through.js"));
  copyFileSync(join(here, "cron.js"), join(options.workDir, "cron.js"));
  copyFileSync(join(here, "kv-read.js"), join(options.workDir, "kv-read.js"));
  copyFileSync(join(here, "metrics-stand-in.js"), join(options.workDir, "metrics-stand-in.js"));
  copyFileSync(join(here, "log-line.js"), join(options.workDir, "log-line.js"));

  const date = capnpString(options.compatibilityDate);
  const vars = Object.entries(options.routerVars)
    .map(([name, value]) => `(name = ${capnpString(name)}, text = ${capnpString(value)})`)
    .join(",\n          ");
  const routerBindings = `bindings = [
          (name = "INGRESS_KV", kvNamespace = "kv"),
          ${vars}
        ],`;
  const flags = options.compatibilityFlags.map(capnpString).join(", ");
  // The two variants of the observability A/B sit in two services at fixed
  // places ("router-ab-1" first); observedService says which one gets the log
  // lines and the METRICS stand-in, so a run can swap them and cancel whatever
  // the place itself costs (an A/A run of two identical services differed by
  // about 5% in CPU per request).
  const abService = (slot: 1 | 2) => {
    const observed = slot === (options.observedService ?? 1);
    return `
    ( name = "router-ab-${slot}",
      worker = (
        modules = [ (name = "router.js", esModule = embed "router.js") ],
        compatibilityDate = ${date},
        compatibilityFlags = [${flags}],
        bindings = [
          (name = "INGRESS_KV", kvNamespace = "kv"),
          ${vars},
          ${observed ? `(name = "METRICS", wrapped = (moduleName = "${METRICS_MODULE}", innerBindings = []))` : '(name = "REQUEST_LOG_SAMPLE_RATE", text = "0")'}
        ],
        globalOutbound = "loopback",
      ),
    ),`;
  };
  // The A/B's control: a bare pass-through with and without one log line per request, placed likewise.
  const controlService = (slot: 1 | 2) => `
    ( name = "bare-ab-${slot}",
      worker = (
        modules = [ (name = "log-line.js", esModule = embed "log-line.js") ],
        compatibilityDate = ${date},
        bindings = [ (name = "ORIGIN", text = ${capnpString(options.originUrl)})${slot === (options.observedService ?? 1) ? ', (name = "LOG_LINE", text = "1")' : ""} ],
        globalOutbound = "loopback",
      ),
    ),`;
  const abServices = options.abRouters ? abService(1) + abService(2) + controlService(1) + controlService(2) : "";
  const abSockets = options.abRouters
    ? AB_SOCKETS.map((name) => `\n    ( name = "${name}", address = "127.0.0.1:0", http = ( cfBlobHeader = ${capnpString(CF_BLOB_HEADER)} ), service = "${name}" ),`).join("")
    : "";
  const extensions = options.abRouters ? `\n  extensions = [ ( modules = [ ( name = "${METRICS_MODULE}", esModule = embed "metrics-stand-in.js", internal = true ) ] ) ],` : "";
  const config = `# Generated by bench/workerd/server.ts for \`npm run bench\`; do not edit.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    ( name = "router",
      worker = (
        modules = [ (name = "router.js", esModule = embed "router.js") ],
        compatibilityDate = ${date},
        compatibilityFlags = [${options.compatibilityFlags.map(capnpString).join(", ")}],
        ${routerBindings}
        globalOutbound = "loopback",
      ),
    ),${abServices}
    ( name = "cron",
      worker = (
        modules = [ (name = "cron.js", esModule = embed "cron.js"), (name = "router.js", esModule = embed "router.js") ],
        compatibilityDate = ${date},
        compatibilityFlags = [${options.compatibilityFlags.map(capnpString).join(", ")}],
        ${routerBindings}
        globalOutbound = "loopback",
      ),
    ),
    ( name = "pass-through",
      worker = (
        modules = [ (name = "pass-through.js", esModule = embed "pass-through.js") ],
        compatibilityDate = ${date},
        bindings = [ (name = "ORIGIN", text = ${capnpString(options.originUrl)}) ],
        globalOutbound = "loopback",
      ),
    ),
    ( name = "kv-read",
      worker = (
        modules = [ (name = "kv-read.js", esModule = embed "kv-read.js") ],
        compatibilityDate = ${date},
        bindings = [ (name = "ORIGIN", text = ${capnpString(options.originUrl)}), (name = "KV", kvNamespace = "kv") ],
        globalOutbound = "loopback",
      ),
    ),
    ( name = "kv",
      worker = (
        modules = [ (name = "kv-service.js", esModule = embed "kv-service.js") ],
        compatibilityDate = ${date},
      ),
    ),
    # The origin is on 127.0.0.1, which the default "internet" service refuses.
    ( name = "loopback", network = ( allow = ["local"] ) ),
  ],
  sockets = [
    # request.cf comes from a header, as Cloudflare's edge gives it (cf-blob.ts).
    ( name = "router", address = "127.0.0.1:0", http = ( cfBlobHeader = ${capnpString(CF_BLOB_HEADER)} ), service = "router" ),
    ( name = "pass-through", address = "127.0.0.1:0", http = ( cfBlobHeader = ${capnpString(CF_BLOB_HEADER)} ), service = "pass-through" ),
    ( name = "kv-admin", address = "127.0.0.1:0", http = (), service = "kv" ),
    ( name = "cron", address = "127.0.0.1:0", http = (), service = "cron" ),
    ( name = "kv-read", address = "127.0.0.1:0", http = (), service = "kv-read" ),${abSockets}
  ],${extensions}
);
`;
  const path = join(options.workDir, "config.capnp");
  writeFileSync(path, config);
  return path;
}

/** Starts workerd on the config and waits until all three sockets listen. */
export async function startWorkerd(options: WorkerdOptions, timeoutMs = 30_000): Promise<WorkerdServer> {
  const configPath = writeWorkerdConfig(options);
  const args = ["serve", configPath, "config", "--control-fd=3"];
  if (options.inspector) args.push("--inspector-addr=127.0.0.1:0");
  const child = spawnTracked(workerdBinary(), args, {
    cwd: options.workDir,
    stdio: ["ignore", options.discardStdout ? "ignore" : "pipe", "pipe", "pipe"],
  });
  const control = child.stdio[3] as NodeJS.ReadableStream & import("node:stream").Readable;
  const ports = new Map<string, number>();
  const required: string[] = [...SOCKETS, ...(options.inspector ? ["inspector"] : []), ...(options.abRouters ? AB_SOCKETS : [])];
  await waitForLine(
    child,
    control,
    (line) => {
      try {
        const message = JSON.parse(line) as { event?: string; socket?: string; port?: number };
        if (message.event === "listen" && message.socket && message.port) ports.set(message.socket, message.port);
        if (message.event === "listen-inspector" && message.port) ports.set("inspector", message.port);
      } catch {
        return undefined;
      }
      return required.every((s) => ports.has(s)) ? true : undefined;
    },
    timeoutMs,
    "workerd",
  );
  control.resume();
  const url = (socket: string) => `http://127.0.0.1:${ports.get(socket)}`;
  const observed = options.observedService ?? 1;
  const other = observed === 1 ? 2 : 1;
  const ab = (name: string) => (options.abRouters ? url(name) : undefined);
  if (child.exitCode !== null) throw new Error(`workerd exited: ${outputTail(child)}`);
  return { child, routerUrl: url("router"), routerUnloggedUrl: ab(`router-ab-${other}`), routerObservedUrl: ab(`router-ab-${observed}`), bareLoggedUrl: ab(`bare-ab-${observed}`), bareUnloggedUrl: ab(`bare-ab-${other}`), passThroughUrl: url("pass-through"), kvAdminUrl: url("kv-admin"), cronUrl: url("cron"), kvReadUrl: url("kv-read"), inspectorPort: ports.get("inspector") };
}
