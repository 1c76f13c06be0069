// What the runtime calls a proxied request makes cost inside workerd: one
// request runs one call `n` times in a loop (?call=NAME&n=N), so the CPU the
// benchmark reads from /proc, less that of an n=1 request, is n calls' worth
// with no HTTP or I/O around them. The request carries the fields a browser
// sends through Cloudflare (calls.ts), so the copies copy what they would.
// Each call is what the router does (src/core/http/headers.ts,
// src/core/request/decide.ts, src/edge/forward.ts, src/log.ts) or the
// alternative to one of them (a new Request built from the client's, instead of a
// new Headers).
const LINE = { level: "info", event: "request", requestId: "6f1c2a9e-1b7d-4c1e-9a53-0e8f3c2d7b41", method: "GET", host: "www.example.com", path: "/app/items/42", rule: "rules[12].http.paths[0]", pool: "web", origin: "https://10.0.0.12:8443", status: 200, durationMs: 12, retried: false, ejected: false, error: null };

const CALLS = {
  "loop alone": () => 0,
  "new Headers(request.headers)": (request) => new Headers(request.headers),
  "new Request(url, request)": (request, url) => new Request(url, request),
  "Headers.get, field present": (_r, _u, headers) => headers.get("user-agent"),
  "Headers.get, field absent": (_r, _u, headers) => headers.get("x-forwarded-for"),
  "Headers.has": (_r, _u, headers) => headers.has("proxy-connection"),
  "Headers.delete": (_r, _u, headers) => headers.delete("forwarded"),
  "Headers.set": (_r, _u, headers) => headers.set("x-request-id", "6f1c2a9e-1b7d-4c1e-9a53-0e8f3c2d7b41"),
  "new URL(request.url)": (request) => new URL(request.url),
  "crypto.randomUUID()": () => crypto.randomUUID(),
  "new AbortController()": () => new AbortController(),
  "setTimeout + clearTimeout": () => clearTimeout(setTimeout(() => {}, 30_000)),
  "JSON.stringify of the request line": () => JSON.stringify(LINE),
  "console.log of the request line": () => console.log(JSON.stringify(LINE)),
};

export default {
  fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/calls") return Response.json(Object.keys(CALLS));
    const call = CALLS[url.searchParams.get("call")];
    if (call === undefined) return new Response("unknown call", { status: 404 });
    const n = Number(url.searchParams.get("n"));
    const headers = new Headers(request.headers);
    const target = `http://origin.invalid${url.pathname}`;
    let kept;
    for (let i = 0; i < n; i++) kept = call(request, target, headers);
    return new Response(kept === undefined ? "done" : "done.");
  },
};
