#!/usr/bin/env node
// The edge-ingress command, run from a clone with no build step: tsx compiles
// the TypeScript sources on the fly (Node 20, 22 and 24).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
await main();
