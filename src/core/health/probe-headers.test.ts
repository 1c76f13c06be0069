import { describe, expect, it } from "vitest";
import { resolveProbeHeaders } from "./probe-headers";

const env: Record<string, unknown> = { HEALTH_TOKEN: "Bearer abc.def", TRAILING: "token\n", KV: { get() {} } };
const lookup = (name: string) => env[name];

describe("resolveProbeHeaders", () => {
  it("reads secrets when the probe is sent and passes text through", () => {
    expect(resolveProbeHeaders({ Authorization: { secret: "HEALTH_TOKEN" }, "X-Probe": "1" }, lookup)).toEqual({
      ok: true,
      headers: { Authorization: "Bearer abc.def", "X-Probe": "1" },
    });
  });

  it("fails with a reason naming the secret, never its value", () => {
    expect(resolveProbeHeaders({ Authorization: { secret: "MISSING" } }, lookup)).toEqual({ ok: false, secret: "MISSING", reason: "secret MISSING is not set" });
    expect(resolveProbeHeaders({ Authorization: { secret: "KV" } }, lookup)).toEqual({
      ok: false,
      secret: "KV",
      reason: "secret KV is not a text secret (it is a binding of another kind)",
    });
    const trailing = resolveProbeHeaders({ Authorization: { secret: "TRAILING" } }, lookup);
    expect(trailing).toEqual({
      ok: false,
      secret: "TRAILING",
      reason: "secret TRAILING is not a valid header value: it contains a line break (CR or LF), which would end the header",
    });
    expect(JSON.stringify(trailing)).not.toContain("token");
  });

  it("checks text values too (a config stored before the grammar was checked)", () => {
    expect(resolveProbeHeaders({ "X-A": "bad\r\nX-B: 1" }, lookup)).toEqual({
      ok: false,
      reason: "header X-A is not a valid header value: it contains a line break (CR or LF), which would end the header",
    });
  });

});
