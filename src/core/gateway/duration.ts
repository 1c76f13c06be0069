// Gateway API Duration (GEP-2257): one to four <number><unit> parts, units
// h, m, s and ms, e.g. "1h", "500ms", "1m30s"; "0s" is zero.
const FORMAT = /^(?:[0-9]{1,5}(?:h|m|s|ms)){1,4}$/;
const PART = /([0-9]{1,5})(h|ms|m|s)/g;
const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Milliseconds, or undefined when the text is not a Gateway API duration. */
export function parseDurationMs(text: string): number | undefined {
  if (!FORMAT.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(PART)) total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  return total;
}
