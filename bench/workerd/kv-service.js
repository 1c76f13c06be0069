// An in-memory KV namespace for the end-to-end benchmark, served to the router
// through workerd's `kvNamespace` binding. workerd turns each KVNamespace call
// into an HTTP request to the bound service (the protocol Miniflare's KV
// worker implements, node_modules/miniflare/dist/src/workers/kv/namespace.worker.js):
//   GET  /<key>[?urlencoded=true]   one value; 404 when absent
//   POST /bulk/get                  {"keys":[...],"type":"text"|"json","withMetadata":bool}
//                                   -> {"<key>": value-or-null, ...}
//   PUT  /<key>                     store a value (the cron run writes the health state)
//   DELETE /<key>, GET / (list) are not needed by the router.
// Every read is counted, in total and per key, so the benchmark can show that
// the router reads KV once per isolate, and which keys a refresh reads.
//
// The benchmark drives it on its own socket, under /__bench/ (never reached
// through the binding): PUT /__bench/values/<key>, GET /__bench/stats.

const values = new Map();
/** JSON.stringify of each value. */
const encoded = new Map();
function store(key, text) {
  values.set(key, text);
  encoded.set(key, JSON.stringify(text));
}
const stats = { reads: 0, singleGets: 0, bulkGets: 0, keysRead: 0, writes: 0, other: 0, byKey: {} };
const counted = (key) => (stats.byKey[key] = (stats.byKey[key] ?? 0) + 1);

function decodeKey(url) {
  const raw = url.pathname.slice(1);
  return url.searchParams.get("urlencoded")?.toLowerCase() === "true" ? decodeURIComponent(raw) : raw;
}

async function admin(request, url) {
  if (url.pathname === "/__bench/stats") return Response.json(stats);
  if (request.method === "PUT" && url.pathname.startsWith("/__bench/values/")) {
    store(decodeURIComponent(url.pathname.slice("/__bench/values/".length)), await request.text());
    return new Response(null, { status: 204 });
  }
  return new Response("unknown admin request", { status: 404 });
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/__bench/")) return admin(request, url);

    if (request.method === "POST" && url.pathname === "/bulk/get") {
      const body = await request.json();
      stats.reads++;
      stats.bulkGets++;
      stats.keysRead += body.keys.length;
      for (const key of body.keys) counted(key);
      if (body.type !== "json" && !body.withMetadata) {
        // Text values are kept JSON-encoded too, so that answering costs this
        // Worker (which shares the router's process and CPU figures) little.
        const parts = body.keys.map((key) => `${JSON.stringify(key)}:${encoded.get(key) ?? "null"}`);
        return new Response(`{${parts.join(",")}}`, { headers: { "content-type": "application/json" } });
      }
      const result = {};
      for (const key of body.keys) {
        const text = values.get(key);
        result[key] = text === undefined ? null : body.type === "json" ? JSON.parse(text) : text;
      }
      return Response.json(body.withMetadata ? mapWithMetadata(result) : result);
    }
    if (request.method === "GET" && url.pathname !== "/") {
      stats.reads++;
      stats.singleGets++;
      stats.keysRead++;
      counted(decodeKey(url));
      const text = values.get(decodeKey(url));
      return text === undefined ? new Response("Not Found", { status: 404 }) : new Response(text);
    }
    if (request.method === "PUT" && url.pathname !== "/") {
      stats.writes++;
      store(decodeKey(url), await request.text());
      return new Response(null);
    }
    stats.other++;
    return new Response(`kv-service: ${request.method} ${url.pathname} is not implemented`, { status: 501 });
  },
};

function mapWithMetadata(result) {
  const out = {};
  for (const [key, value] of Object.entries(result)) out[key] = value === null ? null : { value, metadata: null };
  return out;
}
