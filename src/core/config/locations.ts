// Where something was written in the config files: file, document index, the
// path inside that document and, inside an Ingress manifest, the Ingress's
// name. Problems and notes print it as
// `config.yaml[1]: spec.rules[0].host (Ingress api)`, so a message always
// names the file, the Ingress and the path, never an index into the merge.
import { joinPath } from "./messages";
import type { Problem } from "./types";

export type Segment = string | number;

export interface DocLocation {
  readonly file: string;
  /** Index of the document within its file, from 0. */
  readonly index: number;
  readonly segments: readonly Segment[];
  /** The name of the Ingress manifest this is in, if any. */
  readonly ingress?: string;
  /** The Gateway API object this is in, if any, e.g. "HTTPRoute default/web". */
  readonly object?: string;
}

/** A problem whose `path` reads `FILE[doc]: spec.rules[0].host`. */
export interface LocatedProblem extends Problem {
  readonly at: DocLocation;
}

/** `config.yaml[1]: spec.rules[0].host (Ingress api)`, or `config.yaml[1]` for the document itself. */
export function formatLocation(at: DocLocation): string {
  const where = at.segments.length === 0 ? `${at.file}[${at.index}]` : `${at.file}[${at.index}]: ${joinPath(at.segments)}`;
  if (at.object !== undefined) return `${where} (${at.object})`;
  return at.ingress === undefined ? where : `${where} (Ingress ${at.ingress})`;
}

export function child(at: DocLocation, ...segments: Segment[]): DocLocation {
  const inner = { file: at.file, index: at.index, segments: [...at.segments, ...segments] };
  if (at.object !== undefined) return { ...inner, object: at.object };
  return at.ingress === undefined ? inner : { ...inner, ingress: at.ingress };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const TOKEN = /\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;

/** The inverse of joinPath: `pools["a b"].origins[1]` -> ["pools", "a b", "origins", 1]. */
export function splitPath(path: string): Segment[] {
  if (path === "(document)" || path === "") return [];
  const segments: Segment[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < path.length) {
    const m = TOKEN.exec(path);
    if (!m) return [path];
    segments.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3] ?? '""') as string)));
  }
  return segments;
}
