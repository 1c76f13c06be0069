// The status page's HTML, rendered from the StatusModel with hono/html's
// template tag (which escapes every interpolated value, in text and in
// attributes: origin URLs, probe reasons and paths come from config and from
// origins; a template's own result is inserted as is). It replaced hono/jsx,
// whose runtime cost the bundle about 4 KiB gzipped for the same page. No
// JavaScript: a meta refresh reloads it; wide tables scroll in their own box,
// and on a phone each origin becomes a block.
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { OriginModel, PoolModel, StatusModel } from "../../core/ops/status-model";

/** Seconds between reloads: the isolate refreshes its view of KV every 30 s by default. */
export const REFRESH_SECONDS = 30;

// Inserted with raw(): a <style> element is raw text, escaping would break it.
const STYLE = `:root{color-scheme:light dark;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--dim:#6e7781;--line:#d0d7de}
@media(prefers-color-scheme:dark){:root{--ok:#3fb950;--bad:#f85149;--warn:#d29922;--dim:#8b949e;--line:#30363d}}
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;padding:12px;max-width:1100px}h1{font-size:20px;margin:0}h2{font-size:16px;margin:22px 0 6px}h3{font-size:15px;margin:14px 0 4px}
.m,small{color:var(--dim)}.x{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}th{white-space:nowrap}
code,.u{font:12px ui-monospace,monospace;word-break:break-all}.s{font-weight:600}.up{color:var(--ok)}.down{color:var(--bad)}.unknown,.unchecked{color:var(--dim)}.ej{color:var(--warn);font-weight:600}
@media(max-width:640px){.o thead{display:none}.o tr{display:block;padding:6px 0;border-bottom:1px solid var(--line)}
.o td{display:inline-block;border:0;padding:1px 10px 1px 0}.o td:first-child{display:block}.o td[data-l]::before{content:attr(data-l) " ";color:var(--dim)}}`;

const time = (iso: string | null | undefined) => (iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "-");

function ago(iso: string, now: string): string {
  const s = Math.max(0, Math.round((Date.parse(now) - Date.parse(iso)) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  return s < 172_800 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86_400)} days ago`;
}

/** Markup made by html`...`: inserted into another template as is. */
type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;
/** What a template inserts: text (escaped), a number, markup, or nothing (null). */
type Child = string | number | Markup | null;

/** ` name="value"`, or nothing when the value is undefined. */
const attr = (name: "id" | "class" | "data-origin", value: string | undefined) => (value === undefined ? "" : html` ${raw(name)}="${value}"`);

const when = (iso: string | null | undefined, now: string) => html`<span title="${iso ?? ""}">${time(iso)} ${iso ? html`<small>(${ago(iso, now)})</small>` : null}</span>`;

/** A cell: text or markup, with an optional label shown before it on phones. */
type Cell = Child | { readonly v: Child; readonly l: string };

function table(t: { head: readonly string[]; rows: readonly (readonly Cell[])[]; id?: string; cls?: string; keys?: readonly string[] }): Markup {
  const cell = (c: Cell) => (typeof c === "object" && c !== null && "l" in c ? html`<td data-l="${c.l}">${c.v}</td>` : html`<td>${c}</td>`);
  return html`<div class="x"><table${attr("id", t.id)}${attr("class", t.cls)}><thead><tr>${t.head.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${t.rows.map(
    (row, i) => html`<tr${attr("data-origin", t.keys?.[i])}>${row.map(cell)}</tr>`,
  )}</tbody></table></div>`;
}

function healthDetail(o: OriginModel, now: string): string {
  if (o.state === "unchecked") return "no health check";
  if (o.state === "unknown") return "not probed yet";
  const streak = o.streak ?? 0;
  const parts = [`since ${time(o.since)} (${ago(o.since ?? now, now)})`];
  if (o.reason !== undefined) parts.push(o.state === "down" || streak > 0 ? o.reason : `last failure: ${o.reason}`);
  if (streak > 0) parts.push(`${streak} ${o.state === "up" ? "failed" : "good"} probe${streak === 1 ? "" : "s"} toward ${o.state === "up" ? "down" : "up"}`);
  return parts.join(" · ");
}

const ms = (v: number | null | undefined) => (v === null || v === undefined ? "-" : `≤${v}`);

function pool(p: PoolModel, now: string): Markup {
  const check = p.healthCheck ? `health check ${p.healthCheck.method} ${p.healthCheck.path}, each origin about every ${p.healthCheck.everyMinutes} min` : "no health check";
  return html`<section data-pool="${p.name}"><h3>${p.name}</h3><div class="m">policy ${p.policy} · when all down: ${p.whenAllDown} · ${check}</div>${table({
    cls: "o",
    head: ["origin", "weight", "health", "ejected*", "requests*", "errors*", "p50 ms*", "p95", "p99"],
    keys: p.origins.map((o) => o.url),
    rows: p.origins.map((o) => [
      html`<span class="u">${o.url}</span>`,
      { l: "weight", v: o.weight },
      html`<span class="${`s ${o.state}`}">${o.state}</span> <small title="${o.summary}">${healthDetail(o, now)}</small>`,
      { l: "ejected*", v: o.ejected ? html`<span class="ej">ejected</span>` : "-" },
      { l: "requests*", v: o.traffic?.requests ?? 0 },
      { l: "errors*", v: o.traffic?.errors ?? 0 },
      { l: "p50 ms*", v: ms(o.traffic?.p50Ms) },
      { l: "p95", v: ms(o.traffic?.p95Ms) },
      { l: "p99", v: ms(o.traffic?.p99Ms) },
    ]),
  })}</section>`;
}

/** The whole page, without its doctype. */
export function statusPage(m: StatusModel): Markup {
  const now = m.generatedAt;
  const errors = Object.entries(m.isolate.routerErrors).map(([code, n]) => `${code} ${n}`);
  const config = m.config
    ? html`config version <code id="version">${m.config.version}</code>, applied ${when(m.config.appliedAt, now)}, served by this isolate since ${when(m.config.servingSince, now)}`
    : html`<strong class="down">no valid config in KV: apply one with \`npx edge-ingress apply\`</strong>`;
  const changes =
    m.changes.length === 0
      ? html`<p class="m">none recorded</p>`
      : table({
          id: "changes",
          head: ["when", "pool", "origin", "now", "why"],
          rows: m.changes.map((c) => [when(c.at, now), c.pool, html`<span class="u">${c.origin}</span>`, html`<span class="${`s ${c.to}`}">${c.to}</span>`, c.reason]),
        });
  const ejections =
    m.ejections.length === 0
      ? html`<p class="m">none in this isolate</p>`
      : table({ head: ["when", "pool", "origin", "skipped until"], rows: m.ejections.map((e) => [when(e.at, now), e.pool, html`<span class="u">${e.origin}</span>`, time(e.until)]) });
  const routes = table({
    id: "routes",
    head: ["host", "path", "rule", "pool"],
    rows: m.routes.map((r) => [r.host, html`<code>${r.path}</code> <small>${r.pathType}</small>`, html`<small>${r.rule}</small>`, r.pool]),
  });
  return html`<html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width,initial-scale=1"/><meta http-equiv="refresh" content="${String(REFRESH_SECONDS)}"/><meta name="robots" content="noindex"/><title>${`${m.summary.down > 0 ? `${m.summary.down} down · ` : ""}edge-ingress status`}</title><style>${raw(STYLE)}</style></head><body><h1>edge-ingress status</h1><p class="m">${config}<br/>generated ${time(now)}, reloads every ${REFRESH_SECONDS} s</p><p>${m.summary.pools} pools · ${m.summary.origins} origins · <span class="${m.summary.down > 0 ? "s down" : "s up"}">${m.summary.down} down</span> · <span class="${m.summary.ejected > 0 ? "ej" : ""}">${m.summary.ejected} ejected*</span></p><h2>Pools</h2>${m.pools.map((p) => pool(p, now))}${
    m.poolsTotal > m.pools.length ? html`<p class="m">${`showing ${m.pools.length} of ${m.poolsTotal} pools, those with a down or ejected origin first; \`edge-ingress status\` lists them all`}</p>` : null
  }<h2>Recent health changes</h2>${changes}<h2>Passive ejections*</h2>${ejections}<h2>Routes</h2>${routes}${
    m.routesTotal > m.routes.length ? html`<p class="m">${`showing ${m.routes.length} of ${m.routesTotal} routes; \`edge-ingress explain\` answers for any host and path`}</p>` : null
  }<p class="m">* ${m.isolate.note} This isolate started ${when(m.isolate.startedAt, now)} and has answered ${m.isolate.requests} requests${
    errors.length > 0 ? `; router answers: ${errors.join(", ")}` : ""
  }. Latencies are upper bounds of histogram buckets. The same as JSON: send <code>Accept: application/json</code>.</p></body></html>`;
}
