// `npm start`: a local demo. Starts two demo origins on 127.0.0.1:9001 and
// :9002, applies examples/edge-ingress.yaml to local KV with the CLI, then runs
// `wrangler dev` on port 8787 with the config cache off, so an `edge-ingress
// apply --local` while it runs shows on the next request. Ctrl-C stops it all.
//   curl -H 'Host: app.example.com' localhost:8787/
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const wrangler = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const DEMO_PORTS = [9001, 9002];

function startDemoOrigin(port) {
  const name = `demo origin ${port}`;
  const server = createServer((req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return;
    }
    res.writeHead(200, { "content-type": "text/plain", "x-origin": name });
    res.end(`hello from ${name}: ${req.method} ${req.url} (Host: ${req.headers.host})\n`);
  });
  return new Promise((resolve, reject) => {
    server.once("error", (error) => reject(new Error(`cannot listen on 127.0.0.1:${port}: ${error.message}`)));
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

function run(args, options = {}) {
  return spawn(process.execPath, args, { cwd: root, env, stdio: "inherit", ...options });
}

function exited(child) {
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

let servers = [];
try {
  servers = await Promise.all(DEMO_PORTS.map(startDemoOrigin));
} catch (error) {
  console.error(`start: ${error.message}`);
  process.exit(1);
}
const stopOrigins = () => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
console.log(`start: demo origins on ${DEMO_PORTS.map((p) => `127.0.0.1:${p}`).join(" and ")}`);

const applied = await exited(run(["bin/edge-ingress.mjs", "apply", "examples/edge-ingress.yaml", "--local"]));
if (applied !== 0) {
  console.error("start: applying examples/edge-ingress.yaml failed; see above");
  await stopOrigins();
  process.exit(applied);
}

console.log("start: wrangler dev on http://localhost:8787  (try: curl -H 'Host: app.example.com' localhost:8787/)");
const dev = run([wrangler, "dev", "--port", "8787", "--var", "CONFIG_CACHE_TTL_SECONDS:0"]);
// Ctrl-C in a terminal reaches wrangler too (same process group): give it a
// moment to stop on its own, then forward, so a SIGINT sent to this process
// alone (kill -INT) stops wrangler as well. SIGTERM is forwarded at once.
const forward = (signal) => {
  if (dev.exitCode === null) dev.kill(signal);
};
process.on("SIGINT", () => setTimeout(() => forward("SIGINT"), 1500).unref());
process.on("SIGTERM", () => forward("SIGTERM"));
const code = await exited(dev);
await stopOrigins();
process.exit(code);
