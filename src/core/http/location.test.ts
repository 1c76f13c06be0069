import { describe, expect, it } from "vitest";
import { rewriteLocation } from "./location";

describe("rewriteLocation", () => {
  const client = "https://www.example.com";

  it("rewrites the origin's own address to the client's, dropping the base path", () => {
    const origin = "http://10.0.0.5:8080/v1";
    expect(rewriteLocation("http://10.0.0.5:8080/v1/users/7?tab=a#b", origin, client)).toBe("https://www.example.com/users/7?tab=a#b");
    expect(rewriteLocation("http://10.0.0.5:8080/v1", origin, client)).toBe("https://www.example.com/");
    expect(rewriteLocation("http://10.0.0.5:8080/v1/", origin, client)).toBe("https://www.example.com/");
    expect(rewriteLocation("//10.0.0.5:8080/v1/x", origin, client)).toBe("https://www.example.com/x");
  });

  it("compares scheme, host and port as URLs do: case-insensitive host, default port implied", () => {
    expect(rewriteLocation("HTTP://API.Internal:80/x", "http://api.internal", client)).toBe("https://www.example.com/x");
    expect(rewriteLocation("https://api.internal/x", "https://api.internal:443", "http://a.test:8080")).toBe("http://a.test:8080/x");
  });

  it("leaves everything else alone", () => {
    const origin = "http://10.0.0.5:8080/v1";
    for (const location of [
      "/v1/relative",
      "relative",
      "?q=1",
      "https://10.0.0.5:8080/v1/x", // other scheme
      "http://10.0.0.5:8081/v1/x", // other port
      "http://10.0.0.6:8080/v1/x", // other host
      "http://10.0.0.5:8080/v10/x", // outside the base path
      "http://10.0.0.5:8080/", // outside the base path
      "https://elsewhere.example/landing",
      "mailto:ops@example.com",
      "http://[bad",
    ]) {
      expect(rewriteLocation(location, origin, client), location).toBeUndefined();
    }
  });

  it("rewrites any path of an origin without a base path", () => {
    expect(rewriteLocation("http://10.0.0.5:8080/", "http://10.0.0.5:8080", client)).toBe("https://www.example.com/");
    expect(rewriteLocation("http://10.0.0.5:8080/a/b", "http://10.0.0.5:8080", client)).toBe("https://www.example.com/a/b");
  });
});
