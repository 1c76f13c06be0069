import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSourceAccess, type SourceAccess, type SourceAccessSpec } from "./source-access";

function access(spec: SourceAccessSpec): SourceAccess {
  const result = compileSourceAccess(spec);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.access;
}

interface Suite {
  name: string;
  ingress: { metadata: { annotations: Record<string, string> } };
  requests: { clientIp: string; expect: { status: number } }[];
}
const suites = JSON.parse(readFileSync(new URL("../../../test/fixtures/conformance/nginx-annotations-docs-examples.json", import.meta.url), "utf8")) as Suite[];
const A = "nginx.ingress.kubernetes.io/";

describe("compileSourceAccess (deny, then allow, then deny all)", () => {
  for (const name of ["docs-nginx/whitelist-source-range", "docs-nginx/denylist-source-range"]) {
    const suite = suites.find((s) => s.name === name)!;
    it(`agrees with ${name}`, () => {
      const annotations = suite.ingress.metadata.annotations;
      const checker = access({ allow: annotations[`${A}whitelist-source-range`], deny: annotations[`${A}denylist-source-range`] });
      expect(suite.requests.length).toBeGreaterThan(0);
      for (const request of suite.requests) {
        expect(checker.check(request.clientIp), request.clientIp).toBe(request.expect.status === 403 ? "denied" : "allowed");
      }
    });
  }

  it("lets the deny list win over the allow list, as nginx's first-match rules", () => {
    const both = access({ allow: "192.168.1.0/24", deny: "192.168.1.1" });
    expect(both.check("192.168.1.1")).toBe("denied");
    expect(both.check("192.168.1.2")).toBe("allowed");
    expect(both.check("10.0.0.1")).toBe("denied");
  });

  it("allows everyone when neither list is set, even without an address", () => {
    expect(access({}).check(undefined)).toBe("allowed");
  });

  it("fails closed on a missing or unparseable client address when any list is set", () => {
    for (const spec of [{ allow: "0.0.0.0/0,::/0" }, { deny: "10.0.0.0/8" }]) {
      const checker = access(spec);
      for (const odd of [undefined, null, "", "unknown", "10.0.0.1,10.0.0.2"]) expect(checker.check(odd)).toBe("denied");
    }
  });

  it("reports the problems of both lists, each under its own annotation", () => {
    const result = compileSourceAccess({ allow: "10.0.0.0/8,nope", deny: "1.2.3.4/40" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path)).toEqual(["whitelist-source-range[1]", "denylist-source-range[0]"]);
  });
});
