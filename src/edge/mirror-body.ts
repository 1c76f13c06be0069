// The request body split between the request itself and its mirrors, from
// one reader (no tee). The request's own upload sets the pace: a chunk is
// read from the client only once the request has taken the previous one, so
// a slow origin holds the client back as it would without mirrors. Each
// mirror's copy is written without waiting, and cut off (its request
// aborted, so that its upload breaks off rather than arriving as a shorter
// whole body) once it falls more than maxLagBytes behind the request, or once
// the body passes the rule's RequestBodyLimit, as the request's own upload
// is. So a slow or hung mirror neither holds the request back nor makes the
// Worker hold the upload for it, and a request holds at most a chunk plus
// maxLagBytes per mirror (the bytes a mirror's connection has accepted, its
// socket buffers, are not counted). Were the body tee()d instead, the tee
// would buffer whatever one side read ahead of the other, without limit.

/** How far a mirror may fall behind the request's own upload before its copy is cut off. */
export const MIRROR_MAX_LAG_BYTES = 1024 * 1024;

/** One mirror's copy: the body to send, and a signal that aborts its request when the copy is cut off. */
export interface MirrorCopy {
  readonly body: ReadableStream<Uint8Array>;
  readonly cutOff: AbortSignal;
}

export interface SplitLimits {
  /** The body's announced length (upload.ts announcedLength); undefined: chunked. */
  readonly contentLength: number | undefined;
  readonly maxLagBytes: number;
  /** The rule's RequestBodyLimit; undefined: none. The request's own upload enforces it itself (upload.ts). */
  readonly maxBodyBytes: number | undefined;
}

export interface SplitBody {
  /** What the request itself sends. */
  readonly main: ReadableStream<Uint8Array>;
  readonly copies: readonly MirrorCopy[];
}

interface Copy {
  readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly cutOff: AbortController;
  /** Bytes handed to this copy that its mirror has not taken yet. */
  lagBytes: number;
  live: boolean;
}

/** `source` as the request's body and `count` mirror copies of it. */
export function splitForMirrors(source: ReadableStream<Uint8Array>, count: number, limits: SplitLimits): SplitBody {
  const { contentLength, maxLagBytes, maxBodyBytes } = limits;
  const reader = source.getReader();
  // Native streams, which fetch reads without JavaScript per chunk; a
  // FixedLengthStream keeps the Content-Length the client sent, as the
  // request's own upload does (upload.ts).
  const pipe = () => (contentLength === undefined ? new IdentityTransformStream() : new FixedLengthStream(contentLength));
  const mainPipe = new IdentityTransformStream();
  const main = mainPipe.writable.getWriter();
  let mainLive = true;
  const copies: Copy[] = [];
  const result = Array.from({ length: count }, (): MirrorCopy => {
    const own = pipe();
    const cutOff = new AbortController();
    copies.push({ writer: own.writable.getWriter(), cutOff, lagBytes: 0, live: true });
    return { body: own.readable, cutOff: cutOff.signal };
  });
  // An aborted stream alone is not enough: workerd ends a chunked upload
  // whose body stream errors as if it were whole, so the request itself is
  // aborted too and the mirror sees its connection break.
  const cut = (copy: Copy, why: string) => {
    copy.live = false;
    copy.cutOff.abort(new Error(why));
    copy.writer.abort(new Error(why)).catch(() => undefined);
  };
  let readBytes = 0;
  const pump = async () => {
    for (;;) {
      const live = copies.filter((c) => c.live);
      if (!mainLive && live.length === 0) return reader.cancel();
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        // The client's upload broke: the request sees it break too (upload.ts tells it apart), and so do the mirrors.
        main.abort(error).catch(() => undefined);
        for (const c of live) cut(c, "the client's upload broke off");
        return;
      }
      if (next.done) {
        for (const c of live) c.writer.close().catch(() => undefined);
        if (mainLive) await main.close().catch(() => undefined);
        return;
      }
      const chunk = next.value;
      readBytes += chunk.byteLength;
      for (const copy of live) {
        if (maxBodyBytes !== undefined && readBytes > maxBodyBytes) {
          cut(copy, "request body over the limit");
          continue;
        }
        copy.lagBytes += chunk.byteLength;
        if (copy.lagBytes > maxLagBytes) {
          cut(copy, `the mirror fell more than ${maxLagBytes} bytes behind the request`);
          continue;
        }
        // Its own bytes: a sink may take over the buffer it is given.
        const bytes = chunk.slice();
        copy.writer.write(bytes).then(
          () => (copy.lagBytes -= bytes.byteLength),
          () => (copy.live = false),
        );
      }
      // The request's own upload sets the pace. Once it stops taking bytes
      // (its try failed, or ended early), the mirrors go on alone.
      if (mainLive) await main.write(chunk).catch(() => (mainLive = false));
    }
  };
  void pump();
  return { main: mainPipe.readable, copies: result };
}
