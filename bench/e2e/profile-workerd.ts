// A CPU profile of the router inside workerd, under the same load as the
// measured rounds: a separate workerd started with the V8 inspector open
// (never used for the measured figures), profiled through the inspector
// protocol (Profiler.start / Profiler.stop) while autocannon loads it.
// Frames are placed in their source files through the bundle's module comments.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import { summarizeProfile, type CpuProfile, type ProfileSummary } from "../profile";
import { readBundleMap } from "../workerd/bundle-map";
import { runLoad } from "./load";
import { getOnce, startStack, type StackOptions, type Target } from "./stack";
import { stop } from "../processes";
import { putValues } from "../workerd/isolate";
import { startWorkerd, type WorkerdOptions, type WorkerdServer } from "../workerd/server";

export interface WorkerdProfileOptions extends StackOptions {
  readonly target: Extract<Target, "router" | "passThrough">;
  readonly seconds: number;
  readonly connections: number;
}

/** Minimal inspector-protocol client: one request at a time, answers matched by id. */
async function connect(url: string): Promise<{ send: (method: string, params?: object) => Promise<unknown>; close: () => void }> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.on("message", (data) => {
    const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id!);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  return {
    send(method, params = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`inspector ${method} timed out`)), 60_000);
        pending.set(id, {
          resolve: (v) => (clearTimeout(timer), resolve(v)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    close: () => ws.close(),
  };
}

export interface WorkerdProfile {
  readonly summary: ProfileSummary;
  /** Responses during the profiled load, to turn self times into time per request. */
  readonly responses: number;
}

export async function profileWorkerd(options: WorkerdProfileOptions): Promise<WorkerdProfile> {
  const stack = await startStack({ ...options, inspector: true });
  try {
    const url = stack.urls[options.target];
    const load = (seconds: number) =>
      runLoad({ url, requests: stack.requests, connections: options.connections, durationSeconds: seconds, maxRequests: seconds * 200_000, cpuProcesses: {} });
    await getOnce(url, stack.requests[0]!);
    await load(Math.min(1, options.seconds)); // warm up: config loaded, JIT warm
    const service = options.target === "router" ? "router" : "pass-through";
    const inspector = await connect(`ws://127.0.0.1:${stack.server.inspectorPort}/${service}`);
    try {
      await inspector.send("Profiler.enable");
      await inspector.send("Profiler.setSamplingInterval", { interval: 100 });
      await inspector.send("Profiler.start");
      const { responses } = await load(options.seconds);
      const { profile } = (await inspector.send("Profiler.stop")) as { profile: CpuProfile };
      if (options.target === "passThrough") {
        return { responses, summary: summarizeProfile(profile, (_url, line) => ({ file: "pass-through.js", where: `pass-through.js:${line + 1}` })) };
      }
      const map = readBundleMap(join(options.workDir, "router.js"));
      const summary = summarizeProfile(profile, (_url, line) => {
        const file = map.fileOf(line);
        return { file, where: `${file} (bundle line ${line + 1})` };
      });
      return { responses, summary };
    } finally {
      inspector.close();
    }
  } finally {
    await stack.close();
  }
}

/**
 * A CPU profile of one thing a fresh isolate does (its first request, a cron
 * run): a fresh workerd with the inspector open, `values` stored in KV, the
 * `service`'s isolate profiled while `action` runs. Shares only: the
 * profiler slows the isolate down.
 */
export async function profileFresh(
  options: Omit<WorkerdOptions, "inspector">,
  values: Record<string, string>,
  service: "router" | "cron",
  action: (server: WorkerdServer) => Promise<void>,
): Promise<ProfileSummary> {
  mkdirSync(options.workDir, { recursive: true });
  const server = await startWorkerd({ ...options, inspector: true });
  try {
    await putValues(server, values);
    const inspector = await connect(`ws://127.0.0.1:${server.inspectorPort}/${service}`);
    try {
      await inspector.send("Profiler.enable");
      await inspector.send("Profiler.setSamplingInterval", { interval: 100 });
      await inspector.send("Profiler.start");
      await action(server);
      const { profile } = (await inspector.send("Profiler.stop")) as { profile: CpuProfile };
      const map = readBundleMap(join(options.workDir, "router.js"));
      return summarizeProfile(profile, (_url, line) => {
        const file = map.fileOf(line);
        return { file, where: `${file} (bundle line ${line + 1})` };
      });
    } finally {
      inspector.close();
    }
  } finally {
    await stop(server.child);
  }
}
