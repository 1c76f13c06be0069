// Config files -> parsed documents, keeping each document's YAML tree so a
// problem's path can be turned into a line number. JSON files are read by the
// same parser (JSON is YAML 1.2). A file is read only if it is a regular
// file of bounded size holding UTF-8: a FIFO would block forever, a device
// never ends, and other encodings would silently become U+FFFD.
import { isUtf8 } from "node:buffer";
import { constants, type Stats } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { resolve } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from "yaml";
import type { DocLocation, SourceDocument } from "../core/config/manifests";
import { CliError } from "./output";

/** The largest config (or cases) file read: far beyond any real config, small enough to hold in memory. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

interface ParsedFile {
  readonly lines: LineCounter;
  readonly documents: readonly Document[];
}

export interface YamlFiles {
  readonly documents: readonly SourceDocument[];
  /** YAML syntax errors, as `FILE[doc]: message (line L, column C)`. */
  readonly syntaxProblems: readonly string[];
  /** The line a location was written on, or undefined when it cannot be told. */
  lineOf(at: DocLocation): number | undefined;
}

export async function readYamlFiles(files: readonly string[], cwd: string): Promise<YamlFiles> {
  const parsed = new Map<string, ParsedFile>();
  const documents: SourceDocument[] = [];
  const syntaxProblems: string[] = [];
  for (const file of files) {
    const bytes = await readBytes(file, cwd);
    if (!isUtf8(bytes)) {
      syntaxProblems.push(`${file}: not valid UTF-8 (line ${lineOfFirstInvalidByte(bytes)}); save the file as UTF-8`);
      continue;
    }
    const text = bytes.toString("utf8");
    const lines = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const list = Array.isArray(docs) ? docs : [];
    parsed.set(file, { lines, documents: list });
    list.forEach((doc, index) => {
      if (doc.errors.length > 0) {
        for (const error of doc.errors) {
          const { line, col } = lines.linePos(error.pos[0]);
          syntaxProblems.push(`${file}[${index}]: ${error.message.split("\n")[0]} (line ${line}, column ${col})`);
        }
        return;
      }
      try {
        documents.push({ file, index, value: doc.toJS({ maxAliasCount: 100 }) });
      } catch (error) {
        syntaxProblems.push(`${file}[${index}]: ${(error as Error).message}`);
      }
    });
  }
  return {
    documents,
    syntaxProblems,
    lineOf(at) {
      const file = parsed.get(at.file);
      const doc = file?.documents[at.index];
      if (!file || !doc) return undefined;
      const offset = offsetOf(doc.contents, at.segments);
      return offset === undefined ? undefined : file.lines.linePos(offset).line;
    },
  };
}

async function readBytes(file: string, cwd: string): Promise<Buffer> {
  const cannot = (why: string) => new CliError(`cannot read ${JSON.stringify(file)}: ${why}`);
  let handle: FileHandle;
  try {
    // Non-blocking, so that opening a FIFO returns at once and fstat can refuse it.
    handle = await open(resolve(cwd, file), constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw cannot(code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory, not a regular file" : (error as Error).message);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw cannot(`it is ${kindOf(stats)}, not a regular file`);
    if (stats.size > MAX_FILE_BYTES) throw cannot(`it is ${stats.size} bytes, more than the ${MAX_FILE_BYTES / 1024 / 1024} MiB a config file may have`);
    // The file may grow while it is read: never read past the limit.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { bytesRead, buffer } = await handle.read({ buffer: Buffer.alloc(Math.min(stats.size + 1, 1024 * 1024)) });
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (total > MAX_FILE_BYTES) throw cannot(`it grew past the ${MAX_FILE_BYTES / 1024 / 1024} MiB a config file may have while being read`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "not a file";
}

/**
 * Decoding replaces each invalid sequence with U+FFFD and leaves the valid
 * bytes before it as they were, so re-encoding differs from the input first
 * inside the first invalid sequence; its line is the one reported.
 */
function lineOfFirstInvalidByte(bytes: Buffer): number {
  const roundTrip = Buffer.from(bytes.toString("utf8"), "utf8");
  let offset = 0;
  while (offset < bytes.length && bytes[offset] === roundTrip[offset]) offset++;
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Walks the YAML tree along the path; stops at the deepest node that exists. */
function offsetOf(root: unknown, segments: DocLocation["segments"]): number | undefined {
  let node = root as Node | null;
  let offset = node?.range?.[0];
  for (const segment of segments) {
    let next: Node | null | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === segment);
      if (!pair) break;
      const keyOffset = (pair.key as Node | null)?.range?.[0];
      next = (pair.value as Node | null) ?? null;
      offset = keyOffset ?? offset;
      if (next === null) break;
    } else if (isSeq(node) && typeof segment === "number") {
      next = node.items[segment] as Node | undefined;
      if (!next) break;
      offset = next.range?.[0] ?? offset;
    } else break;
    node = next;
  }
  return offset;
}
