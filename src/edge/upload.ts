// Relays the client's request body to the origin and watches both ends of it,
// so that forward() can tell apart what the client did from what the origin
// did:
// - when the last byte has been handed over: the wait for the origin's
//   response starts then, as nginx's proxy_read_timeout and Envoy's route
//   timeout do, so a slow upload is not an origin timeout;
// - a pause of more than `idleTimeoutMs` with no byte moving, and whose side
//   it was on: waiting for the client (a stalled upload, the client's doing)
//   or waiting for the origin to take the next piece (the origin's doing);
// - the client's stream breaking (it hung up, or sent less than it
//   announced), which is never the origin's fault.
// Bytes pass through one piece at a time, never buffered whole.

export type UploadSide = "client" | "origin";

export interface UploadHooks {
  readonly idleTimeoutMs: number;
  /** The last byte was handed to the runtime for the origin. */
  onSent(): void;
  /** No byte moved for idleTimeoutMs while waiting on `side`. */
  onStall(side: UploadSide): void;
  /** The client's body stream failed. */
  onClientError(): void;
  /** Largest body to relay (RequestBodyLimit); undefined: no limit. */
  readonly maxBytes?: number | undefined;
  /** The body went past maxBytes: nothing past the limit was relayed. */
  onTooLarge?(): void;
}

export interface WatchedUpload {
  /** What to give fetch(): the same bytes, with the same known length when there is one. */
  readonly body: ReadableStream<Uint8Array>;
  /** The attempt is decided (a response arrived, or it failed): no more hooks are called. */
  stop(): void;
}

export function watchUpload(source: ReadableStream<Uint8Array>, contentLength: number | undefined, hooks: UploadHooks): WatchedUpload {
  // A FixedLengthStream keeps the Content-Length the client sent; a plain
  // pass-through stream would turn every upload into a chunked one, which
  // some origins refuse.
  const pipe = contentLength === undefined ? new IdentityTransformStream() : new FixedLengthStream(contentLength);
  const reader = source.getReader();
  const writer = pipe.writable.getWriter();
  let stopped = false;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const waitOn = (side: UploadSide) => {
    clearTimeout(idle);
    if (!stopped) idle = setTimeout(() => !stopped && hooks.onStall(side), hooks.idleTimeoutMs);
  };

  let relayed = 0;
  const relay = async () => {
    for (;;) {
      waitOn("client");
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        clearTimeout(idle);
        if (!stopped) hooks.onClientError();
        await writer.abort(error).catch(() => undefined);
        return;
      }
      if (next.done) break;
      relayed += next.value.byteLength;
      if (hooks.maxBytes !== undefined && relayed > hooks.maxBytes) {
        // Stop at the limit, as nginx's client_max_body_size: the origin gets a broken-off body, the client a 413.
        clearTimeout(idle);
        if (!stopped) hooks.onTooLarge?.();
        await reader.cancel().catch(() => undefined);
        await writer.abort(new Error("request body over the limit")).catch(() => undefined);
        return;
      }
      waitOn("origin");
      try {
        await writer.write(next.value);
      } catch (error) {
        // The runtime stopped reading (the attempt failed or was aborted);
        // fetch() reports why. Let the client's stream go.
        clearTimeout(idle);
        await reader.cancel(error).catch(() => undefined);
        return;
      }
    }
    clearTimeout(idle);
    const closed = await writer.close().then(() => true, () => false);
    if (closed && !stopped) hooks.onSent();
  };
  void relay();

  return {
    body: pipe.readable,
    stop() {
      stopped = true;
      clearTimeout(idle);
    },
  };
}

/** The announced length of a request body, when it is a plain Content-Length (not with Transfer-Encoding, which wins: RFC 9112 section 6.3). */
export function announcedLength(headers: Headers): number | undefined {
  if (headers.has("transfer-encoding")) return undefined;
  const value = headers.get("content-length")?.trim();
  if (!value || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}
