// Config files -> parsed documents, keeping each document's YAML tree so a
// problem's path can be turned into a line number. JSON files are read by the
// same parser (JSON is YAML 1.2).
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from "yaml";
import type { DocLocation, SourceDocument } from "../core/config/manifests";
import { CliError } from "./output";

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
    const text = await readText(file, cwd);
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

async function readText(file: string, cwd: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (error as Error).message;
    throw new CliError(`cannot read ${JSON.stringify(file)}: ${why}`);
  }
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
