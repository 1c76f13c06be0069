// Health-check headers in a config: names and values by the HTTP field
// grammar (RFC 9110), names a probe cannot set, and values taken from Worker
// secrets. No message ever quotes a header value: it may be a credential.
import { describe, expect, it } from "vitest";
import { parseConfig, type ParseOptions } from "./parse";

const doc = (headers: unknown) => ({ pools: { web: { origins: [{ url: "https://a.example.net" }], healthCheck: { headers } } } });

function problemsOf(headers: unknown, options?: ParseOptions): string[] {
  const result = parseConfig(doc(headers), options);
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
}

function headersOf(headers: unknown, options?: ParseOptions): unknown {
  const result = parseConfig(doc(headers), options);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config.pools.get("web")?.healthCheck?.headers;
}

describe("health-check headers", () => {
  it("accepts plain values and secret references", () => {
    expect(headersOf({ "X-Probe": "edge ingress", Authorization: { secret: "HEALTH_TOKEN" }, "X-Empty": "" })).toEqual({
      "X-Probe": "edge ingress",
      Authorization: { secret: "HEALTH_TOKEN" },
      "X-Empty": "",
    });
  });

  it("refuses values outside the field grammar, without quoting them", () => {
    const problems = problemsOf({
      "X-A": "token\r\nX-Injected: 1",
      "X-B": "nul\u0000byte",
      "X-C": " padded",
      "X-D": "padded\t",
      "X-E": "bell\u0007",
      "X-F": "caf\u00e9",
    });
    expect(problems).toEqual([
      "pools.web.healthCheck.headers.X-A: must be a valid header value: it contains a line break (CR or LF), which would end the header",
      "pools.web.healthCheck.headers.X-B: must be a valid header value: it contains a NUL character",
      "pools.web.healthCheck.headers.X-C: must be a valid header value: it starts or ends with whitespace, which HTTP strips",
      "pools.web.healthCheck.headers.X-D: must be a valid header value: it starts or ends with whitespace, which HTTP strips",
      "pools.web.healthCheck.headers.X-E: must be a valid header value: it contains the control character U+0007",
      "pools.web.healthCheck.headers.X-F: must be a valid header value: it contains the non-ASCII character U+00E9 (send it encoded, e.g. percent-encoded)",
    ]);
    expect(problems.join("\n")).not.toMatch(/X-Injected|nul|padded|bell|caf/);
  });

  it("refuses names outside the token grammar and names a probe cannot set", () => {
    expect(problemsOf({ "Bad Name": "x", "X:Y": "x" })).toEqual([
      'pools.web.healthCheck.headers["Bad Name"]: must be a valid header name (letters, digits and !#$%&\'*+-.^_`|~), got "Bad Name"',
      'pools.web.healthCheck.headers["X:Y"]: must be a valid header name (letters, digits and !#$%&\'*+-.^_`|~), got "X:Y"',
    ]);
    const problems = problemsOf({ "Content-Length": "0", "transfer-encoding": "chunked", Connection: "close", TE: "trailers", Upgrade: "h2c", Expect: "100-continue" });
    expect(problems).toEqual([
      "pools.web.healthCheck.headers.Content-Length: cannot be set on a probe: the runtime frames each message itself (RFC 9110 section 8.6)",
      "pools.web.healthCheck.headers.transfer-encoding: cannot be set on a probe: the runtime frames each message itself (RFC 9112 section 6.1)",
      "pools.web.healthCheck.headers.Connection: cannot be set on a probe: it describes one connection, which the runtime manages (RFC 9110 section 7.6.1)",
      "pools.web.healthCheck.headers.TE: cannot be set on a probe: it describes one connection, which the runtime manages (RFC 9110 section 7.6.1)",
      "pools.web.healthCheck.headers.Upgrade: cannot be set on a probe: it describes one connection, which the runtime manages (RFC 9110 section 7.6.1)",
      "pools.web.healthCheck.headers.Expect: cannot be set on a probe: a probe has no body to negotiate",
    ]);
  });

  it("refuses Host and says why and what to do instead", () => {
    const [problem, ...rest] = problemsOf({ Host: "web.internal" });
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^pools\.web\.healthCheck\.headers\.Host: cannot be set on a probe: /);
    expect(problem).toContain("Workers send the host of the URL they fetch");
    expect(problem).toContain("give the origin a URL with that name");
  });

  it("refuses the same header twice in different case", () => {
    expect(problemsOf({ Authorization: "a", authorization: "b" })).toEqual([
      'pools.web.healthCheck.headers.authorization: is the same header as "Authorization" (header names are case-insensitive)',
    ]);
  });

  it("checks secret references: a Worker variable name and nothing else", () => {
    expect(problemsOf({ A: { secret: "lower_ok_9" }, B: { secret: "9LIVES" }, C: { secret: "HAS-DASH" }, D: { secret: "" } })).toEqual([
      'pools.web.healthCheck.headers.B.secret: must be a Worker secret name (letters, digits and _, not starting with a digit), got "9LIVES"',
      'pools.web.healthCheck.headers.C.secret: must be a Worker secret name (letters, digits and _, not starting with a digit), got "HAS-DASH"',
      'pools.web.healthCheck.headers.D.secret: must be a Worker secret name (letters, digits and _, not starting with a digit), got ""',
    ]);
    expect(problemsOf({ A: { secret: "TOKEN", value: "leak" }, B: { value: "leak" } })).toEqual([
      'pools.web.healthCheck.headers.A: must be text or {secret: NAME}, got a mapping with "secret", "value"',
      'pools.web.healthCheck.headers.B: must be text or {secret: NAME}, got a mapping with "value"',
    ]);
  });

  it("says what a value of the wrong type is without printing it", () => {
    expect(problemsOf({ Authorization: 123456, "X-B": ["s3cret"], "X-C": null })).toEqual([
      "pools.web.healthCheck.headers.Authorization: must be text or {secret: NAME}, got a number",
      "pools.web.healthCheck.headers.X-B: must be text or {secret: NAME}, got a list",
      "pools.web.healthCheck.headers.X-C: must be text or {secret: NAME}, got null",
    ]);
  });

  it("lets the Worker read a config stored before these rules, and leaves them to probe time", () => {
    const stored = { Host: "web.internal", "X-A": "bad\r\nvalue", "x-a": "dup" };
    expect(problemsOf(stored)).toHaveLength(3);
    expect(headersOf(stored, { strictProbeHeaders: false })).toEqual(stored);
  });
});
