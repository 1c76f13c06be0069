import { describe, expect, it } from "vitest";
import { parseAddressList, type AddressList } from "./cidr";

function list(text: string): AddressList {
  const result = parseAddressList(text, "whitelist-source-range");
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.list;
}

function problems(text: unknown): string[] {
  const result = parseAddressList(text, "x");
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
}

describe("parseAddressList (ingress-nginx *-source-range values)", () => {
  it("matches the annotation docs' example list, a CIDR and a bare address", () => {
    const docs = list("10.0.0.0/24,172.10.0.1");
    expect(["10.0.0.17", "10.0.0.0", "10.0.0.255", "172.10.0.1"].map((ip) => docs.contains(ip))).toEqual([true, true, true, true]);
    expect(["10.0.1.1", "172.10.0.2", "192.0.2.10", "9.255.255.255"].map((ip) => docs.contains(ip))).toEqual([false, false, false, false]);
    expect(docs.entries).toEqual(["10.0.0.0/24", "172.10.0.1"]);
  });

  it("trims spaces around entries, as strings.TrimSpace", () => {
    expect(list(" 10.0.0.0/8 ,\t192.168.0.1 ").contains("192.168.0.1")).toBe(true);
  });

  it("treats a bare address as /32 or /128 and /0 as everything of that family only", () => {
    const l = list("2001:db8::1,0.0.0.0/0");
    expect(l.contains("2001:db8::1")).toBe(true);
    expect(l.contains("2001:db8::2")).toBe(false);
    expect(l.contains("203.0.113.9")).toBe(true);
    const v6all = list("::/0");
    expect(v6all.contains("2606:4700::1")).toBe(true);
    expect(v6all.contains("203.0.113.9")).toBe(false); // nginx: an IPv4 client is checked against IPv4 rules
  });

  it("matches IPv6 prefixes at their exact boundaries", () => {
    const l = list("2001:db8:abcd:12::/64");
    expect(l.contains("2001:db8:abcd:12::")).toBe(true);
    expect(l.contains("2001:db8:abcd:12:ffff:ffff:ffff:ffff")).toBe(true);
    expect(l.contains("2001:db8:abcd:13::")).toBe(false);
    expect(l.contains("2001:db8:abcd:11:ffff:ffff:ffff:ffff")).toBe(false);
  });

  it("looks up IPv4-mapped clients and entries as IPv4", () => {
    expect(list("10.0.0.0/8").contains("::ffff:10.1.2.3")).toBe(true);
    const mapped = list("::ffff:192.0.2.0/120");
    expect(mapped.entries).toEqual(["192.0.2.0/24"]);
    expect(mapped.contains("192.0.2.77")).toBe(true);
    expect(mapped.contains("192.0.3.1")).toBe(false);
  });

  it("drops host bits below the prefix as Go and nginx do, with a note", () => {
    const result = parseAddressList("10.0.0.1/24,2001:db8::1/32", "p");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.list.entries).toEqual(["10.0.0.0/24", "2001:db8::/32"]);
    expect(result.list.contains("10.0.0.200")).toBe(true);
    expect(result.notes.map((n) => n.path)).toEqual(["p[0]", "p[1]"]);
    expect(result.notes[0]!.message).toContain("means 10.0.0.0/24");
  });

  it("reports every bad entry with its index and value", () => {
    expect(problems("10.0.0.0/33,bogus,,2001:db8::/129,010.0.0.1,10.0.0.0/08,1.2.3.4/-1,fe80::1%eth0")).toEqual([
      'x[0]: prefix length must be 0 to 32, got "10.0.0.0/33"',
      'x[1]: not an IPv4 address or CIDR, got "bogus"',
      'x[2]: empty entry (is there a stray comma?), got ""',
      'x[3]: prefix length must be 0 to 128, got "2001:db8::/129"',
      'x[4]: not an IPv4 address or CIDR, got "010.0.0.1"',
      'x[5]: prefix length must be 0 to 32, got "10.0.0.0/08"',
      'x[6]: prefix length must be 0 to 32, got "1.2.3.4/-1"',
      'x[7]: not an IPv6 address, got "fe80::1%eth0"',
    ]);
    expect(problems("10.0.0.0/8,")).toEqual(['x[1]: empty entry (is there a stray comma?), got ""']);
    expect(problems("")).toEqual(['x[0]: empty entry (is there a stray comma?), got ""']);
    expect(problems(7)).toEqual(["x: must be a comma-separated list of addresses or CIDRs, got number"]);
  });

  it("merges overlapping, nested and adjacent ranges and still answers exactly", () => {
    const l = list("10.0.0.0/25,10.0.0.128/25,10.0.0.64/26,10.0.2.0/24,10.0.0.5");
    expect(l.contains("10.0.0.255")).toBe(true);
    expect(l.contains("10.0.1.0")).toBe(false);
    expect(l.contains("10.0.2.9")).toBe(true);
    expect(l.entries).toHaveLength(5);
  });

  it("answers like a linear scan over 5,000 random entries (binary search over merged ranges)", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    const entries: { start: number; end: number }[] = [];
    const texts: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const bits = 16 + Math.floor(rand() * 17);
      const size = 2 ** (32 - bits);
      const start = Math.floor((rand() * 2 ** 32) / size) * size;
      entries.push({ start, end: start + size - 1 });
      texts.push(`${start >>> 24}.${(start >>> 16) & 255}.${(start >>> 8) & 255}.${start & 255}/${bits}`);
    }
    const l = list(texts.join(","));
    const wrong: string[] = [];
    let inside = 0;
    for (let i = 0; i < 5000; i++) {
      const probe = i % 2 === 0 ? Math.floor(rand() * 2 ** 32) : entries[i]!.end + (i % 4 === 1 ? 1 : 0);
      const ip = `${probe >>> 24}.${(probe >>> 16) & 255}.${(probe >>> 8) & 255}.${probe & 255}`;
      const expected = entries.some((e) => probe >= e.start && probe <= e.end);
      if (expected) inside++;
      if (l.contains(ip) !== expected) wrong.push(ip);
    }
    expect(wrong).toEqual([]);
    expect(inside).toBeGreaterThan(1000); // the probes hit both sides of the boundaries
  });

  it("finds no odd client address in any list, never throwing", () => {
    const all = list("0.0.0.0/0,::/0");
    for (const odd of [undefined, null, "", "unknown", "10.0.0.1, 10.0.0.2", "[::1]", "::1]:443", "x".repeat(5000)]) {
      expect(all.contains(odd)).toBe(false);
    }
  });
});
