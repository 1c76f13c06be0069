import { describe, expect, it } from "vitest";
import { compileAffinitySpec } from "./affinity-config";

describe("compileAffinitySpec", () => {
  it("is off without the affinity annotation", () => {
    expect(compileAffinitySpec({ "session-cookie-name": "x" })).toEqual({ ok: true, spec: undefined, notes: [] });
  });

  it("fills ingress-nginx's defaults", () => {
    const result = compileAffinitySpec({ affinity: "cookie" });
    expect(result.ok && result.spec).toEqual({
      cookieName: "INGRESSCOOKIE",
      mode: "balanced",
      path: undefined,
      domain: undefined,
      maxAgeSeconds: undefined,
      expiresSeconds: undefined,
      sameSite: undefined,
      conditionalSameSiteNone: false,
      secure: undefined,
      changeOnFailure: false,
    });
  });

  it("refuses every bad value, each by annotation, where ingress-nginx would silently ignore it", () => {
    const result = compileAffinitySpec(
      {
        affinity: "ip",
        "affinity-mode": "sticky",
        "session-cookie-name": "bad name",
        "session-cookie-max-age": "-5",
        "session-cookie-expires": "1h",
        "session-cookie-path": "no-slash",
        "session-cookie-domain": "a;b",
        "session-cookie-samesite": "relaxed",
        "session-cookie-secure": "yes",
      },
      { prefix: "app." },
    );
    expect(result.ok ? [] : result.problems.map((p) => p.path)).toEqual([
      "app.affinity",
      "app.affinity-mode",
      "app.session-cookie-name",
      "app.session-cookie-max-age",
      "app.session-cookie-expires",
      "app.session-cookie-path",
      "app.session-cookie-domain",
      "app.session-cookie-samesite",
      "app.session-cookie-secure",
    ]);
    expect(result.ok ? "" : result.problems[0]!.message).toBe('must be "cookie" (the only affinity type), got "ip"');
  });

  it("requires session-cookie-path on a regex rule and notes SameSite=None without Secure", () => {
    const regex = compileAffinitySpec({ affinity: "cookie" }, { pathIsRegex: true });
    expect(regex.ok ? [] : regex.problems.map((p) => p.path)).toEqual(["session-cookie-path"]);
    const none = compileAffinitySpec({ affinity: "cookie", "session-cookie-samesite": "none" });
    expect(none.ok && none.spec?.sameSite).toBe("None");
    expect(none.ok && none.notes.map((n) => n.path)).toEqual(["session-cookie-samesite"]);
  });
});
