import { describe, expect, it } from "vitest";
import { BadResponseError, finalResponseAfterInterim, isInterimStatus, MAX_HEAD_BYTES } from "./interim";

const bytes = (text: string) => new TextEncoder().encode(text);

/**
 * The raw bytes as the runtime hands them over, in pieces of `pieceSize`;
 * with `keepOpen` the stream never ends, as an origin's idle keep-alive
 * connection does not. `cancelled` tells whether the reader let it go.
 */
function rawStream(text: string, pieceSize = 7, keepOpen = false) {
  const all = bytes(text);
  let offset = 0;
  const state = { cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset < all.length) {
        controller.enqueue(all.slice(offset, offset + pieceSize));
        offset += pieceSize;
      } else if (!keepOpen) controller.close();
      else return new Promise(() => undefined);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

describe("isInterimStatus", () => {
  it("is true for 1xx except 101", () => {
    expect([100, 102, 103, 199].map(isInterimStatus)).toEqual([true, true, true, true]);
    expect([101, 200, 404].map(isInterimStatus)).toEqual([false, false, false]);
  });
});

describe("finalResponseAfterInterim", () => {
  it("skips further interim heads and frames the final body by Content-Length, letting the connection go", async () => {
    const raw = rawStream(
      "HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n" +
        "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nX-Two: 1\r\nX-Two: 2\r\n\r\nhello world",
      3,
      true,
    );
    const response = await finalResponseAfterInterim(raw.stream, "POST");
    expect(response.status).toBe(201);
    expect(response.statusText).toBe("Created");
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(response.headers.get("x-two")).toBe("1, 2");
    expect(response.headers.get("link")).toBeNull();
    expect(await response.text()).toBe("hello world");
    expect(raw.state.cancelled).toBe(true);
  });

  it("decodes a chunked body, with chunk extensions and trailers, and drops the framing header", async () => {
    const raw = rawStream(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\nHTTP/1.1 200 OK\r\n",
      4,
      true,
    );
    const response = await finalResponseAfterInterim(raw.stream, "GET");
    expect(response.headers.get("transfer-encoding")).toBeNull();
    expect(await response.text()).toBe("hello 0123456789");
    expect(raw.state.cancelled).toBe(true);
  });

  it("reads a body without framing until the stream ends", async () => {
    const raw = rawStream("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\nServer: old\n\nall of it");
    const response = await finalResponseAfterInterim(raw.stream, "GET");
    expect(response.headers.get("server")).toBe("old");
    expect(await response.text()).toBe("all of it");
  });

  it("gives no body for HEAD, 204 and 304", async () => {
    for (const [method, head] of [
      ["HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"],
      ["GET", "HTTP/1.1 204 No Content\r\n\r\n"],
      ["GET", "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"],
    ] as const) {
      const raw = rawStream(head, 5, true);
      const response = await finalResponseAfterInterim(raw.stream, method);
      expect(response.body).toBeNull();
      expect(raw.state.cancelled).toBe(true);
    }
  });

  it("rejects what is not an HTTP/1.1 response, and lets the connection go", async () => {
    const cases = [
      "garbage\r\n\r\n",
      "HTTP/1.1 20 OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      "HTTP/1.1 101 Switching Protocols\r\n\r\n",
      `HTTP/1.1 200 OK\r\nX-Big: ${"x".repeat(MAX_HEAD_BYTES)}\r\n\r\n`,
    ];
    for (const text of cases) {
      const raw = rawStream(text, 1000, true);
      await expect(finalResponseAfterInterim(raw.stream, "GET"), text.slice(0, 40)).rejects.toBeInstanceOf(BadResponseError);
      expect(raw.state.cancelled).toBe(true);
    }
    const cutShort = rawStream("HTTP/1.1 200 OK\r\nContent-Le");
    await expect(finalResponseAfterInterim(cutShort.stream, "GET")).rejects.toBeInstanceOf(BadResponseError);
    await expect(finalResponseAfterInterim(null, "GET")).rejects.toBeInstanceOf(BadResponseError);
  });

  it("bounds the interim heads together, not each alone", async () => {
    const hint = `HTTP/1.1 103 Early Hints\r\nLink: ${"x".repeat(1000)}\r\n\r\n`;
    const raw = rawStream(hint.repeat(Math.ceil(MAX_HEAD_BYTES / hint.length) + 1) + "HTTP/1.1 200 OK\r\n\r\n", 4096);
    await expect(finalResponseAfterInterim(raw.stream, "GET")).rejects.toBeInstanceOf(BadResponseError);
  });

  it("errors the body when it is shorter than announced", async () => {
    for (const text of ["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"]) {
      const response = await finalResponseAfterInterim(rawStream(text).stream, "GET");
      await expect(response.text()).rejects.toBeInstanceOf(BadResponseError);
    }
  });
});
