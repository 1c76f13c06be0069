import { describe, expect, it } from "vitest";
import { parsePasswordHash, type PasswordHash } from "./password-hash";

function hash(text: string): PasswordHash {
  const parsed = parsePasswordHash(text);
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
}

// OpenWall crypt_blowfish's wrapper.c test vectors (cost 5), also published
// by OpenBSD's and pyca/bcrypt's test suites.
const BCRYPT_VECTORS: [string, string][] = [
  ["U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"],
  ["U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK"],
  ["U*U*U", "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a"],
  ["", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy"],
  ["0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored", "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"],
];

describe("parsePasswordHash", () => {
  for (const [password, stored] of BCRYPT_VECTORS) {
    it(`verifies the bcrypt vector ${stored.slice(0, 20)}... and refuses a wrong password`, () => {
      const h = hash(stored);
      expect(h.scheme).toBe("bcrypt");
      expect(h.weak).toBe(false);
      expect(h.verify(password)).toBe(true);
      expect(h.verify(`${password}x`)).toBe(password.length >= 72); // bcrypt ignores bytes after 72
    });
  }

  it("accepts the $2y$ and $2b$ spellings htpasswd and OpenBSD write", () => {
    for (const prefix of ["$2y$", "$2b$"]) expect(hash(BCRYPT_VECTORS[0]![1].replace("$2a$", prefix)).verify("U*U")).toBe(true);
  });

  it("verifies SHA-crypt, MD5-crypt and RFC 2307 hashes and marks the weak ones", () => {
    const cases: [string, string, string, boolean][] = [
      ["$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "Hello world!", "sha256-crypt", false],
      ["$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1", "Hello world!", "sha512-crypt", false],
      ["$apr1$abcdefgh$FBwExRW4dCc8aL.OvjpIE1", "password", "apr1", true],
      ["$1$abcdefgh$G//4keteveJp0qb8z2DxG/", "password", "md5-crypt", true],
      // printf password | openssl dgst -sha1 -binary | base64
      ["{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "password", "sha1", true],
      // base64(sha1("secret" + "salt1234") + "salt1234"), computed with openssl
      ["{SSHA}Wcm1xEisNjqp921ALcHfuQ7avFdzYWx0MTIzNA==", "secret", "ssha", true],
    ];
    for (const [stored, password, scheme, weak] of cases) {
      const h = hash(stored);
      expect([h.scheme, h.weak], stored).toEqual([scheme, weak]);
      expect(h.verify(password), stored).toBe(true);
      expect(h.verify("wrong"), stored).toBe(false);
      expect(h.verify(`${password} `), stored).toBe(false);
    }
  });

  it("refuses plain text, DES crypt and unknown schemes with a reason", () => {
    expect(parsePasswordHash("{PLAIN}secret")).toMatch(/plain-text passwords/);
    expect(parsePasswordHash("papAq5PwY/QQM")).toMatch(/DES crypt hashes are refused/);
    expect(parsePasswordHash("$y$j9T$abc$def")).toMatch(/unsupported hash scheme "\$y\$"/);
    expect(parsePasswordHash("$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA")).toMatch(/unsupported hash scheme/);
    expect(parsePasswordHash("secret")).toMatch(/not a recognised password hash/);
    expect(parsePasswordHash("")).toMatch(/not a recognised password hash/);
  });

  it("refuses malformed and too costly hashes of known schemes", () => {
    expect(parsePasswordHash("$2y$05$tooshort")).toMatch(/malformed bcrypt/);
    expect(parsePasswordHash("$2y$13$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")).toBe("bcrypt cost must be 4 to 12, got 13");
    expect(parsePasswordHash("$2y$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")).toBe("bcrypt cost must be 4 to 12, got 3");
    expect(parsePasswordHash("$5$saltstring$short")).toMatch(/malformed SHA-crypt/);
    expect(parsePasswordHash("$6$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5")).toMatch(/wrong hash length/);
    expect(parsePasswordHash("$5$rounds=999999$s$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5")).toMatch(/rounds must be/);
    expect(parsePasswordHash("$apr1$abc$short")).toMatch(/malformed MD5-crypt/);
    expect(parsePasswordHash("{SHA}not base64!")).toMatch(/malformed \{SHA\}/);
    expect(parsePasswordHash("{SHA}AAAA")).toMatch(/malformed \{SHA\}/);
    expect(parsePasswordHash("{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=")).toMatch(/malformed \{SSHA\}/);
  });

  it("never throws on odd passwords", () => {
    const h = hash(BCRYPT_VECTORS[0]![1]);
    for (const odd of ["\u0000", "\ud800", "x".repeat(2000), undefined as unknown as string, 5 as unknown as string]) {
      expect(h.verify(odd)).toBe(false);
    }
  });
});
