// The origin of the end-to-end benchmark: a minimal node:http server on
// 127.0.0.1, run as its own process so that it never shares an event loop
// with the load generator. Every answer is the same small 200 with a marker
// header, so a run can check that the router really reached it. Prints
// {"port":N} once listening; GET /__origin/stats answers the counts of requests and of
// connections (a proxy that does not reuse connections shows up there).
import { createServer } from "node:http";

const BODY = Buffer.from("hello from the benchmark origin\n");
let served = 0;
let connections = 0;

const server = createServer((req, res) => {
  if (req.url === "/__origin/stats") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ served, connections }));
    return;
  }
  served++;
  // Drain any request body before answering (the benchmark sends none).
  req.resume();
  res.writeHead(200, { "content-type": "text/plain", "content-length": BODY.length, "x-bench-origin": "1" });
  res.end(BODY);
});
server.on("connection", () => connections++);
// Longer than any round, so no keep-alive connection is closed mid-run.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
process.on("SIGTERM", () => process.exit(0));
// Never outlive the benchmark: when its parent goes, so does the origin.
process.on("disconnect", () => process.exit(0));
