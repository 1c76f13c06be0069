import { describe, expect, it } from "vitest";
import { md5Crypt, parseMd5CryptSetting } from "./md5-crypt";

// Generated with OpenSSL 3.0 (`openssl passwd -apr1 -salt S P` and
// `openssl passwd -1 -salt S P`), an independent implementation.
const VECTORS: [string, string][] = [
  ["password", "$apr1$abcdefgh$FBwExRW4dCc8aL.OvjpIE1"],
  ["password", "$1$abcdefgh$G//4keteveJp0qb8z2DxG/"],
  ["Hello world!", "$apr1$saltsalt$6BwcdpRros16.J9J/tHRr/"],
  ["Hello world!", "$1$saltsalt$le8lFSqqnPaRFOlmAZpvH1"],
  ["", "$apr1$x$tMwYqBfQwi3FYAr0aJc8M/"],
  ["", "$1$x$fwjfZtMwarkdetsjiQreU1"],
  ["päss:wörd", "$apr1$12345678$WmHhVcaUAI8yVn.5iAzya/"],
  ["päss:wörd", "$1$12345678$m.Uh8z0hptMdfbMDcKKph/"],
  ["a-very-long-password-that-goes-on-for-more-than-sixteen-bytes", "$apr1$ab$YmSPK3oaceF0QXSogdCa3/"],
  ["a-very-long-password-that-goes-on-for-more-than-sixteen-bytes", "$1$ab$U4Q/SWZi3notFVLI8Eys01"],
];

describe("MD5-crypt ($apr1$, $1$)", () => {
  for (const [password, expected] of VECTORS) {
    it(`matches OpenSSL for ${expected}`, () => {
      const setting = parseMd5CryptSetting(expected);
      if (typeof setting === "string") throw new Error(setting);
      expect(md5Crypt(password, setting)).toBe(expected);
    });
  }

  it("reads at most 8 salt characters", () => {
    expect(parseMd5CryptSetting("$apr1$123456789$x")).toEqual({ magic: "$apr1$", salt: "12345678" });
    expect(parseMd5CryptSetting("$5$abc")).toBe("not an MD5-crypt hash");
  });
});
