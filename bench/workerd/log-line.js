// The control of the observability A/B: the pass-through (pass-through.js)
// that, with LOG_LINE = "1", writes one line per request the size of the
// router's request line. Run against itself without the line, it shows what
// one console.log per request costs local workerd, whatever Worker writes it;
// the router's line and data point are judged beside that figure.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const response = await fetch(env.ORIGIN + url.pathname + url.search, request);
    if (env.LOG_LINE === "1") {
      console.log(
        JSON.stringify({ level: "info", event: "request", requestId: crypto.randomUUID(), method: request.method, host: url.host, path: url.pathname, rule: "rules[12].http.paths[0]", pool: "pool-12", origin: env.ORIGIN, status: response.status, durationMs: 1, retried: false, ejected: false, error: null }),
      );
    }
    return response;
  },
};
