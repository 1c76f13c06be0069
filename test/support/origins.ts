// Real HTTP origin servers on 127.0.0.1 whose behaviour a test switches:
// answering, failing with a status, hanging, resetting connections, or with
// the port closed. Every request is recorded so tests can see what reached
// the origin (and what did not).
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { WebSocketServer } from "ws";

export type OriginMode =
  | { readonly kind: "ok" }
  | { readonly kind: "status"; readonly status: number }
  | { readonly kind: "hang" }
  /** Never reads the request body and never answers: an origin that stopped taking the upload. */
  | { readonly kind: "no-read" }
  | { readonly kind: "reset" }
  /** Sends these interim (1xx) responses first, then answers as "ok" does. */
  | { readonly kind: "interim"; readonly statuses: readonly (100 | 102 | 103)[] };

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly rawHeaders: readonly string[];
  readonly bodyBytes: number;
}

export interface TestOrigin {
  readonly name: string;
  readonly port: number;
  /** "http://127.0.0.1:PORT" */
  readonly url: string;
  readonly requests: SeenRequest[];
  /** Requests whose connection closed before this origin answered them (the router gave up on them). */
  abandoned: number;
  mode: OriginMode;
  /** Body text of health answers (path /healthz). */
  healthBody: string;
  /** When set, /healthz answers 401 unless the request's Authorization equals it. */
  healthAuthorization: string | undefined;
  /** Stops listening: the port refuses connections until reopen(). */
  closePort(): Promise<void>;
  reopen(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Paths the origin understands (besides echoing everything else as JSON):
 * - /download?bytes=N  streams N bytes in 64 KiB chunks
 * - /upload            answers the byte count and SHA-256 of the body
 * - /redirect          302 to /elsewhere on an unrelated host
 * - /hop               answers with hop-by-hop and proxy headers set
 * - /healthz           answers healthBody (401 without the right Authorization when healthAuthorization is set)
 * - WebSocket upgrades on any path: echoes messages back prefixed with the origin name
 * A request with `Expect: 100-continue` is answered `100 Continue` first, by
 * node:http itself, as most servers do.
 */
export async function startOrigin(name: string): Promise<TestOrigin> {
  const sockets = new Set<Socket>();
  const wss = new WebSocketServer({ noServer: true });
  wss.on("connection", (ws) => ws.on("message", (data) => ws.send(`${name}:${data.toString()}`)));

  const origin: TestOrigin = {
    name,
    port: 0,
    url: "",
    requests: [],
    abandoned: 0,
    mode: { kind: "ok" },
    healthBody: "ok",
    healthAuthorization: undefined,
    closePort: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
    },
    reopen: () => listen(server, origin.port).then(() => undefined),
    close: async () => {
      for (const s of sockets) s.destroy();
      wss.close();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server: Server = createServer((req, res) => {
    res.on("close", () => {
      if (!res.writableFinished) origin.abandoned++;
    });
    if (origin.mode.kind === "no-read") {
      origin.requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, rawHeaders: req.rawHeaders, bodyBytes: 0 });
      req.pause();
      return;
    }
    let bodyBytes = 0;
    const hash = createHash("sha256");
    req.on("data", (chunk: Buffer) => {
      bodyBytes += chunk.length;
      hash.update(chunk);
    });
    req.on("end", () => {
      origin.requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, rawHeaders: req.rawHeaders, bodyBytes });
      respond(origin, req, res, bodyBytes, hash.digest("hex"));
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("upgrade", (req, socket, head) => {
    origin.requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, rawHeaders: req.rawHeaders, bodyBytes: 0 });
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });
  const port = await listen(server, 0);
  Object.assign(origin, { port, url: `http://127.0.0.1:${port}` });
  return origin;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

function respond(origin: TestOrigin, req: IncomingMessage, res: ServerResponse, bodyBytes: number, sha256: string): void {
  const mode = origin.mode;
  if (mode.kind === "hang" || mode.kind === "no-read") return; // never answers; the socket is destroyed on close()
  if (mode.kind === "reset") {
    req.socket.destroy();
    return;
  }
  const url = new URL(req.url ?? "/", "http://origin");
  res.setHeader("x-origin", origin.name);
  if (mode.kind === "status") {
    res.writeHead(mode.status, { "content-type": "text/plain" }).end(`${origin.name} says ${mode.status}`);
    return;
  }
  if (mode.kind === "interim") {
    for (const status of mode.statuses) {
      if (status === 100) res.writeContinue();
      else if (status === 102) res.writeProcessing();
      else res.writeEarlyHints({ link: "</style.css>; rel=preload; as=style" });
    }
  }
  switch (url.pathname) {
    case "/download": {
      const total = Number(url.searchParams.get("bytes") ?? "0");
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(total) });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
          sent += piece.length;
          if (!res.write(piece)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
      return;
    }
    case "/upload":
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ bytes: bodyBytes, sha256 }));
      return;
    case "/redirect":
      res.writeHead(302, { location: "https://elsewhere.example/landing", "set-cookie": "a=1" }).end();
      return;
    case "/hop":
      res.writeHead(200, {
        connection: "x-origin-secret",
        "x-origin-secret": "leak",
        "keep-alive": "timeout=5",
        "proxy-authenticate": "Basic realm=origin",
        "x-kept": "yes",
      }).end("hop");
      return;
    case "/healthz":
      if (origin.healthAuthorization !== undefined && req.headers.authorization !== origin.healthAuthorization) {
        res.writeHead(401, { "content-type": "text/plain" }).end("unauthorized");
        return;
      }
      res.writeHead(200, { "content-type": "text/plain" }).end(origin.healthBody);
      return;
    default:
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({ origin: origin.name, method: req.method, url: req.url, headers: req.headers, bodyBytes }),
      );
  }
}
