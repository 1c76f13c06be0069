// The HTTP field grammar (RFC 9110 section 5): what a header name and value
// may contain. A value with CR or LF would end the header early (and let a
// config inject other headers), so fetch() refuses it and every probe fails;
// checking it up front turns that into a clear problem. Messages describe the
// fault and never quote the value: it may be a credential.

/** field-name = token (RFC 9110 sections 5.1 and 5.6.2). */
export const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function isFieldName(name: string): boolean {
  return FIELD_NAME.test(name);
}

/**
 * Why `value` is not a valid field-value, or undefined. RFC 9110 section 5.5:
 * visible characters with spaces and tabs inside, nothing at either end, no
 * control characters. obs-text (bytes 0x80-0xFF) is refused too: fetch sends
 * a string's characters as single bytes, so "é" would not reach the origin as
 * the UTF-8 the user wrote.
 */
export function fieldValueProblem(value: string): string | undefined {
  if (value === "") return undefined;
  if (/^[ \t]|[ \t]$/.test(value)) return "it starts or ends with whitespace, which HTTP strips";
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code === 0x0d || code === 0x0a) return "it contains a line break (CR or LF), which would end the header";
    if (code === 0x00) return "it contains a NUL character";
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return `it contains the control character ${codePoint(code)}`;
    if (code > 0x7e) return `it contains the non-ASCII character ${codePoint(code)} (send it encoded, e.g. percent-encoded)`;
  }
  return undefined;
}

function codePoint(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}
