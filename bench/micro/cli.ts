// Child-process entry of the micro-benchmark (started by child.ts with
// --expose-gc). Prints one result line:
//   BENCH_RESULT {"ruleCount":...}
// Arguments: --rules N --request-time-ms T --load-iterations I --samples S
//            [--profile route|request --profile-ms T] [--decision]
// With --decision it measures the per-request cost by kind of route (decision.ts).
// With --profile it runs one code path in a plain loop under the V8 CPU
// profiler (node:inspector, started after setup so that module loading and
// config generation stay out of the profile) and prints the profile's summary.
import { Session } from "node:inspector/promises";
import { parseArgs } from "node:util";
import { compileRuntime } from "../../src/core/runtime";
import { generateConfig, seededRandom } from "../generate";
import { nodeLocator, summarizeProfile, type CpuProfile } from "../profile";
import { measureDecisions } from "./decision";
import { loadStored, measureSize } from "./measure";
import { prepareSamples, requestBench } from "./requests";

const RESULT_PREFIX = "BENCH_RESULT ";

const { values } = parseArgs({
  options: {
    rules: { type: "string" },
    "request-time-ms": { type: "string", default: "1000" },
    "load-iterations": { type: "string", default: "5" },
    samples: { type: "string", default: "1024" },
    profile: { type: "string" },
    decision: { type: "boolean", default: false },
    "profile-ms": { type: "string", default: "3000" },
  },
});
const ruleCount = Number(values.rules);
if (!Number.isInteger(ruleCount) || ruleCount < 1) throw new Error("--rules must be a positive integer");

if (values.decision) {
  const result = await measureDecisions(ruleCount, Number(values["request-time-ms"]), Number(values.samples));
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
} else if (values.profile) {
  const generated = generateConfig(ruleCount, { sampleCount: Number(values.samples) });
  const text = JSON.stringify({ version: "bench", appliedAt: "2026-01-01T00:00:00.000Z", config: generated.document });
  const config = loadStored(text);
  const runtime = compileRuntime("bench", config, { random: seededRandom(1) });
  const requests = requestBench(runtime, prepareSamples(generated.samples));
  const steps: Record<string, () => number> = {
    route: requests.routeSelectAll,
    request: requests.fullRequestAll,
  };
  const step = steps[values.profile];
  if (!step) throw new Error(`--profile must be one of ${Object.keys(steps).join(", ")}`);
  for (let i = 0; i < 20; i++) step(); // warm the JIT before sampling
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  await session.post("Profiler.start");
  const until = performance.now() + Number(values["profile-ms"]);
  let loops = 0;
  let sink = 0;
  while (performance.now() < until) {
    sink += step();
    loops++;
  }
  const { profile } = (await session.post("Profiler.stop")) as { profile: CpuProfile };
  session.disconnect();
  const summary = summarizeProfile(profile, nodeLocator(process.cwd()));
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ loops, sink, summary })}\n`);
} else {
  const result = await measureSize({
    ruleCount,
    requestTimeMs: Number(values["request-time-ms"]),
    loadIterations: Number(values["load-iterations"]),
    sampleCount: Number(values.samples),
  });
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}
