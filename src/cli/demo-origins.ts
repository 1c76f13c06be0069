// Two demo origins for trying the router locally (`edge-ingress dev
// --demo-origins`, `npm start`): plain HTTP servers on 127.0.0.1 that answer
// every request with their name, and /healthz with "ok" for health checks.
import { createServer, type Server } from "node:http";
import { CliError } from "./output";

/** The ports the example configs name. */
export const DEMO_PORTS = [9001, 9002] as const;

export interface DemoOrigins {
  readonly urls: readonly string[];
  close(): Promise<void>;
}

export async function startDemoOrigins(ports: readonly number[] = DEMO_PORTS): Promise<DemoOrigins> {
  const started = await Promise.allSettled(ports.map(listen));
  const servers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const close = () => Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => undefined);
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await close();
    throw failed.reason;
  }
  return { urls: ports.map((port) => `http://127.0.0.1:${port}`), close };
}

function listen(port: number): Promise<Server> {
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
    server.once("error", (error) => reject(new CliError(`cannot start a demo origin on 127.0.0.1:${port}: ${error.message}`)));
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
