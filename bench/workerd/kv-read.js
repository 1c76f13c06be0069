// Calibration for the router's first request: a bare Worker that reads the
// KV keys named by the x-bench-kv-keys header (comma-separated; one bulk get,
// as the router's first request does) and then proxies like pass-through.js.
// Its first request in a fresh workerd is what the first KV read costs
// workerd and the local KV service, without the router's own code.
export default {
  async fetch(request, env) {
    const keys = request.headers.get("x-bench-kv-keys");
    if (keys) await env.KV.get(keys.split(","), "text");
    const url = new URL(request.url);
    return fetch(env.ORIGIN + url.pathname + url.search, request);
  },
};
