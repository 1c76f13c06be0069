// What the readers of single documents (native, Ingress) add to while the
// files are merged: pools, rules with their sources, the defaultBackend,
// notes and problems.
import { child, formatLocation, isRecord, type DocLocation, type LocatedProblem } from "./locations";

export interface MergeOptions {
  /** Keep only Ingresses of this class (spec.ingressClassName or the kubernetes.io/ingress.class annotation). */
  readonly ingressClass?: string;
}

/** Where a merged rule came from; `ingress` names its Ingress manifest, if any. */
export interface RuleSource extends DocLocation {
  readonly ingress?: string;
}

export interface MergeState {
  readonly options: MergeOptions;
  readonly pools: Record<string, unknown>;
  readonly rules: unknown[];
  readonly ruleSources: RuleSource[];
  readonly poolSources: Map<string, DocLocation>;
  readonly notes: string[];
  readonly problems: LocatedProblem[];
  /** `namespace/name` of every Ingress read, to refuse the same one twice. */
  readonly ingressNames: Map<string, DocLocation>;
  defaultBackend?: { readonly value: unknown; readonly pool: string; readonly at: DocLocation };
  statusPath?: { readonly value: unknown; readonly at: DocLocation };
}

export function newMergeState(options: MergeOptions): MergeState {
  return { options, pools: {}, rules: [], ruleSources: [], poolSources: new Map(), notes: [], problems: [], ingressNames: new Map() };
}

export function addProblem(state: MergeState, at: DocLocation, message: string): void {
  state.problems.push({ path: formatLocation(at), message, at });
}

export function addNote(state: MergeState, at: DocLocation, text: string): void {
  state.notes.push(`${formatLocation(at)}: ${text}`);
}

export function addRule(state: MergeState, rule: unknown, at: DocLocation, ingress?: string): void {
  state.rules.push(rule);
  state.ruleSources.push(ingress === undefined ? at : { ...at, ingress });
}

export function addPool(state: MergeState, name: string, pool: unknown, at: DocLocation): void {
  const earlier = state.poolSources.get(name);
  if (earlier) {
    addProblem(state, at, `pool ${JSON.stringify(name)} is already defined at ${formatLocation(earlier)}`);
    return;
  }
  state.poolSources.set(name, at);
  state.pools[name] = pool;
}

/** At most one distinct defaultBackend across all documents: two naming the same pool are one. */
export function addDefaultBackend(state: MergeState, backend: unknown, at: DocLocation): void {
  const pool = backendPool(backend);
  const earlier = state.defaultBackend;
  if (earlier === undefined) state.defaultBackend = { value: backend, pool, at };
  else if (earlier.pool !== pool) {
    addProblem(state, at,
      `conflicts with the defaultBackend at ${formatLocation(earlier.at)} (pool ${JSON.stringify(earlier.pool)}): at most one defaultBackend may be set across all documents`);
  }
}

function backendPool(backend: unknown): string {
  if (isRecord(backend)) {
    for (const field of ["service", "resource"]) {
      const ref = backend[field];
      if (isRecord(ref) && typeof ref.name === "string") return ref.name;
    }
  }
  return JSON.stringify(backend) ?? "";
}


/** At most one distinct statusPath across all documents. */
export function addStatusPath(state: MergeState, value: unknown, at: DocLocation): void {
  const earlier = state.statusPath;
  if (earlier === undefined) state.statusPath = { value, at };
  else if (JSON.stringify(earlier.value) !== JSON.stringify(value)) {
    addProblem(state, at, `conflicts with the statusPath at ${formatLocation(earlier.at)} (${JSON.stringify(earlier.value)}): at most one statusPath may be set across all documents`);
  }
}
