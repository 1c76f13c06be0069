// test/canary-affinity.test.ts again, every config written exactly as `apply` writes it
// (its digest and prepared form), so the Worker reads it without validating
// it: each test must pass on that path too (the workers fail on dispose if
// they validated such a config in full).
import { writeConfigsAs } from "./support/worker";

writeConfigsAs("prepared");
await import("./canary-affinity.test");
