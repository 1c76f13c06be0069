import { describe, expect, it } from "vitest";
import { parseShaCryptSetting, shaCrypt } from "./sha-crypt";

// The test vectors published in Ulrich Drepper's "Unix crypt using SHA-256
// and SHA-512" (setting, password, expected). Settings with rounds below the
// minimum are left out: we refuse them instead of clamping (see below).
const SPEC_VECTORS: [string, string, string][] = [
  ["$5$saltstring", "Hello world!", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"],
  ["$5$rounds=10000$saltstringsaltstring", "Hello world!", "$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA"],
  ["$5$rounds=5000$toolongsaltstring", "This is just a test", "$5$rounds=5000$toolongsaltstrin$Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8mGRcvxa5"],
  [
    "$5$rounds=1400$anotherlongsaltstring",
    "a very much longer text to encrypt.  This one even stretches over morethan one line.",
    "$5$rounds=1400$anotherlongsalts$Rx.j8H.h8HjEDGomFU8bDkXm3XIUnzyxf12oP84Bnq1",
  ],
  ["$5$rounds=77777$short", "we have a short salt string but not a short password", "$5$rounds=77777$short$JiO1O3ZpDAxGJeaDIuqCoEFysAe1mZNJRs3pw0KQRd/"],
  ["$5$rounds=123456$asaltof16chars..", "a short string", "$5$rounds=123456$asaltof16chars..$gP3VQ/6X7UUEW3HkBn2w1/Ptq2jxPyzV/cZKmF/wJvD"],
  ["$6$saltstring", "Hello world!", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"],
  [
    "$6$rounds=10000$saltstringsaltstring",
    "Hello world!",
    "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.",
  ],
  [
    "$6$rounds=5000$toolongsaltstring",
    "This is just a test",
    "$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0",
  ],
  [
    "$6$rounds=1400$anotherlongsaltstring",
    "a very much longer text to encrypt.  This one even stretches over morethan one line.",
    "$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1",
  ],
  [
    "$6$rounds=77777$short",
    "we have a short salt string but not a short password",
    "$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0",
  ],
  [
    "$6$rounds=123456$asaltof16chars..",
    "a short string",
    "$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1",
  ],
];

describe("SHA-crypt ($5$, $6$)", () => {
  for (const [setting, password, expected] of SPEC_VECTORS) {
    it(`matches the spec vector ${setting}`, () => {
      const parsed = parseShaCryptSetting(setting);
      if (typeof parsed === "string") throw new Error(parsed);
      expect(shaCrypt(password, parsed)).toBe(expected);
    });
  }

  it("matches OpenSSL for a non-ASCII password with a colon (openssl passwd -6 -salt ab/cd.EF)", () => {
    const parsed = parseShaCryptSetting("$6$ab/cd.EF$");
    if (typeof parsed === "string") throw new Error(parsed);
    expect(shaCrypt("päss:wörd", parsed)).toBe("$6$ab/cd.EF$rVOFmkleZpHjcxAzUVPWF7/IjxWFLoveBmklY9HSwIE9FY0SgZg56vG8yfBSA657Ror.00U2.1cOxzMNzplyr.");
  });

  it("refuses rounds outside 1000..200,000 instead of clamping them", () => {
    expect(parseShaCryptSetting("$5$rounds=10$roundstoolow")).toBe("rounds must be 1000 to 200000, got 10");
    expect(parseShaCryptSetting("$6$rounds=999999999$x")).toBe("rounds must be 1000 to 200000, got 999999999");
  });

  it("reads the salt up to 16 characters and the first $", () => {
    expect(parseShaCryptSetting("$6$abc$def")).toEqual({ variant: "sha512", rounds: 5000, explicitRounds: false, salt: "abc" });
    expect(parseShaCryptSetting("$1$abc")).toBe("not a SHA-crypt hash");
  });
});
