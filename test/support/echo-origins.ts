// Echo origins for the Gateway API vectors: one real HTTP server on
// 127.0.0.1 per service, answering JSON with its name, the method, the
// path and query and the headers it received (Host included), as the
// conformance echo server does. A request controls it with headers:
//   x-echo-set-header: Name:value,Name:value   headers to add to the answer
//   x-echo-delay: 1s | 500ms                   wait before answering
//   x-echo-status: 503                         answer with this status
//   x-echo-fail-first: N, x-echo-key: K        the first N requests with key K answer x-echo-fail-with (default 503)
// Every request is recorded, so a test can wait for a mirrored copy.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";

export interface EchoRequest {
  readonly backend: string;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

export interface EchoOrigin {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly requests: EchoRequest[];
  close(): Promise<void>;
}

export function parseGoDuration(text: string): number {
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms"] ?? 0);
  return ms;
}

export async function startEchoOrigin(name: string): Promise<EchoOrigin> {
  const requests: EchoRequest[] = [];
  const failures = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const seen: EchoRequest = { backend: name, method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() };
      requests.push(seen);
      const header = (n: string) => {
        const v = req.headers[n];
        return Array.isArray(v) ? v.join(",") : v;
      };
      const answer = () => {
        if (res.destroyed) return;
        const key = header("x-echo-key");
        const failFirst = Number(header("x-echo-fail-first") ?? "0");
        if (key !== undefined && failFirst > 0) {
          const count = (failures.get(key) ?? 0) + 1;
          failures.set(key, count);
          if (count <= failFirst) {
            const failWith = header("x-echo-fail-with") ?? "503";
            if (failWith === "reset") return void req.socket.destroy();
            return void res.writeHead(Number(failWith), { "content-type": "text/plain", "x-backend": name }).end(`${name} fails try ${count}`);
          }
        }
        const extra: Record<string, string> = {};
        for (const pair of (header("x-echo-set-header") ?? "").split(",")) {
          const colon = pair.indexOf(":");
          if (colon > 0) extra[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim();
        }
        const status = Number(header("x-echo-status") ?? "200");
        res.writeHead(status, { ...extra, "content-type": "application/json", "x-backend": name }).end(
          JSON.stringify({ backend: name, method: seen.method, path: seen.url, host: req.headers.host, headers: req.headers }),
        );
      };
      const delay = header("x-echo-delay");
      if (delay) setTimeout(answer, parseGoDuration(delay));
      else answer();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    });
  });
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
