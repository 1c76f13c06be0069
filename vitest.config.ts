import { defineConfig } from "vitest/config";

// Two projects, one per runtime (the folder a test sits in says which runs it):
// - "core": pure modules, unit tests beside the source, plain Node.
// - "worker": the built Worker running in workerd through Miniflare, against
//   real HTTP origin servers on 127.0.0.1 that the tests start themselves.
export default defineConfig({
  test: {
    // Most test time is waiting on workerd and origin processes, not CPU:
    // three test files at once on a 2-core machine take the suite from about
    // 5 minutes to 3 (by default vitest runs as many as there are cores).
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: "core",
          include: ["src/**/*.test.ts", "bench/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "worker",
          include: ["test/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
