// The part of the diff about Ingress manifests: added, removed, and every
// annotation or tls change of one. Annotations are part of the config version,
// so a change of one alone is a change apply shows and writes.
import type { IngressRecord, IngressTls } from "../core/config/types";
import { got } from "../core/config/messages";

export function diffIngresses(before: readonly IngressRecord[], after: readonly IngressRecord[]): string[] {
  const lines: string[] = [];
  const old = new Map(before.map((i) => [ingressKey(i), i]));
  const keys = new Set(after.map(ingressKey));
  for (const ingress of after) {
    const key = ingressKey(ingress);
    const was = old.get(key);
    if (!was) lines.push(`+ Ingress ${key}${describeExtras(ingress)}`);
    else for (const change of ingressChanges(was, ingress)) lines.push(`~ Ingress ${key}: ${change}`);
  }
  for (const [key] of old) if (!keys.has(key)) lines.push(`- Ingress ${key}`);
  return lines;
}

function ingressKey(ingress: IngressRecord): string {
  return ingress.namespace === undefined ? ingress.name : `${ingress.namespace}/${ingress.name}`;
}

function ingressChanges(was: IngressRecord, now: IngressRecord): string[] {
  const changes: string[] = [];
  const before = was.annotations ?? {};
  const after = now.annotations ?? {};
  for (const [key, value] of Object.entries(after)) {
    const old = before[key];
    if (old === undefined) changes.push(`+ annotation ${key} ${got(value)}`);
    else if (old !== value) changes.push(`annotation ${key} ${got(old)} -> ${got(value)}`);
  }
  for (const key of Object.keys(before)) if (!(key in after)) changes.push(`- annotation ${key}`);
  if (JSON.stringify(was.tls ?? []) !== JSON.stringify(now.tls ?? [])) {
    const [from, to] = [describeTls(was.tls), describeTls(now.tls)];
    changes.push(from === to ? "tls changed" : `tls ${from} -> ${to}`);
  }
  return changes;
}

function describeExtras(ingress: IngressRecord): string {
  const parts = [
    ...(ingress.annotations ? [`annotations: ${Object.keys(ingress.annotations).join(", ")}`] : []),
    ...(ingress.tls ? [`tls: ${describeTls(ingress.tls)}`] : []),
  ];
  return parts.length === 0 ? "" : ` (${parts.join("; ")})`;
}

function describeTls(tls: readonly IngressTls[] | undefined): string {
  if (!tls || tls.length === 0) return "none";
  return tls.flatMap((t) => t.hosts ?? []).join(", ") || "no hosts";
}
