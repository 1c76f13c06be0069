// Header handling for a proxy hop. Hop-by-hop fields describe one connection
// and must not be forwarded (RFC 9110 section 7.6.1); Proxy-Authorization and
// Proxy-Authenticate carry credentials meant for a proxy, not for the origin
// or the client (RFC 9110 section 11.7). workerd drops some of these itself
// but not the ones a Connection header names, so we strip all of them, both
// ways. The list is the one Go's httputil.ReverseProxy and Caddy use, plus
// HTTP2-Settings, which only ever travels with an h2c upgrade (RFC 7540
// section 3.2.1).
//
// A request's Connection header is seen only when nothing in front of the
// Worker consumed it: Cloudflare's edge and `wrangler dev` both terminate the
// client's connection, so there the fields it lists arrive as ordinary fields
// and nobody can tell them apart. That is why every field with a fixed
// hop-by-hop meaning is stripped whether or not Connection names it.
import { rewriteLocation } from "./location";

const HOP_BY_HOP = [
  "connection",
  "http2-settings",
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
 * and the fields below.
 */
const RUNTIME_OWNED = new Set(["close", "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"]);

/** Hop-by-hop fields the runtime forwards as given. */
const NOT_RUNTIME_OWNED = ["http2-settings", "proxy-authenticate", "proxy-authorization", "proxy-connection"] as const;

/**
 * True when the runtime would forward a hop-by-hop field that stripHopByHop
 * must remove. Five lookups instead of eleven: most messages carry only
 * `Connection: keep-alive`, and then a response passes through untouched.
 */
export function needsHopByHopStrip(headers: Headers): boolean {
  for (const name of NOT_RUNTIME_OWNED) if (headers.has(name)) return true;
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
  /** The Host the client asked for, with its port when it named one. */
  readonly host: string;
  /** The request's id (the client's when acceptable, see request-id.ts): always sent as X-Request-Id. */
  readonly requestId: string;
}

/**
 * Client-sent fields an origin may trust to override its idea of the client
 * or of the URL, and that no client may choose: Forwarded (RFC 7239; the
 * X-Forwarded-* set below says the same things, and a second, client-written
 * source would win in frameworks that prefer it), X-Original-URL and
 * X-Rewrite-URL (IIS and Symfony route by them), Proxy (httpoxy: CGI
 * turns it into HTTP_PROXY; ingress-nginx clears it too), and X-Forwarded-Ssl
 * ("on" makes Rack and others treat a plain HTTP request as HTTPS).
 */
const UNTRUSTED = ["forwarded", "x-original-url", "x-rewrite-url", "proxy", "x-forwarded-ssl"] as const;

/**
 * Sets the forwarding fields. X-Forwarded-For gets the client address
 * appended (as nginx's $proxy_add_x_forwarded_for does), unless the list
 * already ends with it: Cloudflare's edge may have appended it before the
 * Worker saw the request, and a duplicate would only confuse log readers.
 * X-Real-IP (which ingress-nginx always overwrites) and True-Client-IP
 * (Cloudflare Enterprise's and Akamai's name for the same value) are set to
 * the client address, or removed when it is unknown; X-Forwarded-Proto,
 * -Host and -Port are overwritten: what the client sent is not to be
 * trusted. So are X-Forwarded-Scheme and X-Scheme, which ingress-nginx sets
 * to the scheme too, and which Rack reads before X-Forwarded-Proto: a
 * client's "https" there would pass a plain HTTP request off as HTTPS.
 */
export function setForwardingHeaders(headers: Headers, f: ForwardedFor): void {
  for (const name of UNTRUSTED) headers.delete(name);
  if (f.clientIp) {
    const prior = headers.get("x-forwarded-for");
    const last = prior?.split(",").at(-1)?.trim();
    if (!prior) headers.set("x-forwarded-for", f.clientIp);
    else if (last !== f.clientIp) headers.set("x-forwarded-for", `${prior}, ${f.clientIp}`);
    headers.set("x-real-ip", f.clientIp);
    headers.set("true-client-ip", f.clientIp);
  } else {
    headers.delete("x-real-ip");
    headers.delete("true-client-ip");
  }
  headers.set("x-forwarded-proto", f.proto);
  headers.set("x-forwarded-scheme", f.proto);
  headers.set("x-scheme", f.proto);
  headers.set("x-forwarded-host", f.host);
  headers.set("x-forwarded-port", portOf(f.host, f.proto));
  headers.set("x-request-id", f.requestId);
}

/** The port in a Host value ("example.com:8443", "[::1]:8080"), else the scheme's default. */
function portOf(host: string, proto: string): string {
  return /:(\d+)$/.exec(host)?.[1] ?? (proto === "https" ? "443" : "80");
}

/**
 * The headers an origin's response should reach the client with, or
 * undefined when they need no change (the common case: copying them costs a
 * Headers and a new Response on every request). Strips hop-by-hop fields and
 * rewrites a Location naming the origin's own address (see location.ts).
 */
export function cleanResponseHeaders(headers: Headers, originUrl: string, clientOrigin: string): Headers | undefined {
  const location = headers.get("location");
  const rewritten = location === null ? undefined : rewriteLocation(location, originUrl, clientOrigin);
  const strip = needsHopByHopStrip(headers);
  if (!strip && rewritten === undefined) return undefined;
  const cleaned = new Headers(headers);
  if (strip) stripHopByHop(cleaned);
  if (rewritten !== undefined) cleaned.set("location", rewritten);
  return cleaned;
}
