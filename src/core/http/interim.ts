// Interim (1xx) responses. An origin may send `100 Continue`, `102
// Processing` or `103 Early Hints` before its final response (RFC 9110
// section 15.2), and a client must skip them. workerd's fetch() does not: it
// resolves with the first 1xx as if it were final, and hands everything the
// origin sent after it (further 1xx responses, then the final response, as
// raw HTTP/1.1 bytes) as that response's body, read until the origin closes
// the connection. The runtime cannot relay a 1xx to the client either.
//
// So the final response is read back from those bytes here: skip the interim
// heads, parse the final head, and frame its body (Content-Length, chunked,
// or until the end) as RFC 9112 section 6 says, so the client's body ends
// where the origin's did instead of when the origin's idle connection is
// closed. No library does this over a web stream without Node's Buffer.
import { ByteReader } from "./byte-reader";

/** Largest head section accepted, interim heads included (nginx's proxy_buffer_size is 4-8 KiB; this is generous). */
export const MAX_HEAD_BYTES = 64 * 1024;

/** The origin's answer cannot be relayed; the message says why (for the log, not the client). */
export class BadResponseError extends Error {
  override readonly name = "BadResponseError";
}

export const isInterimStatus = (status: number): boolean => status >= 100 && status < 200 && status !== 101;

/**
 * Reads the final response out of the bytes that followed an interim one.
 * `method` is the request's: a response to HEAD has no body. Rejects with
 * BadResponseError on bytes that are not an HTTP/1.1 response.
 */
export async function finalResponseAfterInterim(raw: ReadableStream<Uint8Array> | null, method: string): Promise<Response> {
  if (!raw) throw new BadResponseError("interim response with nothing after it");
  const reader = new ByteReader(raw.getReader());
  try {
    let headBytes = 0;
    for (;;) {
      const head = await readHead(reader, MAX_HEAD_BYTES - headBytes);
      headBytes += head.bytes;
      if (isInterimStatus(head.status)) continue;
      if (head.status < 200 || head.status > 599) throw new BadResponseError(`status ${head.status} cannot follow an interim response`);
      return new Response(bodyOf(head, method, reader), { status: head.status, statusText: head.statusText, headers: head.headers });
    }
  } catch (error) {
    reader.cancel(error);
    throw error;
  }
}

interface Head {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly bytes: number;
}

async function readHead(reader: ByteReader, limit: number): Promise<Head> {
  let bytes = 0;
  const line = async () => {
    const text = await reader.readLine(limit - bytes);
    if (text === undefined) throw new BadResponseError("response head too large or cut short");
    bytes += text.length + 2;
    return text;
  };
  const statusLine = await line();
  const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!match) throw new BadResponseError("malformed status line");
  const headers = new Headers();
  for (let field = await line(); field !== ""; field = await line()) {
    const colon = field.indexOf(":");
    if (colon <= 0) throw new BadResponseError("malformed header field");
    try {
      headers.append(field.slice(0, colon), field.slice(colon + 1).trim());
    } catch {
      throw new BadResponseError("malformed header field");
    }
  }
  return { status: Number(match[1]), statusText: match[2] ?? "", headers, bytes };
}

/** The body's framing, RFC 9112 section 6.3, in the order it gives. */
function bodyOf(head: Head, method: string, reader: ByteReader): ReadableStream<Uint8Array> | null {
  const { status, headers } = head;
  if (method === "HEAD" || status === 204 || status === 304) {
    reader.cancel();
    return null;
  }
  const codings = headers.get("transfer-encoding");
  if (codings !== null) {
    // The body is decoded here: what the client gets is framed afresh by the runtime.
    headers.delete("transfer-encoding");
    headers.delete("content-length");
    if (codings.split(",").at(-1)?.trim().toLowerCase() === "chunked") return pull(reader, chunkedBody(reader));
    return pull(reader, untilEnd(reader));
  }
  const length = headers.get("content-length");
  if (length !== null) {
    if (!/^\d+$/.test(length.trim())) throw new BadResponseError("malformed Content-Length");
    return pull(reader, exactly(reader, Number(length.trim())));
  }
  return pull(reader, untilEnd(reader));
}

async function* exactly(reader: ByteReader, total: number): AsyncGenerator<Uint8Array> {
  for (let left = total; left > 0; ) {
    const piece = await reader.take(left);
    if (!piece) throw new BadResponseError("body shorter than its Content-Length");
    left -= piece.byteLength;
    yield piece;
  }
}

async function* untilEnd(reader: ByteReader): AsyncGenerator<Uint8Array> {
  for (let piece = await reader.take(Infinity); piece; piece = await reader.take(Infinity)) yield piece;
}

/** Longest chunk-size or trailer line accepted. */
const MAX_CHUNK_LINE = 4096;

async function* chunkedBody(reader: ByteReader): AsyncGenerator<Uint8Array> {
  for (;;) {
    const sizeLine = await reader.readLine(MAX_CHUNK_LINE);
    const hex = sizeLine?.split(";")[0]?.trim();
    if (!hex || !/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new BadResponseError("malformed chunk size");
    const size = parseInt(hex, 16);
    if (size === 0) break;
    yield* exactly(reader, size);
    if ((await reader.readLine(0)) !== "") throw new BadResponseError("chunk not followed by CRLF");
  }
  // Trailer fields are dropped, as the runtime cannot send them on.
  for (let line = await reader.readLine(MAX_CHUNK_LINE); line !== ""; line = await reader.readLine(MAX_CHUNK_LINE)) {
    if (line === undefined) throw new BadResponseError("chunked body cut short");
  }
}

/** A stream that pulls from `pieces`; once they end, the origin's connection is let go. */
function pull(reader: ByteReader, pieces: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await pieces.next();
        if (next.done) {
          controller.close();
          reader.cancel();
        } else controller.enqueue(next.value);
      } catch (error) {
        controller.error(error);
        reader.cancel(error);
      }
    },
    cancel(reason) {
      reader.cancel(reason);
    },
  });
}
