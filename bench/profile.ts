// Summarizes a V8 CPU profile (node --cpu-prof): self time by function and by
// source file, so BENCHMARKS.md can say where the time goes when a target is
// missed. Self time is the sum of the sampling intervals that landed in the
// function itself (timeDeltas), not in its callees.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

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
}

function shorten(url: string, repoRoot: string): string {
  if (url === "") return "(native)";
  const root = `file://${repoRoot.endsWith("/") ? repoRoot : `${repoRoot}/`}`;
  return url.startsWith(root) ? url.slice(root.length) : url.replace(/^file:\/\//, "");
}

function top(map: Map<string, { name: string; where: string; us: number }>, totalUs: number, count: number): ProfileEntry[] {
  return [...map.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, count)
    .map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000, percent: (100 * e.us) / totalUs }));
}

export function summarizeProfile(profile: CpuProfile, repoRoot: string, count = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const functions = new Map<string, { name: string; where: string; us: number }>();
  const files = new Map<string, { name: string; where: string; us: number }>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node || node.callFrame.functionName === "(idle)") return;
    totalUs += us;
    const file = shorten(node.callFrame.url, repoRoot);
    const name = node.callFrame.functionName || "(anonymous)";
    const where = node.callFrame.url === "" ? file : `${file}:${node.callFrame.lineNumber + 1}`;
    const key = `${name} ${where}`;
    const fn = functions.get(key) ?? { name, where, us: 0 };
    fn.us += us;
    functions.set(key, fn);
    const fileKey = node.callFrame.url === "" ? name : file;
    const f = files.get(fileKey) ?? { name: fileKey, where: "", us: 0 };
    f.us += us;
    files.set(fileKey, f);
  });
  return { totalMs: totalUs / 1000, topFunctions: top(functions, totalUs, count), topFiles: top(files, totalUs, count) };
}

/** Reads the single .cpuprofile that --cpu-prof wrote into `dir`. */
export function readProfileDir(dir: string, repoRoot: string): ProfileSummary {
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  return summarizeProfile(JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile, repoRoot);
}
