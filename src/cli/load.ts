// Files -> YAML documents -> merged native document -> parseConfig: the one
// path every file-reading command takes, so validate, apply, explain and test
// always agree with each other and with the Worker (which runs parseConfig on
// what apply stores).
import { locateProblem, mergeDocuments, type DocLocation, type LocatedProblem, type MergeResult, type NativeDocument } from "../core/config/manifests";
import { parseConfig } from "../core/config/parse";
import type { Config } from "../core/config/types";
import { readYamlFiles } from "./yaml-files";
import type { Io } from "./output";

export interface LoadOptions {
  readonly ingressClass?: string;
}

export interface Loaded {
  readonly merge: MergeResult;
  readonly document: NativeDocument;
  /** Set when there are no problems. */
  readonly config?: Config;
  /** `FILE[doc]: path: message (line N)`, in file and document order. */
  readonly problems: readonly string[];
  readonly notes: readonly string[];
  /** ` (line N)` for a location whose line is known, else "". */
  lineNote(at: DocLocation): string;
}

export async function loadConfigFiles(files: readonly string[], io: Io, options: LoadOptions = {}): Promise<Loaded> {
  const yaml = await readYamlFiles(files, io.cwd);
  const merge = mergeDocuments(yaml.documents, options.ingressClass === undefined ? {} : { ingressClass: options.ingressClass });
  const parsed = parseConfig(merge.document);
  // A document that does not parse is missing from the merge, but the others
  // are still checked, so that one run lists every problem they have; a note
  // says that what the missing documents define (a pool, a Gateway) counts
  // as missing meanwhile. With no document at all, "no pools" would be noise
  // (the file's own problem is said below).
  const located: LocatedProblem[] = yaml.documents.length === 0 ? [] : [...merge.problems, ...parsed.problems.map((p) => locateProblem(merge, p))];
  const unread =
    yaml.syntaxProblems.length > 0 && located.length > 0
      ? ["the documents that could not be read (below) are left out of every other check: until they read, what they define (a pool, a Gateway, an Ingress) counts as missing"]
      : [];
  // Stable sort: by file as given, then document; within one document, in the order found.
  const fileOrder = new Map(files.map((f, i) => [f, i]));
  const rank = (p: LocatedProblem) => (fileOrder.get(p.at.file) ?? files.length) * 1e6 + p.at.index;
  located.sort((a, b) => rank(a) - rank(b));
  const lineNote = (at: DocLocation) => {
    const line = yaml.lineOf(at);
    return line === undefined ? "" : ` (line ${line})`;
  };
  const empty = yaml.documents.length === 0 && yaml.syntaxProblems.length === 0 ? [`${files.join(", ")}: no YAML documents found`] : [];
  const problems = [...empty, ...yaml.syntaxProblems, ...located.map((p) => `${p.path}: ${p.message}${lineNote(p.at)}`)];
  return {
    merge,
    document: merge.document,
    ...(parsed.ok && problems.length === 0 ? { config: parsed.config } : {}),
    problems,
    notes: [...merge.notes, ...unread],
    lineNote,
  };
}
