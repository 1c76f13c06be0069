// The status page's HTML, rendered from the StatusModel with hono/jsx (which
// escapes every value: origin URLs, probe reasons and paths come from config
// and from origins). No JavaScript: a meta refresh reloads it, and the
// tables scroll sideways on a phone instead of squeezing.
import type { FC } from "hono/jsx";
import type { OriginModel, PoolModel, StatusModel } from "../../core/ops/status-model";

/** Seconds between reloads: the isolate refreshes its view of KV every 30 s by default. */
export const REFRESH_SECONDS = 30;

// A constant, so it is inlined as is (a <style> element is raw text: escaping would break it).
const STYLE = `
:root{color-scheme:light dark;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--dim:#6e7781;--line:#d0d7de}
@media(prefers-color-scheme:dark){:root{--ok:#3fb950;--bad:#f85149;--warn:#d29922;--dim:#8b949e;--line:#30363d}}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;padding:12px;max-width:1100px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:22px 0 6px}h3{font-size:15px;margin:14px 0 4px}
.meta,.note,small{color:var(--dim)}.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;white-space:nowrap}td.n{text-align:right;font-variant-numeric:tabular-nums}code,.u{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
.s{font-weight:600;white-space:nowrap}.up{color:var(--ok)}.down{color:var(--bad)}.unknown,.unchecked{color:var(--dim)}.ej{color:var(--warn);font-weight:600}
.sum span{display:inline-block;margin-right:14px}
@media(max-width:640px){table.o thead{display:none}table.o tr{display:block;padding:6px 0;border-bottom:1px solid var(--line)}
table.o td{display:inline-block;border:0;padding:1px 10px 1px 0;text-align:left}table.o td.u{display:block}
table.o td[data-l]::before{content:attr(data-l) " ";color:var(--dim)}}`;

const time = (iso: string | null | undefined) => (iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "-");

function ago(iso: string, nowIso: string): string {
  const s = Math.max(0, Math.round((Date.parse(nowIso) - Date.parse(iso)) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}

const When: FC<{ iso: string | null | undefined; now: string }> = ({ iso, now }) =>
  iso ? (
    <span title={iso}>
      {time(iso)} <small>({ago(iso, now)})</small>
    </span>
  ) : (
    <span>-</span>
  );

const ms = (v: number | null | undefined) => (v === null || v === undefined ? "-" : `≤${v}`);

function healthDetail(o: OriginModel, now: string): string {
  if (o.state === "unchecked") return "no health check";
  if (o.state === "unknown") return "not probed yet";
  const parts = [`since ${time(o.since)} (${ago(o.since ?? now, now)})`];
  if (o.reason !== undefined) parts.push(o.state === "down" || (o.streak ?? 0) > 0 ? o.reason : `last failure: ${o.reason}`);
  if ((o.streak ?? 0) > 0) parts.push(`${o.streak} ${o.state === "up" ? "failed" : "good"} probe${o.streak === 1 ? "" : "s"} toward ${o.state === "up" ? "down" : "up"}`);
  return parts.join(" · ");
}

// data-l labels the cells when a phone shows each origin as a block instead of a table row.
const OriginRow: FC<{ o: OriginModel; now: string }> = ({ o, now }) => (
  <tr data-origin={o.url}>
    <td class="u">{o.url}</td>
    <td class="n" data-l="weight">
      {o.weight}
    </td>
    <td>
      <span class={`s ${o.state}`}>{o.state}</span> <small title={o.summary}>{healthDetail(o, now)}</small>
    </td>
    <td data-l="ejected*">{o.ejected ? <span class="ej">ejected</span> : "-"}</td>
    <td class="n" data-l="requests*">
      {o.traffic?.requests ?? 0}
    </td>
    <td class="n" data-l="errors*">
      {o.traffic?.errors ?? 0}
    </td>
    <td class="n" data-l="p50 ms*">
      {ms(o.traffic?.p50Ms)}
    </td>
    <td class="n" data-l="p95">
      {ms(o.traffic?.p95Ms)}
    </td>
    <td class="n" data-l="p99">
      {ms(o.traffic?.p99Ms)}
    </td>
  </tr>
);

const Pool: FC<{ p: PoolModel; now: string }> = ({ p, now }) => (
  <section data-pool={p.name}>
    <h3>{p.name}</h3>
    <div class="meta">
      policy {p.policy} · when all down: {p.whenAllDown} ·{" "}
      {p.healthCheck ? `health check ${p.healthCheck.method} ${p.healthCheck.path}, each origin about every ${p.healthCheck.everyMinutes} min` : "no health check"}
    </div>
    <div class="scroll">
      <table class="o">
        <thead>
          <tr>
            <th>origin</th>
            <th>weight</th>
            <th>health</th>
            <th>ejected*</th>
            <th>requests*</th>
            <th>errors*</th>
            <th>p50 ms*</th>
            <th>p95 ms*</th>
            <th>p99 ms*</th>
          </tr>
        </thead>
        <tbody>
          {p.origins.map((o) => (
            <OriginRow o={o} now={now} />
          ))}
        </tbody>
      </table>
    </div>
  </section>
);

export const StatusPage: FC<{ m: StatusModel }> = ({ m }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width,initial-scale=1" />
      <meta http-equiv="refresh" content={String(REFRESH_SECONDS)} />
      <meta name="robots" content="noindex" />
      <title>{`${m.summary.down > 0 ? `${m.summary.down} down · ` : ""}edge-ingress status`}</title>
      <style dangerouslySetInnerHTML={{ __html: STYLE }} />
    </head>
    <body>
      <h1>edge-ingress status</h1>
      <div class="meta">
        {m.config ? (
          <>
            config version <code id="version">{m.config.version}</code>, applied <When iso={m.config.appliedAt} now={m.generatedAt} />, served by this isolate since{" "}
            <When iso={m.config.servingSince} now={m.generatedAt} />
          </>
        ) : (
          <strong class="down">no valid config in KV: apply one with `npx edge-ingress apply`</strong>
        )}
        <br />
        generated {time(m.generatedAt)}, reloads every {REFRESH_SECONDS} s
      </div>
      <p class="sum">
        <span>{m.summary.pools} pools</span>
        <span>{m.summary.origins} origins</span>
        <span class={m.summary.down > 0 ? "s down" : "s up"}>{m.summary.down} down</span>
        <span class={m.summary.ejected > 0 ? "ej" : ""}>{m.summary.ejected} ejected*</span>
      </p>

      <h2>Pools</h2>
      {m.pools.map((p) => (
        <Pool p={p} now={m.generatedAt} />
      ))}
      {m.poolsTotal > m.pools.length ? <p class="note">{`showing ${m.pools.length} of ${m.poolsTotal} pools (those with a down or ejected origin first); the JSON view and \`edge-ingress status\` list them all`}</p> : null}

      <h2>Recent health changes</h2>
      {m.changes.length === 0 ? (
        <p class="note">none recorded</p>
      ) : (
        <div class="scroll">
          <table id="changes">
            <thead>
              <tr>
                <th>when</th>
                <th>pool</th>
                <th>origin</th>
                <th>now</th>
                <th>why</th>
              </tr>
            </thead>
            <tbody>
              {m.changes.map((c) => (
                <tr>
                  <td>
                    <When iso={c.at} now={m.generatedAt} />
                  </td>
                  <td>{c.pool}</td>
                  <td class="u">{c.origin}</td>
                  <td class={`s ${c.to}`}>{c.to}</td>
                  <td>{c.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Passive ejections*</h2>
      {m.ejections.length === 0 ? (
        <p class="note">none in this isolate</p>
      ) : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>when</th>
                <th>pool</th>
                <th>origin</th>
                <th>skipped until</th>
              </tr>
            </thead>
            <tbody>
              {m.ejections.map((e) => (
                <tr>
                  <td>
                    <When iso={e.at} now={m.generatedAt} />
                  </td>
                  <td>{e.pool}</td>
                  <td class="u">{e.origin}</td>
                  <td>{time(e.until)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Routes</h2>
      <div class="scroll">
        <table id="routes">
          <thead>
            <tr>
              <th>host</th>
              <th>path</th>
              <th>rule</th>
              <th>pool</th>
            </tr>
          </thead>
          <tbody>
            {m.routes.map((r) => (
              <tr>
                <td>{r.host}</td>
                <td>
                  <code>{r.path}</code> <small>{r.pathType}</small>
                </td>
                <td>
                  <small>{r.rule}</small>
                </td>
                <td>{r.pool}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {m.routesTotal > m.routes.length ? <p class="note">{`showing ${m.routes.length} of ${m.routesTotal} routes; \`edge-ingress explain\` answers for any host and path`}</p> : null}

      <p class="note">
        * {m.isolate.note} This isolate started <When iso={m.isolate.startedAt} now={m.generatedAt} /> and has answered {m.isolate.requests} requests
        {Object.keys(m.isolate.routerErrors).length > 0
          ? `; router answers: ${Object.entries(m.isolate.routerErrors)
              .map(([code, n]) => `${code} ${n}`)
              .join(", ")}`
          : ""}
        . Latency columns are upper bounds of histogram buckets. The same data as JSON: send <code>Accept: application/json</code>.
      </p>
    </body>
  </html>
);
