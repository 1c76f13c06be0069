import { describe, expect, it } from "vitest";
import { requestPath } from "./explain";

describe("requestPath: the path as the Worker sees it", () => {
  it("encodes what workerd's URL parser encodes, whatever Node's does", () => {
    expect(requestPath("/x^y")).toBe("/x%5Ey");
    expect(requestPath("/caf\u00e9 a")).toBe("/caf%C3%A9%20a");
    expect(requestPath("/x|y[z]")).toBe("/x|y[z]");
  });

  it("removes dot segments and keeps a leading //", () => {
    expect(requestPath("/a/../b/./c")).toBe("/b/c");
    expect(requestPath("//admin")).toBe("//admin");
  });

  it("refuses a path that does not start with /", () => {
    expect(() => requestPath("admin")).toThrow(/--path must start with "\/"/);
  });
});
