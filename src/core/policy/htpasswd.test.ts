import { describe, expect, it } from "vitest";
import { htpasswdFromMap, parseHtpasswd, type Htpasswd } from "./htpasswd";

const BCRYPT_UU = "$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"; // "U*U"
const SHA256_HELLO = "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"; // "Hello world!"
const APR1_PASSWORD = "$apr1$abcdefgh$FBwExRW4dCc8aL.OvjpIE1"; // "password"

function file(text: string): Htpasswd {
  const result = parseHtpasswd(text);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.htpasswd;
}

describe("parseHtpasswd (nginx auth_basic_user_file format)", () => {
  it("reads name:hash and name:hash:comment lines, skipping comments, blank lines and CRs", () => {
    const f = file(`# the ops team\r\nfoo:${BCRYPT_UU}\r\n\r\nbar:${SHA256_HELLO}:Bar Person\n   \n`);
    expect(f.users).toEqual(["foo", "bar"]);
    expect(f.verify("foo", "U*U")).toBe(true);
    expect(f.verify("bar", "Hello world!")).toBe(true);
    expect(f.verify("foo", "Hello world!")).toBe(false);
    expect(f.verify("Foo", "U*U")).toBe(false); // names are case-sensitive
    expect(f.verify("nobody", "U*U")).toBe(false);
  });

  it("uses the first line of a duplicated user, as nginx, and notes the later one", () => {
    const result = parseHtpasswd(`foo:${SHA256_HELLO}\nfoo:${BCRYPT_UU}\n`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.htpasswd.verify("foo", "Hello world!")).toBe(true);
    expect(result.htpasswd.verify("foo", "U*U")).toBe(false);
    expect(result.notes).toEqual([{ path: "htpasswd line 2", message: 'user "foo" appears again; only the first line counts, as in nginx' }]);
  });

  it("notes weak hashes, or refuses them when asked", () => {
    const noted = parseHtpasswd(`old:${APR1_PASSWORD}`, { path: "auth" });
    expect(noted.ok && noted.notes.map((n) => `${n.path}: ${n.message}`)).toEqual([
      'auth line 1: user "old": weak apr1 hash (fast to guess offline); re-hash with bcrypt (htpasswd -B)',
    ]);
    expect(noted.ok && noted.htpasswd.verify("old", "password")).toBe(true);
    const refused = parseHtpasswd(`old:${APR1_PASSWORD}`, { path: "auth", refuseWeak: true });
    expect(refused.ok ? [] : refused.problems.map((p) => p.message)).toEqual(['user "old": weak apr1 hash refused; store a bcrypt hash (htpasswd -B)']);
  });

  it("reports every bad line by number without echoing the hash", () => {
    const result = parseHtpasswd(`good:${BCRYPT_UU}\nno colon here\n:${BCRYPT_UU}\nplain:{PLAIN}hunter2\ndes:papAq5PwY/QQM\n`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'htpasswd line 2: expected "user:hash"',
      "htpasswd line 3: empty user name",
      'htpasswd line 4: user "plain": plain-text passwords ({PLAIN}) are refused; store a bcrypt hash (htpasswd -B)',
      'htpasswd line 5: user "des": traditional DES crypt hashes are refused (only 8 password characters count); store a bcrypt hash (htpasswd -B)',
    ]);
    expect(JSON.stringify(result.problems)).not.toContain("hunter2");
  });

  it("refuses a file with no users and input that is not text", () => {
    expect(parseHtpasswd("# nobody\n\n")).toEqual({ ok: false, problems: [{ path: "htpasswd", message: "no users: every request would be refused" }] });
    expect(parseHtpasswd(undefined).ok).toBe(false);
  });

  it("builds the same from an auth-map Secret (user -> hash)", () => {
    const result = htpasswdFromMap({ foo: BCRYPT_UU, bar: `${SHA256_HELLO}\n` });
    expect(result.ok && result.htpasswd.verify("bar", "Hello world!")).toBe(true);
    const bad = htpasswdFromMap({ foo: "nope" }, { path: "secret" });
    expect(bad.ok ? [] : bad.problems.map((p) => p.path)).toEqual(['secret["foo"]']);
  });

  it("never throws on odd lookups", () => {
    const f = file(`foo:${BCRYPT_UU}`);
    expect(f.verify(undefined as unknown as string, "U*U")).toBe(false);
    expect(f.verify("foo", null as unknown as string)).toBe(false);
    expect(f.entry("__proto__")).toBeUndefined();
  });
});
