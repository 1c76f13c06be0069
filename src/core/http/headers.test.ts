import { describe, expect, it } from "vitest";
import { cleanResponseHeaders, isWebSocketUpgrade, needsHopByHopStrip, setForwardingHeaders, stripHopByHop } from "./headers";

describe("stripHopByHop", () => {
  it("removes RFC 9110 hop-by-hop fields, proxy credentials and every field Connection lists", () => {
    const headers = new Headers({
      connection: "keep-alive, X-Secret , x-other",
      "keep-alive": "timeout=5",
      "proxy-authorization": "Basic c2VjcmV0",
      "proxy-authenticate": "Basic",
      "proxy-connection": "keep-alive",
      te: "trailers",
      trailer: "x-checksum",
      upgrade: "h2c",
      "http2-settings": "AAMAAABkAAQCAAAAAAIAAAAA",
      "x-secret": "1",
      "x-other": "2",
      authorization: "Bearer kept",
      "x-kept": "3",
    });
    stripHopByHop(headers);
    expect([...headers.keys()].sort()).toEqual(["authorization", "x-kept"]);
  });

  it("says whether anything needs stripping beyond what the runtime owns", () => {
    expect(needsHopByHopStrip(new Headers({ "content-type": "text/plain", "x-a": "1" }))).toBe(false);
    expect(needsHopByHopStrip(new Headers({ connection: "Keep-Alive", "keep-alive": "timeout=5", te: "trailers" }))).toBe(false);
    expect(needsHopByHopStrip(new Headers({ connection: "close" }))).toBe(false);
    expect(needsHopByHopStrip(new Headers({ connection: "keep-alive, X-A", "x-a": "1" }))).toBe(true);
    expect(needsHopByHopStrip(new Headers({ "proxy-authenticate": "Basic" }))).toBe(true);
    expect(needsHopByHopStrip(new Headers({ "proxy-authorization": "Basic x" }))).toBe(true);
    expect(needsHopByHopStrip(new Headers({ "proxy-connection": "keep-alive" }))).toBe(true);
    // What a Worker behind Cloudflare or wrangler dev sees of an h2c upgrade: no Connection, no Upgrade.
    expect(needsHopByHopStrip(new Headers({ "http2-settings": "AAMAAABkAAQCAAAAAAIAAAAA" }))).toBe(true);
  });

  it("keeps Upgrade for a WebSocket handshake", () => {
    const headers = new Headers({ connection: "Upgrade", upgrade: "websocket", "sec-websocket-key": "k" });
    expect(isWebSocketUpgrade(headers)).toBe(true);
    stripHopByHop(headers, true);
    expect(headers.get("upgrade")).toBe("websocket");
    expect(headers.get("connection")).toBe("upgrade");
    expect(headers.get("sec-websocket-key")).toBe("k");
  });

  it("does not treat other upgrades as WebSocket", () => {
    expect(isWebSocketUpgrade(new Headers({ upgrade: "h2c" }))).toBe(false);
    expect(isWebSocketUpgrade(new Headers())).toBe(false);
  });
});

describe("setForwardingHeaders", () => {
  const base = { clientIp: "203.0.113.7", proto: "https", host: "api.example.com", requestId: "rid-1" };

  it("sets X-Forwarded-*, the client address fields and the request id", () => {
    const headers = new Headers();
    setForwardingHeaders(headers, base);
    expect(Object.fromEntries(headers)).toEqual({
      "x-forwarded-for": "203.0.113.7",
      "x-forwarded-proto": "https",
      "x-forwarded-scheme": "https",
      "x-scheme": "https",
      "x-forwarded-host": "api.example.com",
      "x-forwarded-port": "443",
      "x-real-ip": "203.0.113.7",
      "true-client-ip": "203.0.113.7",
      "x-request-id": "rid-1",
    });
  });

  it("appends the client to an existing X-Forwarded-For, once", () => {
    const headers = new Headers({ "x-forwarded-for": "198.51.100.1" });
    setForwardingHeaders(headers, base);
    expect(headers.get("x-forwarded-for")).toBe("198.51.100.1, 203.0.113.7");
    setForwardingHeaders(headers, base);
    expect(headers.get("x-forwarded-for")).toBe("198.51.100.1, 203.0.113.7");
  });

  it("overwrites what the client sent: proto, scheme, host, port, client address and request id, and drops X-Forwarded-Ssl", () => {
    const spoofed = new Headers({ "x-forwarded-scheme": "https", "x-scheme": "https", "x-forwarded-ssl": "on" });
    setForwardingHeaders(spoofed, { ...base, proto: "http" });
    expect([spoofed.get("x-forwarded-scheme"), spoofed.get("x-scheme"), spoofed.get("x-forwarded-ssl")]).toEqual(["http", "http", null]);
    const headers = new Headers({
      "x-forwarded-proto": "gopher",
      "x-forwarded-host": "evil.example",
      "x-forwarded-port": "1",
      "x-real-ip": "198.51.100.7",
      "true-client-ip": "198.51.100.8",
      "x-request-id": "client-id",
    });
    setForwardingHeaders(headers, base);
    expect(headers.get("x-forwarded-proto")).toBe("https");
    expect(headers.get("x-forwarded-host")).toBe("api.example.com");
    expect(headers.get("x-forwarded-port")).toBe("443");
    expect(headers.get("x-real-ip")).toBe("203.0.113.7");
    expect(headers.get("true-client-ip")).toBe("203.0.113.7");
    expect(headers.get("x-request-id")).toBe("rid-1");
  });

  it("strips Forwarded, X-Original-URL, X-Rewrite-URL and Proxy", () => {
    const headers = new Headers({ forwarded: "for=1.2.3.4;host=evil", "x-original-url": "/admin", "x-rewrite-url": "/admin", proxy: "http://evil:3128", "x-kept": "1" });
    setForwardingHeaders(headers, base);
    for (const name of ["forwarded", "x-original-url", "x-rewrite-url", "proxy"]) expect(headers.has(name), name).toBe(false);
    expect(headers.get("x-kept")).toBe("1");
  });

  it("removes client-sent address fields when the client address is unknown", () => {
    const headers = new Headers({ "x-real-ip": "198.51.100.7", "true-client-ip": "198.51.100.8" });
    setForwardingHeaders(headers, { ...base, clientIp: undefined });
    expect(headers.has("x-real-ip")).toBe(false);
    expect(headers.has("true-client-ip")).toBe(false);
    expect(headers.has("x-forwarded-for")).toBe(false);
  });

  it("takes X-Forwarded-Port from the Host, else from the scheme", () => {
    const port = (host: string, proto: string) => {
      const headers = new Headers();
      setForwardingHeaders(headers, { ...base, host, proto });
      return headers.get("x-forwarded-port");
    };
    expect(port("api.example.com:8443", "https")).toBe("8443");
    expect(port("[2001:db8::1]:8080", "http")).toBe("8080");
    expect(port("[2001:db8::1]", "http")).toBe("80");
    expect(port("api.example.com", "http")).toBe("80");
  });
});

describe("cleanResponseHeaders", () => {
  const origin = "http://10.0.0.5:8080/base";

  it("needs no copy when nothing is hop-by-hop and Location is not the origin's", () => {
    expect(cleanResponseHeaders(new Headers({ "content-type": "text/html", connection: "keep-alive" }), origin, "https://www.example.com")).toBeUndefined();
    expect(cleanResponseHeaders(new Headers({ location: "https://elsewhere.example/" }), origin, "https://www.example.com")).toBeUndefined();
    expect(cleanResponseHeaders(new Headers({ location: "/base/x" }), origin, "https://www.example.com")).toBeUndefined();
  });

  it("strips hop-by-hop fields and rewrites Location in one copy, leaving the original alone", () => {
    const upstream = new Headers({ connection: "x-secret", "x-secret": "1", location: "http://10.0.0.5:8080/base/next?a=1", "set-cookie": "s=1" });
    const cleaned = cleanResponseHeaders(upstream, origin, "https://www.example.com");
    expect(cleaned && Object.fromEntries(cleaned)).toEqual({ location: "https://www.example.com/next?a=1", "set-cookie": "s=1" });
    expect(upstream.get("location")).toBe("http://10.0.0.5:8080/base/next?a=1");
  });
});
