import { describe, expect, it } from "vitest";
import { mergeDocuments, formatLocation } from "../core/config/manifests";
import { parseConfig } from "../core/config/parse";
import { isLocalHost, plainHttpWarnings } from "./plain-http";

describe("plain http:// origins", () => {
  it("warns for each plain origin off this machine, where it was written, and not for https or loopback", () => {
    const merge = mergeDocuments([{
      file: "p.yaml",
      index: 0,
      value: { pools: { web: { origins: [{ url: "https://a.example.net" }, { url: "http://b.example.net:8080" }, { url: "http://127.0.0.1:9001" }, { url: "http://[::1]:9002" }, { url: "http://app.localhost" }] } } },
    }]);
    const parsed = parseConfig(merge.document);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const warnings = plainHttpWarnings(parsed.config, merge);
    expect(warnings.map((w) => `${w.at ? formatLocation(w.at) : ""}: ${w.message}`)).toEqual([
      "p.yaml[0]: pools.web.origins[1].url: http://b.example.net:8080 is plain http://: requests, responses, cookies and credentials cross the network between Cloudflare and the origin unencrypted. Use https:// (or a Cloudflare Tunnel to the origin)",
    ]);
  });

  it("knows loopback names", () => {
    expect(["localhost", "LOCALHOST", "x.localhost", "127.0.0.1", "127.1.2.3", "[::1]"].every(isLocalHost)).toBe(true);
    expect(["10.0.0.1", "localhost.example.com", "example.com", "::2"].some(isLocalHost)).toBe(false);
  });
});
