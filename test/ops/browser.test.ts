// The status page in a real browser: headless Chromium, JavaScript off, a
// phone-sized window, against the real Worker in workerd and real origins.
// The screenshot lands in test-output/status-page.png for a person to see.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, TEST_OUTPUT } from "../support/browser";
import { startOrigin, type TestOrigin } from "../support/origins";
import { startWorker, type TestWorker } from "../support/worker";

const TOKEN = "browser-test-status-token-0123";
const PAGE = "/.well-known/edge-ingress/";
const PHONE = { width: 390, height: 844 };

let browser: Browser;
let worker: TestWorker;
let origins: TestOrigin[];
let minute = 0;
const tick = () => worker.scheduled(new Date(Date.UTC(2026, 10, 27, 10, minute++)));
const pageUrl = (path = PAGE) => new URL(path, worker.url).href;

beforeAll(async () => {
  origins = await Promise.all(["web-1", "web-2", "api-1"].map((n) => startOrigin(n)));
  const [w1, w2, api] = origins as [TestOrigin, TestOrigin, TestOrigin];
  [browser, worker] = await Promise.all([launchChromium(), startWorker({ vars: { STATUS_TOKEN: TOKEN } })]);
  const route = (path: string, pool: string) => ({ path, pathType: "Prefix", backend: { service: { name: pool } } });
  await worker.putConfig({
    pools: {
      web: { origins: [{ url: w1.url, weight: 2 }, { url: w2.url }], healthCheck: { path: "/healthz", unhealthyThreshold: 1, timeoutMs: 500 } },
      api: { policy: "least-recent", origins: [{ url: api.url }], healthCheck: { path: "/healthz" }, whenAllDown: "503" },
    },
    rules: [{ host: "shop.example.com", http: { paths: [route("/", "web"), route("/api", "api")] } }],
    defaultBackend: { service: { name: "web" } },
  });
  await tick();
  for (let i = 0; i < 6; i++) await (await worker.fetch("shop.example.com", i % 3 ? "/" : "/api/cart")).arrayBuffer();
});
afterAll(async () => {
  await browser?.close();
  await worker?.dispose();
  await Promise.all((origins ?? []).map((o) => o.close()));
});

describe("the status page in Chromium", () => {
  it("signs in, reads well on a phone without JavaScript, and shows an origin going down after a cron run", async () => {
    const context = await browser.newContext({ httpCredentials: { username: "on-call", password: TOKEN }, javaScriptEnabled: false, viewport: PHONE });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const response = await page.goto(pageUrl(`${PAGE}login`));
      expect(response?.status()).toBe(200);
      expect(page.url()).toBe(pageUrl());
      await expect.poll(() => page.title()).toBe("edge-ingress status");
      const web2 = page.locator(`[data-pool="web"] [data-origin="${origins[1]!.url}"] .s`);
      expect(await web2.textContent()).toBe("up");
      expect(await page.locator('meta[http-equiv="refresh"]').getAttribute("content")).toMatch(/^\d+$/);

      origins[1]!.mode = { kind: "status", status: 503 };
      await tick();
      await page.reload();
      expect(await web2.textContent()).toBe("down");
      expect(await page.locator(`[data-origin="${origins[1]!.url}"]`).textContent()).toContain("status 503");
      expect(await page.locator("#changes").textContent()).toContain(origins[1]!.url);
      expect(await page.title()).toBe("1 down · edge-ingress status");
      // Wide tables scroll inside their own box: the page itself never scrolls sideways.
      expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(PHONE.width);

      const dir = fileURLToPath(TEST_OUTPUT);
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: `${dir}status-page.png`, fullPage: true });
      await page.setViewportSize({ width: 1100, height: 900 });
      await page.screenshot({ path: `${dir}status-page-wide.png`, fullPage: true });
    } finally {
      origins[1]!.mode = { kind: "ok" };
      await context.close();
    }
  });

  it("is a 404 without the token", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const response = await page.goto(pageUrl());
      expect(response?.status()).toBe(404);
      expect(await page.locator("body").textContent()).toContain("edge-ingress: not found");
      expect(await page.locator("body").textContent()).not.toContain(origins[0]!.url);
    } finally {
      await context.close();
    }
  });
});
