import { describe, expect, it, vi } from "vitest";
import { generateConfig } from "../../../bench/generate";
import { claimedDigest, claimedDigestOf, readFastStored, sha256Hex, storedText, verifiedDigest } from "./fast-stored";
import { parseConfig } from "./parse";
import { compileRuntime } from "../runtime";
import { decodePrepared, encodePrepared, PREPARED_FORMAT, preparedRoundTrip, preparedRoutesOf, unpreparedReason } from "./prepared";
import { lazyItemsOf } from "./prepared-packed";
import { filtersByType } from "../filters/registry";
import { parseStoredConfig, STORED_FORMAT, type StoredConfig } from "./stored";

const document = {
  pools: {
    web: { origins: [{ url: "https://web-1.example.net", weight: 2 }, { url: "https://web-2.example.net" }], healthCheck: { path: "/healthz", headers: { "X-Probe": { secret: "PROBE" } } } },
    api: { policy: "least-recent", origins: [{ url: "https://api.example.net/base" }], whenAllDown: "web" },
  },
  rules: [
    { host: "shop.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } } }, { path: "/api/v[0-9]+/", pathType: "ImplementationSpecific", backend: { service: { name: "api" } } }] } },
    { host: "*.example.com", http: { paths: [{ path: "/exact", pathType: "Exact", backend: { service: { name: "api" } } }] } },
    { http: { paths: [{ path: "/.well-known/acme-challenge/", pathType: "Prefix", backend: { service: { name: "web" } } }] } },
  ],
  defaultBackend: { service: { name: "web" } },
  pathNormalization: { mergeSlashes: false },
};

const withFilters = {
  ...document,
  rules: [{ host: "a.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } }, filters: [{ type: "RequestBodyLimit", requestBodyLimit: { maxBytes: 10 } }, { type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-a", value: "1" }] } }] }] } }],
};

const stored: StoredConfig = { format: STORED_FORMAT, version: "0123456789ab", appliedAt: "2026-01-02T03:04:05.000Z", config: document };

/** A config with its pools as a plain Map (a prepared config's is a PreparedPools), so that toEqual compares their entries in order. */
const plainPools = <T extends { pools: ReadonlyMap<string, unknown> } | undefined>(config: T): T => (config === undefined ? config : { ...config, pools: new Map(config.pools) });

const bytes = (text: string) => new TextEncoder().encode(text);

function parsed(doc: unknown) {
  const result = parseConfig(doc);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

describe("the prepared form", () => {
  it("gives back exactly the Config parseConfig made, Ingress manifests and thousands of rules included", () => {
    for (const doc of [document, generateConfig(2_000).document, { ...document, ingresses: [{ name: "shop", namespace: "web", annotations: { a: "b" } }] }]) {
      const config = parsed(doc);
      const prepared = encodePrepared(config);
      expect(prepared).toBeDefined();
      expect(plainPools(preparedRoundTrip(config))).toEqual(config);
    }
  });

  it("routes every request as the validated config does, precise, wildcard and host-less rules alike", () => {
    const generated = generateConfig(3_000, { sampleCount: 400 });
    const handmade = [["shop.example.com", "/api/v2/x"], ["SHOP.example.com:8080", "/"], ["a.example.com", "/exact"], ["a.b.example.com", "/exact"], ["other.test", "/.well-known/acme-challenge/x"], ["other.test", "/"]] as const;
    const cases = [
      { doc: generated.document, requests: [...generated.samples.map((s) => [s.host, s.pathAndQuery.split("?")[0]!] as const), ...handmade] },
      { doc: document, requests: handmade },
    ];
    for (const { doc, requests } of cases) {
      const config = parsed(doc);
      const decoded = preparedRoundTrip(config)!;
      expect(preparedRoutesOf(decoded)).toBeDefined();
      const full = compileRuntime("v", config, { random: () => 0 }).table;
      const fast = compileRuntime("v", decoded, { random: () => 0 }).table;
      for (const [host, path] of requests) expect(fast.route(host, path), `${host}${path}`).toEqual(full.route(host, path));
    }
  });

  it("is not made for a route whose host is not in lower case (its group key is the host)", () => {
    const config = parsed(document);
    expect(encodePrepared({ ...config, routes: config.routes.map((r, i) => (i === 0 ? { ...r, host: "Shop.example.com" } : r)) })).toBeUndefined();
  });

  it("carries a field it does not know as it is when it is plain JSON, and is not made when it is not", () => {
    const config = parsed(document);
    const unknown = { ...config, somethingNew: [1, { a: "b" }] } as never;
    expect(plainPools(preparedRoundTrip(unknown))).toEqual(unknown);
    class Rules {
      readonly list = [1];
    }
    for (const value of [new Map([["a", 1]]), /re/, () => 1, new Rules(), [Number.NaN], new Set([1]), new Date(0)]) {
      expect(encodePrepared({ ...config, somethingNew: value } as never), String(value)).toBeUndefined();
      expect(unpreparedReason({ ...config, somethingNew: { deeper: [value] } } as never)).toContain("somethingNew.deeper.0");
    }
  });

  it("carries a path's filters, compiled again from what they were compiled from", () => {
    const config = parsed(withFilters);
    const fast = preparedRoundTrip(config)!;
    const filters = fast.routes[0]?.action?.filters ?? [];
    expect(filters.map((f) => [f.type, f.describe()])).toEqual(config.routes[0]?.action?.filters.map((f) => [f.type, f.describe()]));
    expect(filters.length).toBe(2);
  });

  it("is not made for a filter it cannot compile again (one not built through the registry), so it is never dropped", () => {
    const config = parsed(withFilters);
    const route = config.routes[0]!;
    const handmade = { ...route.action!, filters: [{ type: "RequestBodyLimit", describe: () => ["by hand"] }] };
    expect(unpreparedReason({ ...config, routes: [{ ...route, action: handmade }] })).toContain("a function at rules[0].http.paths[0].action.filters.0.describe");
  });

  it("is made for a config whose access list another config shares (apply parses the active config after the new one)", () => {
    const access = { type: "AccessControl", accessControl: { allowSourceRanges: ["10.9.8.0/24"] } };
    const withAccess = (pools: object) => ({ ...document, pools, defaultBackend: undefined, rules: [{ host: "a.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } }, filters: [access] }] } }] });
    const next = parsed(withAccess({ web: document.pools.web, api: document.pools.api }));
    // The active config, with other pools: its AccessControl is the same compiled object (interned by its settings).
    const active = parsed(withAccess({ web: document.pools.web }));
    expect(active.routes[0]?.action?.filters[0]).toBe(next.routes[0]?.action?.filters[0]);
    const fast = preparedRoundTrip(next);
    expect(fast?.routes[0]?.action?.filters.map((f) => f.describe())).toEqual(next.routes[0]?.action?.filters.map((f) => f.describe()));
  });

  it("compiles nothing for a route until its host is asked for", () => {
    const twoHosts = { ...withFilters, rules: [withFilters.rules[0], { ...withFilters.rules[0], host: "b.example.com" }] };
    const compile = vi.spyOn(filtersByType.get("RequestBodyLimit")!, "compile");
    try {
      const config = parsed(twoHosts);
      compile.mockClear();
      const runtime = compileRuntime("v", preparedRoundTrip(config)!, { random: () => 0 });
      expect(compile).not.toHaveBeenCalled();
      expect(runtime.table.route("b.example.com", "/x")).toMatchObject({ ok: true, match: { pool: "web" } });
      expect(compile).toHaveBeenCalledTimes(1);
    } finally {
      compile.mockRestore();
    }
  });

  it("refuses a shape it does not know", () => {
    const { head: prepared, lazy } = encodePrepared(parsed(document))!;
    const items = lazyItemsOf(new TextEncoder().encode(lazy), 0);
    expect(decodePrepared(prepared, items)).toBeDefined();
    expect(decodePrepared({ ...prepared, v: PREPARED_FORMAT + 1 }, items)).toBeUndefined();
    // The first prepared form (one flat route array, not grouped by host): full path until the next apply.
    expect(decodePrepared({ v: 1, r: [], pools: prepared.pools, rest: prepared.rest }, items)).toBeUndefined();
    // The forms before filters were carried, before the lazy area: full path until the next apply.
    for (const v of [2, 3, 4]) expect(decodePrepared({ ...prepared, v }, items)).toBeUndefined();
    // A filter type this Worker does not have (written by a newer CLI): full path, where it is refused by name.
    expect(decodePrepared({ ...prepared, t: ["SomethingNew"] }, items)).toBeUndefined();
    expect(decodePrepared({ ...prepared, e: [] }, items)).toBeUndefined();
    expect(decodePrepared({ ...prepared, n: [1, 2] }, items)).toBeUndefined();
    expect(decodePrepared({ ...prepared, count: undefined }, items)).toBeUndefined();
    expect(decodePrepared(null, items)).toBeUndefined();
  });
});

describe("a value apply writes", () => {
  it("is still a StoredConfig any reader validates as before", async () => {
    const { text } = await storedText(stored, parsed(document));
    const full = parseStoredConfig(text);
    expect(full.ok && full.config).toEqual(parsed(document));
    expect(JSON.parse(text)).toMatchObject(stored);
  });

  it("is read from its prepared form when its digest matches", async () => {
    const { text, digest } = await storedText(stored, parsed(document));
    expect(claimedDigest(text)).toBe(digest);
    const fast = await readFastStored(bytes(text));
    expect({ ...fast, config: plainPools(fast?.config) }).toEqual({ ok: true, version: stored.version, appliedAt: stored.appliedAt, config: parsed(document), digest });
  });

  it("counts its prepared form in bytes, so text beyond ASCII is read from it too", async () => {
    const doc = { ...document, ingresses: [{ name: "shop", namespace: "web", annotations: { note: "café ☕ 日本 \u{1F600}" } }] };
    const { text, digest } = await storedText(stored, parsed(doc));
    const fast = await readFastStored(bytes(text));
    expect(fast?.digest).toBe(digest);
    expect(plainPools(fast?.config)).toEqual(parsed(doc));
  });

  it("has its digest verified over its bytes", async () => {
    const { text, digest } = await storedText(stored, parsed(document));
    expect(await verifiedDigest(bytes(text))).toBe(digest);
    expect(claimedDigestOf(bytes(text))).toBe(digest);
    const edited = bytes(text.replace("web-2.example.net", "web-3.example.net"));
    expect(claimedDigestOf(edited)).toBe(digest);
    expect(await verifiedDigest(edited)).toBeUndefined();
    expect(await verifiedDigest(bytes(JSON.stringify(stored)))).toBeUndefined();
    expect(await verifiedDigest(new Uint8Array())).toBeUndefined();
  });

  it("takes the full path when written with the previous head (its prepared form counted in characters)", async () => {
    const { text } = await storedText(stored, parsed(document));
    const older = text.replace('","preparedBytes":', '","preparedChars":');
    const at = older.indexOf('","preparedChars"');
    const resigned = `{"digest":"${await sha256Hex(older.slice(at))}${older.slice(at)}`;
    expect(claimedDigestOf(bytes(resigned))).toBeUndefined();
    expect(await readFastStored(bytes(resigned))).toBeUndefined();
    expect(parseStoredConfig(resigned).ok).toBe(true);
  });

  it("takes the full path when edited anywhere after the digest, or written without one", async () => {
    const { text } = await storedText(stored, parsed(document));
    expect(await readFastStored(bytes(text.replace("web-2.example.net", "web-3.example.net")))).toBeUndefined();
    expect(await readFastStored(bytes(text.replace('"version":"0123456789ab"', '"version":"0123456789ac"')))).toBeUndefined();
    expect(await readFastStored(bytes(text.slice(0, -1)))).toBeUndefined();
    expect(await readFastStored(bytes(JSON.stringify(stored)))).toBeUndefined();
    // A consistent digest over a prepared form in a newer format: full path too.
    const newer = text.replace(`"v":${PREPARED_FORMAT}`, '"v":9');
    expect(newer).not.toBe(text);
    const at = newer.indexOf('","preparedBytes"');
    expect(await readFastStored(bytes(`{"digest":"${await sha256Hex(newer.slice(at))}${newer.slice(at)}`))).toBeUndefined();
  });

  it("is plain JSON without a digest when the config has no prepared form", async () => {
    const { text, digest } = await storedText(stored, undefined);
    expect(digest).toBeUndefined();
    expect(text).toBe(JSON.stringify(stored));
  });
});
