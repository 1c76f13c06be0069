// The request body's copies for its mirrors. The body is tee()d once for
// them, and that branch is read as fast as the request itself reads its own:
// a tee runs no further ahead than its slower branch, so a mirror that
// stopped reading held back the upload to the real origin until the
// mirror's timeout. Each mirror instead gets its own stream, fed from that
// branch, and is cut off (its request aborted, so that its upload breaks
// off) once it falls more than maxLagBytes behind, or once the body passes
// the rule's RequestBodyLimit, as the request's own upload is: a slow or hung
// mirror costs the request nothing, the memory it holds stays bounded, and a
// mirror never receives a cut body as if it were whole.

/** How far a mirror may fall behind the request's own upload before its copy is cut off. */
export const MIRROR_MAX_LAG_BYTES = 1024 * 1024;

/** One mirror's copy: the body to send, and a signal that aborts its request when the copy is cut off. */
export interface MirrorCopy {
  readonly body: ReadableStream<Uint8Array>;
  readonly cutOff: AbortSignal;
}

interface Copy {
  readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly cutOff: AbortController;
  /** Bytes handed to this copy that its mirror has not taken yet. */
  lagBytes: number;
  live: boolean;
}

export interface CopyLimits {
  /** The body's announced length (upload.ts announcedLength); undefined: chunked. */
  readonly contentLength: number | undefined;
  readonly maxLagBytes: number;
  /** The rule's RequestBodyLimit; undefined: none. */
  readonly maxBodyBytes: number | undefined;
}

/** `count` copies of `source`'s bytes, each cut off when it lags more than maxLagBytes, all of them past maxBodyBytes. */
export function mirrorCopies(source: ReadableStream<Uint8Array>, count: number, limits: CopyLimits): MirrorCopy[] {
  const { contentLength, maxLagBytes, maxBodyBytes } = limits;
  const reader = source.getReader();
  const copies: Copy[] = [];
  const result = Array.from({ length: count }, (): MirrorCopy => {
    // Native streams, which fetch reads without JavaScript per chunk; a
    // FixedLengthStream keeps the Content-Length the client sent, as the
    // request's own upload does (upload.ts).
    const pipe = contentLength === undefined ? new IdentityTransformStream() : new FixedLengthStream(contentLength);
    const cutOff = new AbortController();
    copies.push({ writer: pipe.writable.getWriter(), cutOff, lagBytes: 0, live: true });
    return { body: pipe.readable, cutOff: cutOff.signal };
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
      if (live.length === 0) return reader.cancel();
      const next = await reader.read();
      if (next.done) {
        for (const c of live) c.writer.close().catch(() => undefined);
        return;
      }
      const chunk = next.value;
      readBytes += chunk.byteLength;
      if (maxBodyBytes !== undefined && readBytes > maxBodyBytes) {
        for (const c of live) cut(c, "request body over the limit");
        continue;
      }
      live.forEach((copy, i) => {
        copy.lagBytes += chunk.byteLength;
        if (copy.lagBytes > maxLagBytes) return cut(copy, `the mirror fell more than ${maxLagBytes} bytes behind the request`);
        // Each copy but the last gets its own bytes: a sink may take over the buffer it is given.
        const own = i === live.length - 1 ? chunk : chunk.slice();
        copy.writer.write(own).then(
          () => (copy.lagBytes -= own.byteLength),
          () => (copy.live = false),
        );
      });
    }
  };
  pump().catch(() => {
    for (const c of copies) if (c.live) cut(c, "the request body failed");
  });
  return result;
}
