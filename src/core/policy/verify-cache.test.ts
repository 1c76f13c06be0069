import { describe, expect, it } from "vitest";
import { parseHtpasswd, type Htpasswd } from "./htpasswd";
import { createVerifyCache } from "./verify-cache";
import type { PasswordHash } from "./password-hash";

const SHA256_HELLO = "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"; // "Hello world!"

/** Wraps a parsed file so each real hash computation is counted. */
function counting(text: string): { htpasswd: Htpasswd; hashes: () => number } {
  const result = parseHtpasswd(text);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  let hashes = 0;
  const inner = result.htpasswd;
  const wrap = (hash: PasswordHash): PasswordHash => ({ ...hash, verify: (pw: string) => (hashes++, hash.verify(pw)) });
  return {
    hashes: () => hashes,
    htpasswd: {
      users: inner.users,
      entry: (user) => {
        const entry = inner.entry(user);
        return entry && { ...entry, hash: wrap(entry.hash) };
      },
      verify: inner.verify,
    },
  };
}

describe("createVerifyCache", () => {
  it("hashes once per user and password, then answers from the cache", () => {
    const { htpasswd, hashes } = counting(`a:${SHA256_HELLO}`);
    const cache = createVerifyCache({ now: () => 0 });
    for (let i = 0; i < 5; i++) expect(cache.verify(htpasswd, { user: "a", password: "Hello world!" })).toBe(true);
    expect(hashes()).toBe(1);
    expect(cache.size).toBe(1);
  });

  it("check() says where the answer came from: hashed, the cache, or refused", () => {
    const { htpasswd, hashes } = counting(`a:${SHA256_HELLO}`);
    const cache = createVerifyCache({ now: () => 0 });
    expect(cache.check(htpasswd, { user: "a", password: "Hello world!" })).toBe("verified");
    expect(cache.check(htpasswd, { user: "a", password: "Hello world!" })).toBe("cached");
    expect(cache.check(htpasswd, { user: "a", password: "nope" })).toBe("refused");
    expect(cache.check(htpasswd, { user: "b", password: "Hello world!" })).toBe("refused");
    expect(hashes()).toBe(2);
  });

  it("never caches a failure: each wrong guess costs a full hash and leaves nothing behind", () => {
    const { htpasswd, hashes } = counting(`a:${SHA256_HELLO}`);
    const cache = createVerifyCache({ now: () => 0 });
    for (let i = 0; i < 3; i++) expect(cache.verify(htpasswd, { user: "a", password: "wrong" })).toBe(false);
    expect(hashes()).toBe(3);
    expect(cache.size).toBe(0);
    expect(cache.verify(htpasswd, { user: "nobody", password: "Hello world!" })).toBe(false);
    expect(hashes()).toBe(3); // unknown users are refused without hashing
  });

  it("re-verifies after the TTL", () => {
    let now = 1_000;
    const { htpasswd, hashes } = counting(`a:${SHA256_HELLO}`);
    const cache = createVerifyCache({ now: () => now, ttlMs: 60_000 });
    cache.verify(htpasswd, { user: "a", password: "Hello world!" });
    now += 59_999;
    cache.verify(htpasswd, { user: "a", password: "Hello world!" });
    expect(hashes()).toBe(1);
    now += 1;
    cache.verify(htpasswd, { user: "a", password: "Hello world!" });
    expect(hashes()).toBe(2);
  });

  it("keys on the stored hash, so a changed password is verified again", () => {
    const before = counting(`a:${SHA256_HELLO}`);
    const cache = createVerifyCache({ now: () => 0 });
    expect(cache.verify(before.htpasswd, { user: "a", password: "Hello world!" })).toBe(true);
    // Same user, a different stored hash of another password: the old success must not carry over.
    const after = counting(`a:$apr1$abcdefgh$FBwExRW4dCc8aL.OvjpIE1`);
    expect(cache.verify(after.htpasswd, { user: "a", password: "Hello world!" })).toBe(false);
    expect(after.hashes()).toBe(1);
  });

  it("holds at most maxEntries, evicting the least recently used", () => {
    const lines = ["a", "b", "c"].map((u) => `${u}:${SHA256_HELLO}`).join("\n");
    const { htpasswd, hashes } = counting(lines);
    const cache = createVerifyCache({ now: () => 0, maxEntries: 2 });
    const ok = (user: string) => cache.verify(htpasswd, { user, password: "Hello world!" });
    ok("a");
    ok("b");
    ok("a"); // a is now the most recent
    ok("c"); // evicts b
    expect(cache.size).toBe(2);
    expect(hashes()).toBe(3);
    ok("a");
    expect(hashes()).toBe(3);
    ok("b");
    expect(hashes()).toBe(4);
  });

  it("does not keep the password in memory: keys are HMAC digests", () => {
    const { htpasswd } = counting(`a:${SHA256_HELLO}`);
    const keys: string[] = [];
    const realSet = Map.prototype.set;
    Map.prototype.set = function (this: Map<unknown, unknown>, key: unknown, value: unknown) {
      if (typeof key === "string") keys.push(key);
      return realSet.call(this, key, value);
    };
    try {
      createVerifyCache({ now: () => 0 }).verify(htpasswd, { user: "a", password: "Hello world!" });
    } finally {
      Map.prototype.set = realSet;
    }
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(key).not.toContain("Hello");
    }
  });
});
