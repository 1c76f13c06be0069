// A byte stream read by lines and by pieces, for reading an HTTP/1.1 message
// that arrives as raw bytes (see interim.ts). Buffers only what a line needs;
// body pieces are handed on as they arrive, never joined.
export class ByteReader {
  private buffer: Uint8Array = new Uint8Array(0);
  private ended = false;

  constructor(private readonly source: ReadableStreamDefaultReader<Uint8Array>) {}

  /**
   * The next line without its CRLF (a bare LF is accepted, as RFC 9112
   * section 2.2 allows). Undefined when the stream ends first or the line is
   * longer than `limit` bytes.
   */
  async readLine(limit: number): Promise<string | undefined> {
    let searchFrom = 0;
    for (;;) {
      const lf = this.buffer.indexOf(0x0a, searchFrom);
      if (lf >= 0) {
        const end = lf > 0 && this.buffer[lf - 1] === 0x0d ? lf - 1 : lf;
        if (end > limit) return undefined;
        const line = latin1(this.buffer.subarray(0, end));
        this.buffer = this.buffer.subarray(lf + 1);
        return line;
      }
      // Longer than limit + CR: no LF can make this a line within the limit.
      if (this.buffer.length > limit + 1) return undefined;
      searchFrom = this.buffer.length;
      if (!(await this.fill())) return undefined;
    }
  }

  /** Up to `max` bytes: what is buffered, else the next piece of the stream. Undefined at the end. */
  async take(max: number): Promise<Uint8Array | undefined> {
    if (this.buffer.length === 0 && !(await this.fill())) return undefined;
    const piece = this.buffer.subarray(0, Math.min(max, this.buffer.length));
    this.buffer = this.buffer.subarray(piece.length);
    return piece;
  }

  /** Lets the source go; safe to call more than once. */
  cancel(reason?: unknown): void {
    this.source.cancel(reason).catch(() => undefined);
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const { done, value } = await this.source.read();
    if (done) {
      this.ended = true;
      return false;
    }
    if (this.buffer.length === 0) this.buffer = value;
    else {
      const joined = new Uint8Array(this.buffer.length + value.length);
      joined.set(this.buffer);
      joined.set(value, this.buffer.length);
      this.buffer = joined;
    }
    return true;
  }
}

/** Header bytes as a string, one character per byte (RFC 9110 section 5.5: field values are octets). */
function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return text;
}
