import { describe, expect, it } from "vitest";
import { formatIp, parseIp } from "./ip";

const text = (input: unknown) => {
  const parsed = parseIp(input);
  return parsed === undefined ? undefined : `${parsed.family} ${formatIp(parsed)}`;
};

describe("parseIp (as Go's net.ParseIP)", () => {
  it("reads IPv4 dotted quads", () => {
    expect(text("10.0.0.17")).toBe("4 10.0.0.17");
    expect(text("0.0.0.0")).toBe("4 0.0.0.0");
    expect(text("255.255.255.255")).toBe("4 255.255.255.255");
  });

  it("refuses IPv4 forms that are ambiguous or not four decimal parts", () => {
    for (const bad of ["010.0.0.1", "10.0.0", "10.1", "10.0.0.256", "0x0a.0.0.1", "10.0.0.1.", " 10.0.0.1", "10.0.0.1 ", "1e1.0.0.1", "+1.0.0.1", "１.0.0.1"]) {
      expect(text(bad), bad).toBeUndefined();
    }
  });

  it("reads IPv6 in every RFC 4291 form and prints it as RFC 5952", () => {
    expect(text("2001:0DB8:0000:0000:0000:0000:0000:0001")).toBe("6 2001:db8::1");
    expect(text("::")).toBe("6 ::");
    expect(text("::1")).toBe("6 ::1");
    expect(text("fe80::")).toBe("6 fe80::");
    expect(text("2001:db8:0:1:0:0:0:1")).toBe("6 2001:db8:0:1::1");
    expect(text("2001:db8:0:1:1:1:1:1")).toBe("6 2001:db8:0:1:1:1:1:1");
    expect(text("::1.2.3.4")).toBe("6 ::102:304");
    expect(text("64:ff9b::192.0.2.33")).toBe("6 64:ff9b::c000:221");
  });

  it("reads an IPv4-mapped IPv6 address as the IPv4 address", () => {
    expect(text("::ffff:10.0.0.17")).toBe("4 10.0.0.17");
    expect(text("::FFFF:a00:11")).toBe("4 10.0.0.17");
    expect(text("0:0:0:0:0:ffff:10.0.0.17")).toBe("4 10.0.0.17");
  });

  it("refuses malformed IPv6", () => {
    for (const bad of [":::", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8", ":1::", "1::2:", "12345::", "g::", "fe80::1%eth0", "[::1]", "1.2.3.4::", "::1.2.3.4:5", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4"]) {
      expect(text(bad), bad).toBeUndefined();
    }
  });

  it("returns undefined, never throws, for odd input", () => {
    for (const odd of [undefined, null, 42, {}, "", "unknown", "a".repeat(10_000), "::ffff:" + "1".repeat(100), "\u0000"]) {
      expect(parseIp(odd)).toBeUndefined();
    }
  });
});
