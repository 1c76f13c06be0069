import { describe, expect, it } from "vitest";
import { requestHasBody } from "./body";

const has = (init: Record<string, string>) => requestHasBody(new Headers(init));

describe("requestHasBody", () => {
  it("says no body when neither Transfer-Encoding nor a non-zero Content-Length is present", () => {
    expect(has({})).toBe(false);
    expect(has({ "content-length": "0" })).toBe(false);
    expect(has({ "content-length": "000" })).toBe(false);
    expect(has({ "content-type": "text/plain" })).toBe(false);
  });

  it("says body for Transfer-Encoding or a positive Content-Length", () => {
    expect(has({ "transfer-encoding": "chunked" })).toBe(true);
    expect(has({ "content-length": "5" })).toBe(true);
    expect(has({ "transfer-encoding": "chunked", "content-length": "0" })).toBe(true);
  });

  it("treats a malformed Content-Length as a body, so the request is never sent twice", () => {
    expect(has({ "content-length": "abc" })).toBe(true);
    expect(has({ "content-length": "" })).toBe(true);
  });
});
