import { describe, expect, it } from "vitest";
import { classifyFetchError } from "./fetch-failure";

/** An error shaped as workerd throws it (messages and flags observed with wrangler 4.86). */
const workerdError = (message: string, flags: Record<string, boolean> = {}) => Object.assign(new Error(message), { remote: true }, flags);

describe("classifyFetchError", () => {
  it("treats a lost connection as a connection failure", () => {
    expect(classifyFetchError(workerdError("Network connection lost.", { retryable: true }))).toBe("connect-failed");
  });

  it("treats an answer workerd could not read as a bad response", () => {
    expect(classifyFetchError(workerdError("internal error; reference = 2501hcktavfd7o80k70dcqlb"))).toBe("bad-response");
    expect(classifyFetchError(workerdError("invalid Content-Length header value; cl = 2, 3"))).toBe("bad-response");
  });

  it("lets the retryable flag win over the message", () => {
    expect(classifyFetchError(workerdError("internal error; reference = x", { retryable: true }))).toBe("connect-failed");
  });

  it("keeps anything unknown a connection failure, as before", () => {
    expect(classifyFetchError(new TypeError("Fetch API cannot load: ftp://x"))).toBe("connect-failed");
    expect(classifyFetchError("boom")).toBe("connect-failed");
    expect(classifyFetchError(null)).toBe("connect-failed");
  });
});
