// Path rules as an access boundary, in workerd against real origins: every
// other spelling of /admin reaches the /admin pool (or is refused with 400),
// and the origin receives the same normalized path the router matched.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startOrigin, type TestOrigin } from "./support/origins";
import { startWorker, type TestWorker } from "./support/worker";

let web: TestOrigin;
let admin: TestOrigin;
let api: TestOrigin;
const workers: TestWorker[] = [];

const backend = (name: string) => ({ service: { name, port: { number: 80 } } });
const rule = (path: string, pathType: string, pool: string) => ({ path, pathType, backend: backend(pool) });

function config(pathNormalization?: unknown) {
  return {
    ...(pathNormalization === undefined ? {} : { pathNormalization }),
    pools: {
      web: { origins: [{ url: web.url }] },
      admin: { origins: [{ url: admin.url }] },
      api: { origins: [{ url: api.url }] },
    },
    rules: [
      {
        host: "app.example.com",
        http: {
          paths: [
            rule("/", "Prefix", "web"),
            rule("/admin", "Prefix", "admin"),
            // Both were accepted by validate and took seconds per request on a backtracking engine.
            rule("/api/(\\w|\\d)*$", "ImplementationSpecific", "api"),
            rule("/search/.*.*.*.*.*=$", "ImplementationSpecific", "api"),
          ],
        },
      },
    ],
  };
}

async function seen(worker: TestWorker, path: string): Promise<{ status: number; origin: string | null; url: string | undefined; error: string | null }> {
  const response = await worker.fetch("app.example.com", path);
  const text = await response.text();
  const origin = response.headers.get("x-origin");
  return {
    status: response.status,
    origin,
    url: origin === null ? undefined : (JSON.parse(text) as { url: string }).url,
    error: response.headers.get("x-edge-ingress-error"),
  };
}

beforeAll(async () => {
  [web, admin, api] = await Promise.all([startOrigin("web"), startOrigin("admin"), startOrigin("api")]);
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.dispose()));
  await Promise.all([web, admin, api].map((o) => o?.close()));
});
beforeEach(() => {
  for (const o of [web, admin, api]) o.requests.length = 0;
});

async function workerWith(pathNormalization?: unknown): Promise<TestWorker> {
  const worker = await startWorker();
  workers.push(worker);
  await worker.putConfig(config(pathNormalization));
  return worker;
}

describe("default normalization", () => {
  let worker: TestWorker;
  beforeAll(async () => {
    worker = await workerWith();
  });

  it("sends every other spelling of /admin to the admin pool, with the path it matched", async () => {
    expect(await seen(worker, "/%61dmin")).toMatchObject({ status: 200, origin: "admin", url: "/admin" });
    expect(await seen(worker, "/%61%64%6D%69%6E/users")).toMatchObject({ status: 200, origin: "admin", url: "/admin/users" });
    expect(await seen(worker, "//admin")).toMatchObject({ status: 200, origin: "admin", url: "/admin" });
    // The URL parser removes dot segments first ("..", "%2e%2e"), so ".." here drops the empty segment;
    // whatever the order, the origin receives exactly the path that was matched.
    expect(await seen(worker, "/static//..//admin")).toMatchObject({ status: 200, origin: "web", url: "/static/admin" });
    expect(await seen(worker, "/%2e%2e/admin/x")).toMatchObject({ status: 200, origin: "admin", url: "/admin/x" });
  });

  it("matches /admin;x as /admin and forwards its parameters", async () => {
    expect(await seen(worker, "/admin;x")).toMatchObject({ status: 200, origin: "admin", url: "/admin;x" });
    expect(await seen(worker, "/admin;jsessionid=1/page")).toMatchObject({ status: 200, origin: "admin", url: "/admin;jsessionid=1/page" });
    expect(await seen(worker, "/admin%3bx")).toMatchObject({ status: 200, origin: "admin", url: "/admin%3Bx" });
  });

  it("refuses encoded slashes, NUL, bad escapes and ..; with 400, contacting no origin", async () => {
    for (const path of ["/admin%2fx", "/admin/..%2fsecret.txt", "/admin%5c..%5csecret.txt", "/a%00b", "/%ZZ", "/public/..;/admin"]) {
      expect(await seen(worker, path), path).toMatchObject({ status: 400, origin: null, error: "bad-path" });
    }
    expect(web.requests.length + admin.requests.length + api.requests.length).toBe(0);
  });

  it("says why in plain text", async () => {
    const response = await worker.fetch("app.example.com", "/admin%2Fx");
    expect(response.headers.get("content-type")).toContain("text/plain");
    expect(await response.text()).toBe('edge-ingress: bad request path: an encoded "/" (%2F) is refused (pathNormalization.escapedSlashes is "reject")\n');
  });

  it("leaves the query string untouched", async () => {
    expect(await seen(worker, "/%61dmin?next=%2F..%2f&x=%61")).toMatchObject({ origin: "admin", url: "/admin?next=%2F..%2f&x=%61" });
  });

  it("upper-cases escapes it keeps and leaves ordinary paths alone", async () => {
    expect(await seen(worker, "/caf%c3%a9/a%20b")).toMatchObject({ origin: "web", url: "/caf%C3%A9/a%20b" });
    expect(await seen(worker, "/adminx/y")).toMatchObject({ origin: "web", url: "/adminx/y" });
  });

  it("sees a path as the URL parser encodes it: a raw ^ arrives as %5E, a raw | as it is", async () => {
    // What `edge-ingress validate` relies on when it flags a rule path with "^" (src/core/routing/unreachable.ts).
    expect(await seen(worker, "/x^y|z")).toMatchObject({ origin: "web", url: "/x%5Ey|z" });
  });

  it("matches regexes in linear time: adversarial paths get the right answer", async () => {
    // 40 digits then "!": (\w|\d)* has 2^40 ways to fail on a backtracking engine.
    expect(await seen(worker, `/api/${"1".repeat(40)}!`)).toMatchObject({ origin: "web" });
    expect(await seen(worker, `/api/${"1".repeat(40)}`)).toMatchObject({ origin: "api" });
    expect(await seen(worker, `/search/${"=".repeat(3000)}x`)).toMatchObject({ origin: "web" });
    expect(await seen(worker, `/search/${"=".repeat(3000)}`)).toMatchObject({ origin: "api" });
    expect(await seen(worker, "/API/Users")).toMatchObject({ origin: "api" });
  });
});

describe("escapedSlashes: keep, mergeSlashes: false", () => {
  let worker: TestWorker;
  beforeAll(async () => {
    worker = await workerWith({ escapedSlashes: "keep", mergeSlashes: false });
  });

  it("forwards encoded slashes encoded, as part of one segment", async () => {
    expect(await seen(worker, "/admin%2fx")).toMatchObject({ status: 200, origin: "web", url: "/admin%2Fx" });
    expect(await seen(worker, "/admin/..%2fsecret.txt")).toMatchObject({ status: 200, origin: "admin", url: "/admin/..%2Fsecret.txt" });
  });

  it("keeps //, which then matches no /admin rule", async () => {
    expect(await seen(worker, "//admin")).toMatchObject({ status: 200, origin: "web", url: "//admin" });
  });

  it("still decodes, removes dot segments, and refuses NUL", async () => {
    expect(await seen(worker, "/%61dmin")).toMatchObject({ origin: "admin", url: "/admin" });
    expect(await seen(worker, "/a%00b")).toMatchObject({ status: 400, error: "bad-path" });
  });
});
