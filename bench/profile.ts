// Summarizes a V8 CPU profile (Node's or workerd's): self time by function and by
// source file, so BENCHMARKS.md can say where the time goes when a target is
// missed. Self time is the sum of the sampling intervals that landed in the
// function itself (timeDeltas), not in its callees.
import type { ProfileResult } from "./bench";
import { fixed as fmt, int, table } from "./markdown";
import { partOf } from "./workerd/bundle-map";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

/** The V8 profile object (Profiler.stop in the inspector protocol). */
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileEntry {
  readonly name: string;
  /** Shortened source location (repo-relative, or node:…). */
  readonly where: string;
  readonly selfMs: number;
  readonly percent: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly topFunctions: readonly ProfileEntry[];
  readonly topFiles: readonly ProfileEntry[];
  /** Every sample, by package or src/ folder; native frames as "(native)", GC apart. */
  readonly parts: readonly ProfileEntry[];
}

/** Where a profile frame's code lives: a file (or package) and a file:line. */
export type Locate = (url: string, lineNumber: number) => { readonly file: string; readonly where: string };

/** For Node profiles: repo-relative paths, node: internals as they are. */
export function nodeLocator(repoRoot: string): Locate {
  const root = `file://${repoRoot.endsWith("/") ? repoRoot : `${repoRoot}/`}`;
  return (url, lineNumber) => {
    const file = url.startsWith(root) ? url.slice(root.length) : url.replace(/^file:\/\//, "");
    // Code loaded through tsx reports line 0 for every function: say nothing rather than ":1".
    return { file, where: lineNumber > 0 ? `${file}:${lineNumber + 1}` : file };
  };
}

function top(map: Map<string, { name: string; where: string; us: number }>, totalUs: number, count: number): ProfileEntry[] {
  return [...map.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, count)
    .map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000, percent: (100 * e.us) / totalUs }));
}

export function summarizeProfile(profile: CpuProfile, locate: Locate, count = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const functions = new Map<string, { name: string; where: string; us: number }>();
  const files = new Map<string, { name: string; where: string; us: number }>();
  const parts = new Map<string, { name: string; where: string; us: number }>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node || node.callFrame.functionName === "(idle)") return;
    totalUs += us;
    const name = node.callFrame.functionName || "(anonymous)";
    const { file, where } = node.callFrame.url === "" ? { file: "(native)", where: "(native)" } : locate(node.callFrame.url, node.callFrame.lineNumber);
    const key = `${name} ${where}`;
    const fn = functions.get(key) ?? { name, where, us: 0 };
    fn.us += us;
    functions.set(key, fn);
    const fileKey = node.callFrame.url === "" ? name : file;
    const f = files.get(fileKey) ?? { name: fileKey, where: "", us: 0 };
    f.us += us;
    files.set(fileKey, f);
    const partKey = node.callFrame.url !== "" ? partOf(file) : name === "(garbage collector)" ? name : "(native)";
    const part = parts.get(partKey) ?? { name: partKey, where: "", us: 0 };
    part.us += us;
    parts.set(partKey, part);
  });
  return {
    totalMs: totalUs / 1000,
    topFunctions: top(functions, totalUs, count),
    topFiles: top(files, totalUs, count),
    parts: top(parts, totalUs, Number.POSITIVE_INFINITY),
  };
}

export type { CpuProfile };

const PROFILED: Record<ProfileResult["mode"], string> = {
  route: "Routing + selection (match, pool, availability, pick) over every sample request, in a loop",
  request: "The full per-request path in Node (URL, match, select, upstream headers and URL), in a loop",
  router: "The router Worker in workerd under autocannon load",
  passThrough: "The bare pass-through Worker in workerd under autocannon load",
  firstRequest: "The first request of a fresh router isolate in workerd (KV read, digest, prepared form, compile, the proxied request, its log line)",
  cronRun: "A cron run in a fresh isolate in workerd (KV read of the plan, the probes, the state write)",
};

export function renderProfile(p: ProfileResult): string {
  // No time per request: the profiler slows workerd down, most of all on JavaScript-heavy paths, so only shares compare.
  const cells = (e: ProfileEntry) => [fmt(e.selfMs), `${fmt(e.percent)}%`];
  const timeHeader = ["self ms", "share"];
  const how = p.runtime === "node" ? "V8 CPU profiler via node:inspector" : "workerd's V8 inspector, Profiler domain";
  return [
    `${PROFILED[p.mode]}; ${int(p.ruleCount)} rules; ${p.ms ? `${p.ms} ms profiled ` : ""}(${how}, a sample every 100 µs); ${fmt(p.summary.totalMs, 0)} ms of samples${p.responses ? ` over ${int(p.responses)} requests` : ""}. Self time; \`(program)\` is native code outside JavaScript, other \`(native)\` rows are runtime built-ins called from JavaScript.${p.runtime === "workerd" ? " With the inspector attached, workerd also sends every console.log line to it, so the share of the functions that log (src/log.ts, observe.ts's finish) is likely larger here than without it." : ""}`,
    "",
    table(["function", "where", ...timeHeader], p.summary.topFunctions.map((e) => [`\`${e.name}\``, `\`${e.where}\``, ...cells(e)])),
    "",
    table(["package or folder", ...timeHeader], p.summary.parts.slice(0, 12).map((e) => [`\`${e.name}\``, ...cells(e)])),
  ].join("\n");
}
