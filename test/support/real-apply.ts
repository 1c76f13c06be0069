// The real `apply` command run against a test Worker's KV namespace, as the
// CLI would run it against Cloudflare's: for tests of what the Worker does
// with exactly what apply writes. `failing` names a key whose write fails as
// a wrangler run that cannot reach Cloudflare does.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { applyCommand } from "../../src/cli/apply";
import { captureIo } from "../../src/cli/memory-kv";
import { CliError } from "../../src/cli/output";
import { configVersion } from "../../src/cli/version";
import type { Kv } from "../../src/cli/wrangler";
import type { TestWorker } from "./worker";

/** Writes `document` to a file in `dir` and applies it; returns its version, the command's exit code, or its error when it failed. */
export async function applyToWorker(w: TestWorker, document: unknown, dir: string, failing?: string): Promise<{ version: string; code?: number; failure?: CliError }> {
  const ns = await w.kv();
  const kv: Kv = {
    where: "the test namespace",
    get: async (key) => (await ns.get(key)) ?? undefined,
    getMany: (keys) => Promise.all(keys.map(async (key) => (await ns.get(key)) ?? undefined)),
    async put(key, value) {
      if (key === failing) throw new CliError("cannot reach Cloudflare's API (no network?); check your connection, or use --local for local development");
      await ns.put(key, value);
    },
  };
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(document));
  const outcome = await applyCommand([file], {}, captureIo(), { open: () => kv }).then(
    (code) => ({ code }),
    (error: unknown) => {
      if (!(error instanceof CliError)) throw error;
      return { failure: error };
    },
  );
  return { version: configVersion(document), ...outcome };
}
