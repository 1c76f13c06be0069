// Markdown and number formatting shared by the report and the explanations.

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Nanoseconds as microseconds, with enough digits for sub-µs figures. */
export const us = (ns: number) => (ns >= 100_000 ? `${(ns / 1000).toFixed(0)} µs` : `${(ns / 1000).toFixed(ns < 10_000 ? 3 : 1)} µs`);
export const ms = (n: number, digits = 2) => `${n.toFixed(digits)} ms`;
export const int = (n: number) => Math.round(n).toLocaleString("en-US");
export const bytes = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);
export const fixed = (n: number, digits = 1) => n.toFixed(digits);
