// A precise DNS hostname, as Gateway API PreciseHostname: lower-case RFC
// 1123 labels, no wildcard, no IP address, no port.
import * as v from "valibot";
import { got } from "../config/messages";
import { isDnsSubdomain } from "../config/dns-name";

export const preciseHostname = v.pipe(
  v.string((i) => `must be a host name, got ${got(i.input)}`),
  v.check(
    (h) => isDnsSubdomain(h) && !/^\d{1,3}(\.\d{1,3}){3}$/.test(h),
    (i) => `must be a lower-case DNS host name (no wildcard, IP address or port), got ${got(i.input)}`,
  ),
);
