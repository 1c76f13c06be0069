// Child-process entry of the micro-benchmark (started by child.ts with
// --expose-gc, and with --cpu-prof for profiles). Prints one result line:
//   BENCH_RESULT {"ruleCount":...}
// Arguments: --rules N --request-time-ms T --load-iterations I --samples S
//            [--profile request|load --profile-ms T]
import { parseArgs } from "node:util";
import { compileRuntime } from "../../src/core/runtime";
import { generateConfig, seededRandom } from "../generate";
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
    "profile-ms": { type: "string", default: "3000" },
  },
});
const ruleCount = Number(values.rules);
if (!Number.isInteger(ruleCount) || ruleCount < 1) throw new Error("--rules must be a positive integer");

if (values.profile) {
  // A plain loop for the profiler: no benchmark library frames in the profile.
  const generated = generateConfig(ruleCount, { sampleCount: Number(values.samples) });
  const text = JSON.stringify({ version: "bench", appliedAt: "2026-01-01T00:00:00.000Z", config: generated.document });
  const config = loadStored(text);
  const runtime = compileRuntime("bench", config, { random: seededRandom(1) });
  const requests = requestBench(runtime, prepareSamples(generated.samples));
  const until = performance.now() + Number(values["profile-ms"]);
  let loops = 0;
  let sink = 0;
  while (performance.now() < until) {
    if (values.profile === "load") sink += compileRuntime("bench", loadStored(text), { random: seededRandom(1) }).policies.size;
    else sink += requests.fullRequestAll();
    loops++;
  }
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ loops, sink })}\n`);
} else {
  const result = await measureSize({
    ruleCount,
    requestTimeMs: Number(values["request-time-ms"]),
    loadIterations: Number(values["load-iterations"]),
    sampleCount: Number(values.samples),
  });
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}
