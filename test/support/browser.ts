// Headless Chromium for the tests that look at pages as a person would:
// Debian's `chromium` package (installed by .ci/run when missing) driven by
// playwright-core, which downloads no browser of its own. A missing browser
// fails the test with what to install; it is never a skip.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { chromium, type Browser } from "playwright-core";

/** Where screenshots go, for a person to look at (ignored by git). */
export const TEST_OUTPUT = new URL("../../test-output/", import.meta.url);

/** CHROMIUM_PATH, else the first of chromium / chromium-browser on PATH. */
export function findChromium(): string {
  const candidates = process.env.CHROMIUM_PATH
    ? [process.env.CHROMIUM_PATH]
    : (process.env.PATH ?? "").split(delimiter).flatMap((dir) => ["chromium", "chromium-browser"].map((name) => join(dir, name)));
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  throw new Error("no Chromium found: install it (`apt-get install chromium`, as .ci/run does) or set CHROMIUM_PATH");
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    headless: true,
    // The tests run as root in CI containers, where Chromium's sandbox cannot start.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    timeout: 20_000,
  });
}
