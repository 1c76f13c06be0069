// A real webhook receiver on 127.0.0.1 for the cron run's alerts: records
// each post's JSON and answers as the test says.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Receiver {
  readonly url: string;
  readonly posts: Record<string, unknown>[];
  /** What the receiver answers: a status, or "hang". */
  answer: number | "hang";
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const posts: Record<string, unknown>[] = [];
  const receiver = { posts, answer: 200 as number | "hang" };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      posts.push({ ...(JSON.parse(body) as Record<string, unknown>), _contentType: req.headers["content-type"], _path: req.url });
      if (receiver.answer !== "hang") res.writeHead(receiver.answer).end("ok");
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
  return Object.assign(receiver, {
    // The path stands for the secret part of a real webhook URL.
    url: `http://127.0.0.1:${port}/services/T000/B000/secret-part-of-the-url`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
