import { describe, expect, it } from "vitest";
import { isWebSocketUpgrade, needsHopByHopStrip, setForwardingHeaders, stripHopByHop } from "./headers";

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

  it("sets X-Forwarded-* and a request id", () => {
    const headers = new Headers();
    setForwardingHeaders(headers, base);
    expect(Object.fromEntries(headers)).toEqual({
      "x-forwarded-for": "203.0.113.7",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "api.example.com",
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

  it("overwrites client-supplied proto and host but keeps a client request id", () => {
    const headers = new Headers({ "x-forwarded-proto": "gopher", "x-forwarded-host": "evil.example", "x-request-id": "client-id" });
    setForwardingHeaders(headers, base);
    expect(headers.get("x-forwarded-proto")).toBe("https");
    expect(headers.get("x-forwarded-host")).toBe("api.example.com");
    expect(headers.get("x-request-id")).toBe("client-id");
  });
});
