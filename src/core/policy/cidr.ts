// Address lists as ingress-nginx's whitelist-source-range (alias
// allowlist-source-range) and denylist-source-range annotations accept them
// (internal/net/ipnet.go ParseIPNets, docs/user-guide/nginx-configuration/
// annotations.md): comma-separated entries, each trimmed, each a CIDR
// ("10.0.0.0/24", "2001:db8::/32") or a bare address (= /32 or /128).
// Differences, all stricter or clearer:
// - every bad entry is reported (ingress-nginx stops at the first one and
//   then denies the whole location); an empty entry ("a,,b", a trailing
//   comma) is bad, as Go's ParseCIDR("") fails;
// - host bits below the prefix are dropped, as Go's ParseCIDR and nginx's
//   allow/deny do ("10.0.0.1/24" means 10.0.0.0/24), and a note says so;
// - an IPv4-mapped range (::ffff:a.b.c.d/p, p >= 96) is stored as the IPv4
//   range a.b.c.d/(p-96), since mapped client addresses are looked up as IPv4.
// Compiled once into sorted, merged, disjoint ranges per family; contains()
// is a binary search, O(log n) per request whatever the list's length.
import type { Problem } from "../config/types";
import { formatIp, isV4Mapped, parseIp, parseIpv4, parseIpv6, type IpAddress } from "./ip";

/** At most this many entries in one list: far above any real allow list, low enough to bound compile time and memory. */
export const MAX_CIDR_ENTRIES = 100_000;

export interface AddressList {
  /** Is this client address inside the list? An unparseable or missing address is in no list. Never throws. */
  contains(address: string | null | undefined): boolean;
  /** Same, for an address already parsed (parse once per request, look up in several lists). */
  containsAddress(address: IpAddress | undefined): boolean;
  /** The entries in canonical form ("10.0.0.0/24", "2001:db8::/32"), in the order given, duplicates kept. */
  readonly entries: readonly string[];
}

export type AddressListResult =
  | { readonly ok: true; readonly list: AddressList; readonly notes: readonly Problem[] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

interface Range<T> {
  start: T;
  end: T;
}

/**
 * Parses a comma-separated list. `path` prefixes each problem's path, which
 * then names the entry: `${path}[2]`. Never throws.
 */
export function parseAddressList(text: unknown, path = ""): AddressListResult {
  if (typeof text !== "string") return { ok: false, problems: [{ path, message: `must be a comma-separated list of addresses or CIDRs, got ${typeof text}` }] };
  const raw = text.split(",");
  if (raw.length > MAX_CIDR_ENTRIES) return { ok: false, problems: [{ path, message: `at most ${MAX_CIDR_ENTRIES} entries, got ${raw.length}` }] };
  const problems: Problem[] = [];
  const notes: Problem[] = [];
  const v4: Range<number>[] = [];
  const v6: Range<bigint>[] = [];
  const entries: string[] = [];
  raw.forEach((item, index) => {
    const entry = item.trim();
    const at = `${path}[${index}]`;
    const parsed = parseEntry(entry);
    if (typeof parsed === "string") {
      problems.push({ path: at, message: `${parsed}, got ${JSON.stringify(entry.length > 60 ? `${entry.slice(0, 57)}...` : entry)}` });
      return;
    }
    entries.push(parsed.canonical);
    if (parsed.hostBits) notes.push({ path: at, message: `"${entry}" has bits set below its prefix length; it means ${parsed.canonical}` });
    if (parsed.family === 4) v4.push({ start: parsed.start as number, end: parsed.end as number });
    else v6.push({ start: parsed.start as bigint, end: parsed.end as bigint });
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, list: compile(entries, merge(v4), merge(v6)), notes };
}

interface Entry {
  family: 4 | 6;
  start: number | bigint;
  end: number | bigint;
  canonical: string;
  hostBits: boolean;
}

/** One entry -> its range, or why it is not one. */
function parseEntry(entry: string): Entry | string {
  if (entry === "") return "empty entry (is there a stray comma?)";
  const slash = entry.indexOf("/");
  const addressText = slash === -1 ? entry : entry.slice(0, slash);
  const isV6 = addressText.includes(":");
  const v6 = isV6 ? parseIpv6(addressText) : undefined;
  const v4 = isV6 ? undefined : parseIpv4(addressText);
  if (v6 === undefined && v4 === undefined) return isV6 ? "not an IPv6 address" : "not an IPv4 address or CIDR";
  let bits = isV6 ? 128 : 32;
  if (slash !== -1) {
    const prefixText = entry.slice(slash + 1);
    if (!/^(?:0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > bits) return `prefix length must be 0 to ${bits}`;
    bits = Number(prefixText);
  }
  if (v6 !== undefined && isV4Mapped(v6) && bits >= 96) return v4Entry(Number(v6 & 0xffff_ffffn), bits - 96, slash !== -1);
  if (v6 !== undefined) {
    const hostMask = (1n << BigInt(128 - bits)) - 1n;
    const start = v6 & ~hostMask;
    const canonical = `${formatIp({ family: 6, value: start })}${slash === -1 ? "" : `/${bits}`}`;
    return { family: 6, start, end: start | hostMask, canonical, hostBits: start !== v6 };
  }
  return v4Entry(v4!, bits, slash !== -1);
}

function v4Entry(value: number, bits: number, hasPrefix: boolean): Entry {
  const size = 2 ** (32 - bits);
  const start = Math.floor(value / size) * size;
  const canonical = `${formatIp({ family: 4, value: start })}${hasPrefix ? `/${bits}` : ""}`;
  return { family: 4, start, end: start + size - 1, canonical, hostBits: start !== value };
}

/** Sorts by start and merges overlapping or adjacent ranges. */
function merge<T extends number | bigint>(ranges: Range<T>[]): Range<T>[] {
  ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Range<T>[] = [];
  for (const range of ranges) {
    const last = out[out.length - 1];
    // Adjacent: last.end + 1 === range.start; written without mixing number and bigint.
    if (last !== undefined && (range.start <= last.end || range.start === next(last.end))) {
      if (range.end > last.end) last.end = range.end;
    } else out.push({ ...range });
  }
  return out;
}

function next<T extends number | bigint>(value: T): T {
  return (typeof value === "bigint" ? value + 1n : (value as number) + 1) as T;
}

/** Last range whose start <= value, then check its end. */
function search<T extends number | bigint>(ranges: readonly Range<T>[], value: T): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const range = ranges[mid]!;
    if (value < range.start) high = mid - 1;
    else if (value > range.end) low = mid + 1;
    else return true;
  }
  return false;
}

function compile(entries: string[], v4: readonly Range<number>[], v6: readonly Range<bigint>[]): AddressList {
  const containsAddress = (address: IpAddress | undefined): boolean => {
    if (address === undefined) return false;
    return address.family === 4 ? search(v4, address.value) : search(v6, address.value);
  };
  return Object.freeze({
    entries: Object.freeze(entries),
    containsAddress,
    contains: (address: string | null | undefined) => containsAddress(parseIp(address)),
  });
}
