// What the figures were measured on: hardware, load, versions, commit.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem, type } from "node:os";
import { join } from "node:path";

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly workerd: string;
  readonly wrangler: string;
  readonly autocannon: string;
  readonly tinybench: string;
  readonly commit: string;
  /** 1-minute load average when the run started and ended: other work on the machine skews every figure. */
  readonly loadAverageAtStart: number;
  loadAverageAtEnd: number;
}

function gitCommit(repoRoot: string): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    // The report an earlier run wrote is left out: it changes nothing that is measured.
    const dirty = execFileSync("git", ["status", "--porcelain", "--", ".", ":(exclude)BENCHMARKS.md"], { cwd: repoRoot, stdio: ["ignore", "pipe", "ignore"] }).toString().trim() !== "";
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return "none (no commit yet)";
  }
}

/** The installed version of a dependency (some packages do not export their package.json). */
export function packageVersion(repoRoot: string, name: string): string {
  try {
    return (JSON.parse(readFileSync(join(repoRoot, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "not installed";
  }
}

export function machineInfo(repoRoot: string): MachineInfo {
  const cpuList = cpus();
  return {
    cpuModel: cpuList[0]?.model.trim() ?? "unknown",
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()}`,
    node: process.version,
    workerd: packageVersion(repoRoot, "workerd"),
    wrangler: packageVersion(repoRoot, "wrangler"),
    autocannon: packageVersion(repoRoot, "autocannon"),
    tinybench: packageVersion(repoRoot, "tinybench"),
    commit: gitCommit(repoRoot),
    loadAverageAtStart: loadavg()[0] ?? 0,
    loadAverageAtEnd: Number.NaN,
  };
}

export function currentLoadAverage(): number {
  return loadavg()[0] ?? 0;
}
