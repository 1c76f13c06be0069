import { describe, expect, it } from "vitest";
import { acceptRequestId, MAX_REQUEST_ID_LENGTH } from "./request-id";

describe("acceptRequestId", () => {
  const generate = () => "generated";

  it("keeps ids of the common shapes", () => {
    for (const id of ["f47ac10b-58cc-4372-a567-0e02b2c3d479", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "4bf92f3577b34da6a3ce929d0e0e4736", "abc-123", "a+b/c=", "a_b.c~d:e", "x"]) {
      expect(acceptRequestId(id, generate), id).toBe(id);
    }
  });

  it("keeps 200 characters and replaces 201", () => {
    expect(acceptRequestId("a".repeat(MAX_REQUEST_ID_LENGTH), generate)).toBe("a".repeat(200));
    expect(acceptRequestId("a".repeat(MAX_REQUEST_ID_LENGTH + 1), generate)).toBe("generated");
    expect(acceptRequestId("a".repeat(60 * 1024), generate)).toBe("generated");
  });

  it("replaces a missing or empty id, and one with anything that quotes, separates, escapes or is not ASCII", () => {
    for (const id of [undefined, null, "", " ", "a b", "a,b", "a;b", '"a"', "<script>", "a\\b", "a\tb", "ü", "a\r\nb"]) {
      expect(acceptRequestId(id, generate), JSON.stringify(id)).toBe("generated");
    }
  });
});
