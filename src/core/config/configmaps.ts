// Kubernetes ConfigMaps (apiVersion v1) in the config files: read for what
// ingress-nginx reads from them, the controller's settings
// (controller-configmap.ts) and the headers those settings and the
// custom-headers annotation name (configmap-headers.ts). A ConfigMap is
// known by namespace/name, the namespace "default" when it names none (as
// kubectl applies it). One that nothing reads is named in a note, so a
// misspelt reference never leaves a ConfigMap unused without a word.
import * as v from "valibot";
import { child, formatLocation, isRecord, splitPath, type DocLocation } from "./locations";
import { got, issuesToProblems } from "./messages";
import { addNote, addProblem, type MergeState } from "./merge-state";

/** The name an ingress-nginx install gives the controller's ConfigMap (its Helm chart and static manifests). */
export const CONTROLLER_CONFIGMAP = "ingress-nginx-controller";

export interface ConfigMapEntry {
  readonly namespace: string;
  readonly name: string;
  readonly data: Readonly<Record<string, string>>;
  /** The manifest, with `object` naming it. */
  readonly at: DocLocation;
  /** What reads it, once something does. */
  usedBy?: string;
}

const text = (what: string) => v.string((i) => `must be ${what}, got ${got(i.input)}`);

// `kubectl get -o yaml` output carries uid, resourceVersion, managedFields and more: metadata is read loosely.
const envelope = v.strictObject(
  {
    apiVersion: v.literal("v1", (i) => `must be v1 for kind ConfigMap, got ${got(i.input)}`),
    kind: v.literal("ConfigMap"),
    metadata: v.looseObject(
      { name: text("a string"), namespace: v.optional(text("a string")) },
      (i) => (i.input === undefined ? "is required" : `must be a mapping with "name", got ${got(i.input)}`),
    ),
    // kubectl refuses non-string values too.
    data: v.optional(v.record(v.string(), text("a string (quote it: ConfigMap values are strings)"), (i) => `must be a map of keys to strings, got ${got(i.input)}`)),
    binaryData: v.optional(v.unknown()),
    immutable: v.optional(v.boolean((i) => `must be true or false, got ${got(i.input)}`)),
  },
  "is required",
);

export function readConfigMap(value: Record<string, unknown>, docAt: DocLocation, state: MergeState): void {
  const parsed = v.safeParse(envelope, value, { abortEarly: false });
  if (!parsed.success) {
    for (const p of issuesToProblems(parsed.issues)) addProblem(state, child(docAt, ...splitPath(p.path)), p.message);
    return;
  }
  const { metadata, data = {} } = parsed.output;
  const namespace = metadata.namespace ?? "default";
  const key = `${namespace}/${metadata.name}`;
  const at: DocLocation = { ...docAt, object: `ConfigMap ${key}` };
  if (parsed.output.binaryData !== undefined) addNote(state, child(at, "binaryData"), "not read: ingress-nginx reads text settings and headers from data");
  const configMaps = (state.configMaps ??= new Map());
  const earlier = configMaps.get(key);
  if (earlier) {
    addProblem(state, child(at, "metadata", "name"), `a ConfigMap of this name and namespace is already defined at ${formatLocation(earlier.at)} (kubectl would keep only the last one)`);
    return;
  }
  configMaps.set(key, { namespace, name: metadata.name, data, at });
}

/**
 * The ConfigMap a setting names ("namespace/name", or "name" in
 * `namespace`), marked as read by `user`; undefined, with a problem at
 * `at`, when no file defines it.
 */
export function takeConfigMap(state: MergeState, ref: string, namespace: string, user: string, at: DocLocation): ConfigMapEntry | undefined {
  const parts = ref.trim().split("/");
  const key = parts.length === 1 ? `${namespace}/${parts[0]}` : ref.trim();
  if (parts.length > 2 || parts.some((p) => !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(p))) {
    addProblem(state, at, `must name a ConfigMap as "namespace/name" (or "name" in ${JSON.stringify(namespace)}), got ${got(ref)}`);
    return undefined;
  }
  const entry = state.configMaps?.get(key);
  if (!entry) {
    const known = [...(state.configMaps?.keys() ?? [])].join(", ") || "none";
    addProblem(state, at, `names ConfigMap ${JSON.stringify(key)}, which no config file defines (ConfigMaps: ${known}): its headers would be missing`);
    return undefined;
  }
  entry.usedBy ??= user;
  return entry;
}

/** Every ConfigMap nothing read, named in a note. */
export function noteUnusedConfigMaps(state: MergeState): void {
  for (const entry of state.configMaps?.values() ?? []) {
    if (entry.usedBy !== undefined) continue;
    addNote(state, entry.at,
      `not read: no setting or annotation names it (edge-ingress reads the controller's settings from a ConfigMap named ${JSON.stringify(CONTROLLER_CONFIGMAP)}, and the ConfigMaps its proxy-set-headers and add-headers and the custom-headers annotation name)`);
  }
}
