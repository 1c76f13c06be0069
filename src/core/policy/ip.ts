// Strict IP address text parsing for source-range policies, accepting what
// Go's net.ParseIP accepts (ingress-nginx validates its *-source-range
// annotations with net.ParseIP/net.ParseCIDR, internal/net/ipnet.go):
// - IPv4: exactly four decimal parts 0-255, no leading zeros ("010.0.0.1" is
//   refused since Go 1.17: octal or decimal would be ambiguous), no hex, no
//   short forms ("10.1").
// - IPv6: RFC 4291 section 2.2 text: 1-4 hex digits per group, one "::", an
//   optional dotted IPv4 tail; no zone ("%eth0"), no brackets.
// An IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 section 2.5.5.2) is
// returned as the IPv4 address, as nginx's access module checks a mapped
// client against its IPv4 rules.

/** An IPv4 address as an unsigned 32-bit number, or an IPv6 address as a 128-bit bigint. */
export type IpAddress = { readonly family: 4; readonly value: number } | { readonly family: 6; readonly value: bigint };

const MAX_ADDRESS_CHARS = 64;
const V4_MAPPED_PREFIX = 0xffffn << 32n;
const V4_MAPPED_MASK = ((1n << 96n) - 1n) << 32n;

/** Parses one address; undefined for anything that is not exactly an address (never throws). */
export function parseIp(text: unknown): IpAddress | undefined {
  if (typeof text !== "string" || text.length === 0 || text.length > MAX_ADDRESS_CHARS) return undefined;
  if (text.includes(":")) {
    const value = parseIpv6(text);
    if (value === undefined) return undefined;
    return isV4Mapped(value) ? { family: 4, value: Number(value & 0xffff_ffffn) } : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

/** True for ::ffff:0:0/96. */
export function isV4Mapped(value: bigint): boolean {
  return (value & V4_MAPPED_MASK) === V4_MAPPED_PREFIX;
}

/**
 * "a.b.c.d" -> unsigned 32-bit number. One pass over the characters, no
 * split or regular expression: every request to a route with an address list
 * parses CF-Connecting-IP.
 */
export function parseIpv4(text: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || ++dots > 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      continue;
    }
    if (c < DIGIT_0 || c > DIGIT_9) return undefined;
    if (digits > 0 && octet === 0) return undefined; // a leading zero ("010")
    octet = octet * 10 + (c - DIGIT_0);
    if (octet > 255) return undefined;
    digits++;
  }
  if (digits === 0 || dots !== 3) return undefined;
  return value * 256 + octet;
}

const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** RFC 4291 text -> 128-bit bigint. */
export function parseIpv6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  // A dotted IPv4 tail may only end the address (so never before a "::").
  const dotted = (group: string) => group.includes(".");
  if (head.slice(0, halves.length === 2 ? head.length : -1).some(dotted) || tail.slice(0, -1).some(dotted)) return undefined;
  const headWords = words16(head);
  const tailWords = words16(tail);
  if (headWords === undefined || tailWords === undefined) return undefined;
  const used = headWords.length + tailWords.length;
  if (halves.length === 1 ? used !== 8 : used > 7) return undefined; // "::" stands for at least one zero group
  const full = [...headWords, ...new Array<number>(8 - used).fill(0), ...tailWords];
  let value = 0n;
  for (const word of full) value = (value << 16n) | BigInt(word);
  return value;
}

/** "a:b" -> ["a", "b"]; "" -> []; undefined when a group is empty ("a::b:" tails, ":a"). */
function groupsOf(text: string): string[] | undefined {
  if (text === "") return [];
  const groups = text.split(":");
  return groups.some((group) => group === "") ? undefined : groups;
}

/** Groups -> 16-bit words; a dotted IPv4 group gives two. */
function words16(groups: readonly string[]): number[] | undefined {
  const words: number[] = [];
  for (const group of groups) {
    if (group.includes(".")) {
      const v4 = parseIpv4(group);
      if (v4 === undefined) return undefined;
      words.push(v4 >>> 16, v4 & 0xffff);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      words.push(parseInt(group, 16));
    }
  }
  return words;
}

/** Canonical text: dotted quad, or RFC 5952 lower-case IPv6 with the longest zero run as "::". */
export function formatIp(address: IpAddress): string {
  if (address.family === 4) {
    const v = address.value;
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const words: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) words.push(Number((address.value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1; // RFC 5952 4.2.2: a single zero group is not shortened
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart === -1) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
