// Which source file a line of the (unminified) wrangler bundle came from.
// esbuild starts every module's code with a `// path/of/module.ts` comment
// line, so the last such comment above a line names its source. Used to
// place workerd profile frames and to break the bundle size down by package.
import { readFileSync } from "node:fs";

const MODULE_COMMENT = /^\/\/ ((?:src|node_modules|bench)\/\S+)$/;

export interface BundleMap {
  /** Source file of a 0-based line. */
  fileOf(line: number): string;
  /** Bytes of code per package (node_modules/<pkg>) or per src/ folder, largest first. */
  bytesByPart(): { readonly part: string; readonly bytes: number }[];
}

/** node_modules/hono/dist/x.js -> hono; src/core/routing/table.ts -> src/core/routing. */
export function partOf(file: string): string {
  if (file.startsWith("node_modules/")) {
    const rest = file.slice("node_modules/".length).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? file);
  }
  const slash = file.lastIndexOf("/");
  return slash === -1 ? file : file.slice(0, slash);
}

export function readBundleMap(bundlePath: string): BundleMap {
  const lines = readFileSync(bundlePath, "utf8").split("\n");
  /** Start line and file of each module, in order. */
  const starts: { line: number; file: string }[] = [];
  lines.forEach((text, line) => {
    const match = MODULE_COMMENT.exec(text);
    if (match?.[1]) starts.push({ line, file: match[1] });
  });
  const fileOf = (line: number): string => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = "(bundle prelude)";
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const start = starts[mid]!;
      if (start.line <= line) {
        found = start.file;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  };
  return {
    fileOf,
    bytesByPart() {
      const sizes = new Map<string, number>();
      lines.forEach((text, line) => {
        const part = partOf(fileOf(line));
        sizes.set(part, (sizes.get(part) ?? 0) + Buffer.byteLength(text) + 1);
      });
      return [...sizes].map(([part, bytes]) => ({ part, bytes })).sort((a, b) => b.bytes - a.bytes);
    },
  };
}
