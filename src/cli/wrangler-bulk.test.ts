// Reading what `wrangler kv bulk get` prints (the remote namespace is read
// with one such run per read of several keys).
import { describe, expect, it } from "vitest";
import { CliError } from "./output";
import { parseBulkGet } from "./wrangler";

describe("parseBulkGet", () => {
  it("takes the values of the remote form (key -> text or null) in the order asked, absent keys as undefined", () => {
    const stdout = `${JSON.stringify({ b: "{\"x\":1}", a: null }, null, 2)}\n\nSuccess!\n`;
    expect(parseBulkGet(stdout, ["a", "b", "c"])).toEqual([undefined, '{"x":1}', undefined]);
  });

  it("takes the local form too ({value})", () => {
    expect(parseBulkGet(`${JSON.stringify({ a: { value: "1" }, b: { value: null } })}\nSuccess!\n`, ["a", "b"])).toEqual(["1", undefined]);
  });

  it("refuses output that is not the values, and a value that is not text", () => {
    expect(() => parseBulkGet("✘ [ERROR] something\n", ["a"])).toThrow(CliError);
    expect(() => parseBulkGet('{"a": {"nested": true}}', ["a"])).toThrow("wrangler kv bulk get gave a as object, not text");
  });
});
