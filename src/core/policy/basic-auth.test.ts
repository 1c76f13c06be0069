import { describe, expect, it } from "vitest";
import { basicChallenge, parseBasicAuthorization } from "./basic-auth";

const header = (text: string) => `Basic ${Buffer.from(text, "utf8").toString("base64")}`;

describe("parseBasicAuthorization (RFC 7617)", () => {
  it("reads user and password, splitting at the first colon", () => {
    expect(parseBasicAuthorization(header("foo:bar"))).toEqual({ user: "foo", password: "bar" });
    expect(parseBasicAuthorization(header("foo:b:a:r"))).toEqual({ user: "foo", password: "b:a:r" });
    expect(parseBasicAuthorization(header("foo:"))).toEqual({ user: "foo", password: "" });
    expect(parseBasicAuthorization(header(":pw"))).toEqual({ user: "", password: "pw" });
    expect(parseBasicAuthorization(header("jürgen:pässwörd"))).toEqual({ user: "jürgen", password: "pässwörd" });
  });

  it("takes the scheme name in any case, with extra spaces, and unpadded base64", () => {
    expect(parseBasicAuthorization("basic Zm9vOmJhcg==")).toEqual({ user: "foo", password: "bar" });
    expect(parseBasicAuthorization("BASIC   Zm9vOmJhcg==  ")).toEqual({ user: "foo", password: "bar" });
    expect(parseBasicAuthorization("Basic Zm9vOmJhcg")).toEqual({ user: "foo", password: "bar" });
  });

  it("finds no credentials in anything else, never throwing", () => {
    const bad = [
      undefined,
      null,
      "",
      "Basic",
      "Basic ",
      "Bearer Zm9vOmJhcg==",
      "BasicZm9vOmJhcg==",
      "Basic Zm9vOmJhcg== extra",
      "Basic !!!!",
      "Basic Zm9vOmJhcg=", // wrong padding
      "Basic Zm9vO", // 4n+1 characters
      "Basic =Zm9v",
      header("no-colon"),
      `Basic ${Buffer.from([0x66, 0x6f, 0xff, 0x3a, 0x62]).toString("base64")}`, // not UTF-8
      header("bad\u0001user:pw"), // control character in the user-id
      `Basic ${"A".repeat(5000)}`,
    ];
    for (const value of bad) expect(parseBasicAuthorization(value), String(value)).toBeUndefined();
    expect(parseBasicAuthorization(42 as unknown as string)).toBeUndefined();
  });
});

describe("basicChallenge", () => {
  it("quotes the realm and escapes what would end the quoted-string", () => {
    expect(basicChallenge("Authentication Required - foo")).toBe('Basic realm="Authentication Required - foo", charset="UTF-8"');
    expect(basicChallenge('say "hi" \\ bye\r\n')).toBe('Basic realm="say \\"hi\\" \\\\ bye", charset="UTF-8"');
  });
});
