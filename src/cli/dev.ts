// `edge-ingress dev [FILE...]`: the router on this machine, on the user's own
// wrangler.toml: applies FILE... to local KV (as `apply --local`), then runs
// `wrangler dev` with the config cache off, so a later `apply --local` shows
// on the next request. `--demo-origins` starts two demo origins first (the
// example config's). `npm start` in the edge-ingress repository is this
// command on examples/edge-ingress.yaml. Ctrl-C stops it all.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { applyCommand } from "./apply";
import { startDemoOrigins, type DemoOrigins } from "./demo-origins";
import { withKvScope, type KvFlags } from "./kv-state";
import type { LoadOptions } from "./load";
import type { Io } from "./output";

export interface DevOptions extends LoadOptions, Omit<KvFlags, "local"> {
  readonly demoOrigins?: boolean;
  readonly port?: string;
  readonly ip?: string;
  readonly inspectorPort?: string;
}

/** A SIGINT from a terminal reaches wrangler too (same process group): it gets this long to stop on its own. */
const OWN_STOP_MS = 1500;

export async function devCommand(files: readonly string[], options: DevOptions, io: Io): Promise<number> {
  let origins: DemoOrigins | undefined;
  if (options.demoOrigins) {
    origins = await startDemoOrigins();
    io.out(`dev: demo origins on ${origins.urls.join(" and ")}`);
  }
  try {
    if (files.length > 0) {
      // Its local store is closed before wrangler dev opens the same one.
      const applied = await withKvScope(() => applyCommand(files, { ...options, local: true }, io));
      if (applied !== 0) return applied;
    }
    const port = options.port ?? "8787";
    io.out(`dev: wrangler dev on http://${options.ip ?? "localhost"}:${port}  (for example: curl -H 'Host: app.example.com' localhost:${port}/)`);
    return await exited(runWranglerDev(port, options, io));
  } finally {
    await origins?.close();
  }
}

function runWranglerDev(port: string, options: DevOptions, io: Io): ChildProcess {
  const wrangler = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
  const flag = (name: string, value: string | undefined) => (value === undefined ? [] : [name, value]);
  const args = [
    wrangler, "dev", "--port", port, "--var", "CONFIG_CACHE_TTL_SECONDS:0",
    ...flag("--ip", options.ip),
    ...flag("--inspector-port", options.inspectorPort),
    ...flag("--persist-to", options.persistTo),
    ...flag("--env", options.env),
    ...flag("--config", options.config),
  ];
  return spawn(process.execPath, args, { cwd: io.cwd, env: { WRANGLER_SEND_METRICS: "false", ...io.env }, stdio: "inherit" });
}

/** Waits for wrangler dev, forwarding the signals that stop this process. */
async function exited(child: ChildProcess): Promise<number> {
  const forward = (signal: NodeJS.Signals) => {
    if (child.exitCode === null) child.kill(signal);
  };
  const onInt = () => setTimeout(() => forward("SIGINT"), OWN_STOP_MS).unref();
  const onTerm = () => forward("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on("error", reject);
      child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
}
