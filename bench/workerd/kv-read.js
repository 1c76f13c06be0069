// Calibration for the router's first request: a bare Worker that reads the
// KV keys named by the x-bench-kv-keys header (comma-separated; one get per
// key, at once, as the router's first request reads the active value and the
// health state; as bytes, as the router reads the active value, so that the
// baseline does not decode to text a value the router does not decode
// whole), writes one log line (the router logs one per request;
// workerd's first console.log in an isolate costs 2 to 3 ms), and then proxies like
// pass-through.js. Its first request in a fresh workerd is what the local KV
// service and workerd spend on that I/O, without the router's own code: the
// router's own cost is the difference.
export default {
  async fetch(request, env) {
    const keys = request.headers.get("x-bench-kv-keys");
    if (keys) await Promise.all(keys.split(",").map((key) => env.KV.get(key, "arrayBuffer")));
    console.log(JSON.stringify({ level: "info", event: "request", keys }));
    const url = new URL(request.url);
    return fetch(env.ORIGIN + url.pathname + url.search, request);
  },
};
