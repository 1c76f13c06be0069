// Header handling for a proxy hop. Hop-by-hop fields describe one connection
// and must not be forwarded (RFC 9110 section 7.6.1); Proxy-Authorization and
// Proxy-Authenticate carry credentials meant for a proxy, not for the origin
// or the client (RFC 9110 section 11.7). workerd drops some of these itself
// but not the ones a Connection header names, so we strip all of them, both
// ways. The list is the one Go's httputil.ReverseProxy and Caddy use.
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
] as const;

/**
 * Fields workerd itself owns on every hop it makes (it sets or drops them
 * when it sends a request or a response), so their mere presence needs no
 * work from us. What it does not handle: fields a Connection header lists,
 * and the Proxy-* fields, which workerd forwards as given.
 */
const RUNTIME_OWNED = new Set(["close", "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"]);

/**
 * True when the runtime would forward a hop-by-hop field that stripHopByHop
 * must remove. Four lookups instead of ten: most messages carry only
 * `Connection: keep-alive`, and then a response passes through untouched.
 */
export function needsHopByHopStrip(headers: Headers): boolean {
  if (headers.has("proxy-authorization") || headers.has("proxy-authenticate") || headers.has("proxy-connection")) return true;
  const connection = headers.get("connection");
  if (!connection) return false;
  for (const token of connection.split(",")) {
    if (!RUNTIME_OWNED.has(token.trim().toLowerCase())) return true;
  }
  return false;
}

/** True for a WebSocket handshake (RFC 6455 section 4.1): its Upgrade header must survive the hop. */
export function isWebSocketUpgrade(headers: Headers): boolean {
  return headers.get("upgrade")?.trim().toLowerCase() === "websocket";
}

/**
 * Removes hop-by-hop fields in place, including every field the Connection
 * header lists. `keepUpgrade` keeps Upgrade (and Connection: upgrade) for a
 * WebSocket handshake.
 */
export function stripHopByHop(headers: Headers, keepUpgrade = false): void {
  const connection = headers.get("connection");
  if (connection) {
    for (const token of connection.split(",")) {
      const name = token.trim().toLowerCase();
      if (name && !(keepUpgrade && name === "upgrade")) headers.delete(name);
    }
  }
  for (const name of HOP_BY_HOP) {
    if (keepUpgrade && (name === "upgrade" || name === "connection")) continue;
    headers.delete(name);
  }
  if (keepUpgrade) headers.set("connection", "upgrade");
}

export interface ForwardedFor {
  /** The client address as the edge saw it (CF-Connecting-IP). */
  readonly clientIp: string | undefined;
  /** "https" or "http": the scheme the client used. */
  readonly proto: string;
  /** The Host the client asked for. */
  readonly host: string;
  /** Used as X-Request-Id when the request has none. */
  readonly requestId: string;
}

/**
 * Sets the X-Forwarded-* fields. X-Forwarded-For gets the client address
 * appended (as nginx's $proxy_add_x_forwarded_for does), unless the list
 * already ends with it: Cloudflare's edge may have appended it before the
 * Worker saw the request, and a duplicate would only confuse log readers.
 * X-Forwarded-Proto and -Host are overwritten: what the client sent is not
 * to be trusted.
 */
export function setForwardingHeaders(headers: Headers, f: ForwardedFor): void {
  if (f.clientIp) {
    const prior = headers.get("x-forwarded-for");
    const last = prior?.split(",").at(-1)?.trim();
    if (!prior) headers.set("x-forwarded-for", f.clientIp);
    else if (last !== f.clientIp) headers.set("x-forwarded-for", `${prior}, ${f.clientIp}`);
  }
  headers.set("x-forwarded-proto", f.proto);
  headers.set("x-forwarded-host", f.host);
  if (!headers.has("x-request-id")) headers.set("x-request-id", f.requestId);
}
