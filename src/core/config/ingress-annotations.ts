// Reads one Ingress's annotations against the verdict table (annotations.ts):
// each one is honoured, named in a note, warned about or refused, never
// passed over in silence. use-regex needs more than its own value and is
// judged here with what the Ingress holds ("false") or after every file is
// read ("true": ingress-pairs.ts); the canary and affinity annotations are
// compiled in ingress-canary-affinity.ts.
import { NGINX_ANNOTATIONS, NGINX_PREFIX, type AnnotationVerdict } from "./annotations";
import { CONTROLLER_PREFIXES, OTHER_ANNOTATIONS, TOOL_PREFIXES } from "./manifest-verdicts";
import { got } from "./messages";
import { child, type DocLocation } from "./locations";
import { addNote, addProblem, addWarning, type MergeState } from "./merge-state";

export const CANARY = `${NGINX_PREFIX}canary`;
export const USE_REGEX = `${NGINX_PREFIX}use-regex`;
export const SSL_REDIRECT = `${NGINX_PREFIX}ssl-redirect`;
export const REWRITE_TARGET = `${NGINX_PREFIX}rewrite-target`;

/** What the annotation checks need to know of the Ingress besides its annotations. */
export interface IngressShape {
  /** Whether any of its paths is ImplementationSpecific. */
  readonly hasRegexPaths: boolean;
}

export function judgeAnnotations(annotations: Readonly<Record<string, unknown>>, shape: IngressShape, at: DocLocation, state: MergeState): void {
  for (const [key, value] of Object.entries(annotations)) {
    if (typeof value !== "string") continue; // refused by the envelope schema
    const keyAt = child(at, "metadata", "annotations", key);
    if (key === USE_REGEX) judgeUseRegex(value, shape, keyAt, state);
    else judgeOne(key, value, annotations, keyAt, state);
  }
}

function judgeOne(key: string, value: string, all: Readonly<Record<string, unknown>>, at: DocLocation, state: MergeState): void {
  const nginx = key.startsWith(NGINX_PREFIX);
  const entry = nginx ? NGINX_ANNOTATIONS[key.slice(NGINX_PREFIX.length)] : OTHER_ANNOTATIONS[key];
  if (entry) return applyVerdict(entry, value, all, at, state);
  if (nginx) {
    const near = nearestName(key.slice(NGINX_PREFIX.length));
    return addWarning(state, at, `not an ingress-nginx annotation (ingress-nginx ignores it too${near ? `; did you mean ${JSON.stringify(near)}?` : ""})`);
  }
  const controller = Object.entries(CONTROLLER_PREFIXES).find(([prefix]) => key.startsWith(prefix));
  if (controller) return addWarning(state, at, `read by ${controller[1]}, not by edge-ingress: what it asks for does not happen`);
  const tool = Object.entries(TOOL_PREFIXES).find(([prefix]) => key.startsWith(prefix));
  if (tool) return addNote(state, at, `ignored: read by ${tool[1]}, not by an ingress controller`);
  addNote(state, at, "ignored: not an annotation edge-ingress or a known ingress controller reads");
}

function applyVerdict(entry: AnnotationVerdict, value: string, all: Readonly<Record<string, unknown>>, at: DocLocation, state: MergeState): void {
  // A companion without the annotation it needs does nothing, whatever its value: say so.
  if (entry.requires !== undefined && !isActive(entry.requires, all)) {
    return addNote(state, at, `ignored, harmless: it has no effect without ${NGINX_PREFIX}${entry.requires}, in ingress-nginx either`);
  }
  if (entry.verdict === "honoured" || entry.inert?.includes(value)) return;
  if (entry.verdict === "ignored") return addNote(state, at, `ignored, harmless: ${entry.reason}`);
  if (entry.verdict === "warned") return addWarning(state, at, entry.reason);
  addProblem(state, at, refusal(entry));
}

export function refusal(entry: AnnotationVerdict): string {
  const accepted = entry.inert ? ` (accepted: ${entry.inert.map((v) => JSON.stringify(v)).join(" or ")})` : "";
  return `refused: ${entry.reason}${accepted}`;
}

/** An annotation of the table is in effect: set, to a value that is not its default. */
function isActive(name: string, all: Readonly<Record<string, unknown>>): boolean {
  const value = all[`${NGINX_PREFIX}${name}`];
  return typeof value === "string" && !NGINX_ANNOTATIONS[name]?.inert?.includes(value);
}

/**
 * edge-ingress reads ImplementationSpecific paths as regular expressions,
 * which is what ingress-nginx does with use-regex "true"; with "false" it
 * reads them as plain prefixes, so that pairing is refused.
 */
function judgeUseRegex(value: string, shape: IngressShape, at: DocLocation, state: MergeState): void {
  if (value === "true") return; // checked against the host's other paths once all files are read
  if (value !== "false") return addProblem(state, at, `must be "true" or "false", got ${got(value)}`);
  if (shape.hasRegexPaths) {
    addProblem(state, at,
      'refused: with "false", ingress-nginx reads ImplementationSpecific paths as plain prefixes, and edge-ingress reads them as regular expressions: use pathType Prefix (or Exact) for those paths, or remove the annotation');
  }
}

/** The known annotation name nearest a misspelt one, if it is within two edits and no other is as near. */
function nearestName(name: string): string | undefined {
  const scored = Object.keys(NGINX_ANNOTATIONS).map((known) => ({ known, distance: editDistance(name, known) }));
  const best = Math.min(...scored.map((s) => s.distance));
  const nearest = scored.filter((s) => s.distance === best);
  return best <= 2 && nearest.length === 1 ? nearest[0]?.known : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
