// Stands in for Cloudflare's network between the Worker and its origins
// (Miniflare's outboundService): a subrequest is sent to the host its
// `cf.resolveOverride` names when there is one, else to the URL's host,
// with the URL's host as Host. That is what production does, and what
// local workerd cannot show: there the Host always follows the URL and
// resolveOverride is ignored (see README, "The Host an origin receives").
import { request as httpRequest } from "node:http";
import { Readable } from "node:stream";

export async function outboundViaResolveOverride(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const override = (request as Request & { cf?: { resolveOverride?: string } }).cf?.resolveOverride;
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  headers.host = url.host;
  const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
  return new Promise((resolve, reject) => {
    // A connection per request: a Node origin closes a kept-alive connection
    // after 5 s idle, as long as Node's agent keeps one (support/worker.ts).
    const req = httpRequest(
      { hostname: override ?? url.hostname, port: url.port || 80, method: request.method, path: url.pathname + url.search, headers, agent: false },
      (res) => {
        const out = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) out.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
        const status = res.statusCode ?? 502;
        const empty = request.method === "HEAD" || [204, 304].includes(status);
        if (empty) res.resume();
        resolve(new Response(empty ? null : (Readable.toWeb(res) as ReadableStream), { status, headers: out }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
