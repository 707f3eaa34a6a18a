/**
 * The report as ONE offline HTML file: inline CSS, every chart as inline SVG with its Vega-Lite
 * spec beside it in a <script type="application/json"> (to re-open it interactively), no script
 * that runs and nothing fetched from the network. Printing to PDF keeps sections whole (@media print).
 */
import type { ChartEntry, ReportModel, Section } from "./model";
import { formatValue, type Finding } from "../present/report";

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
/** JSON that cannot close its <script> element. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, "\\u003c");
const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, "-");

const CSS = `
:root { --crit: #b71c1c; --warn: #e65100; --info: #1565c0; --muted: #555; --line: #ddd; }
* { box-sizing: border-box; }
body { font: 14px/1.45 "DejaVu Sans", system-ui, sans-serif; color: #111; margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid #333; padding-bottom: 3px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta, .muted { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 12px; }
th, td { border: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; word-break: break-word; }
th { background: #f3f3f3; }
td.node { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, .from { font-family: "DejaVu Sans Mono", monospace; font-size: 11px; }
.sev { font-weight: bold; white-space: nowrap; } .sev-critical { color: var(--crit); } .sev-warning { color: var(--warn); } .sev-info { color: var(--info); }
.counts span { margin-right: 14px; font-weight: bold; }
.finding { border-left: 4px solid var(--line); padding: 4px 10px; margin: 8px 0; break-inside: avoid; }
.finding.critical { border-color: var(--crit); } .finding.warning { border-color: var(--warn); } .finding.info { border-color: var(--info); }
.finding .title { font-weight: bold; } .finding .evidence, .finding .action { margin: 2px 0; }
.chart { margin: 10px 0; break-inside: avoid; overflow-x: auto; } .chart svg { max-width: 100%; height: auto; }
.section { break-inside: auto; } .status { font-size: 12px; padding: 1px 6px; border-radius: 3px; background: #eee; }
.status-failed { background: #fdd; } .status-cannot { background: #eee; color: var(--muted); }
dl.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 2px 16px; margin: 6px 0 10px; font-size: 12px; }
dl.summary div { display: flex; justify-content: space-between; gap: 8px; border-bottom: 1px dotted var(--line); min-width: 0; }
dl.summary dt { color: var(--muted); } dl.summary dd { margin: 0; text-align: right; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
dl.summary div.wide { grid-column: 1 / -1; } dl.summary div.wide dd { text-align: left; font-size: 11px; }
ul.notes { font-size: 12px; color: var(--muted); }
p.window-note { font-size: 12px; font-style: italic; }
nav a { margin-right: 10px; font-size: 12px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  nav { display: none; }
  h2 { break-after: avoid; } .chart, .finding, tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;

function findingHtml(f: Finding): string {
  const who = f.helper ? ` <span class="muted">(${esc(f.helper)}${f.node ? `, ${esc(f.node)}` : ""})</span>` : "";
  return `<div class="finding ${f.severity}" data-finding-id="${esc(f.id)}">
<div class="title"><span class="sev sev-${f.severity}">● ${f.severity}</span> ${esc(f.title)}${who}</div>
<div class="evidence"><b>Evidence:</b> ${esc(f.evidence)}</div>
<div class="action"><b>Action:</b> ${esc(f.action)}</div>
</div>`;
}

function chartHtml(c: ChartEntry): string {
  const id = `chart-${slug(c.helper)}-${slug(c.name)}`;
  if (c.error || !c.svg) return `<div class="chart" id="${id}"><p class="muted">Chart “${esc(c.title)}” ${esc(c.error ?? "was not rendered")}.</p></div>`;
  return `<figure class="chart" id="${id}" data-chart="${esc(c.helper)}/${esc(c.name)}">${c.svg}
<script type="application/json" class="vega-lite-spec" data-chart="${esc(c.helper)}/${esc(c.name)}">${scriptJson(c.spec)}</script></figure>`;
}

function cell(v: unknown): string {
  const num = typeof v === "number";
  return `<td${num ? ' class="num"' : ""}>${esc(formatValue(v))}</td>`;
}

function sectionHtml(s: Section): string {
  const head = `<h2 id="helper-${slug(s.helper)}">${esc(s.helper)} <span class="status status-${s.status.split(" ")[0]}">${esc(s.status)}</span></h2>`;
  if (s.status !== "ran") return `<section class="section" data-helper="${esc(s.helper)}">${head}<p>${esc(s.reason ?? "")}</p></section>`;
  const parts = [head, `<p>${esc(s.title ?? "")}${s.ms !== null ? ` <span class="muted">(${s.ms} ms)</span>` : ""}</p>`];
  if (s.window) parts.push(`<p class="window-note">${esc(s.window)}</p>`);
  const summary = Object.entries(s.summary);
  const item = ([k, v]: [string, unknown]) => {
    const t = formatValue(v);
    return `<div${t.length > 40 ? ' class="wide"' : ""}><dt>${esc(k)}</dt><dd>${esc(t)}</dd></div>`;
  };
  if (summary.length) parts.push(`<dl class="summary">${summary.map(item).join("")}</dl>`);
  for (const c of s.charts) parts.push(chartHtml(c));
  if (s.table) {
    const t = s.table;
    const shown = t.rows.length < t.totalRows ? `first ${t.rows.length} of ${t.totalRows.toLocaleString("en-US")} rows` : `${t.totalRows} rows`;
    parts.push(`<h3>${esc(t.name)} <span class="muted">(${shown})</span></h3>`);
    const head = t.columns.map((c) => `<th>${esc(c)}</th>`).join("");
    const body = t.rows.map((r) => `<tr>${t.columns.map((c) => cell(r[c])).join("")}</tr>`).join("");
    parts.push(`<table class="frame"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`);
    const hidden = t.hiddenColumns;
    if (hidden.length) parts.push(`<p class="muted">${hidden.length} more columns in the helper's frame: ${esc(hidden.join(", "))}</p>`);
  }
  if (s.notes.length) parts.push(`<ul class="notes">${s.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`);
  return `<section class="section" data-helper="${esc(s.helper)}">${parts.join("\n")}</section>`;
}

function coincidencesHtml(rows: Record<string, unknown>[]): string {
  const body = rows
    .map((c) => `<tr><td class="node">${esc(c.node)}</td><td class="node">${esc(c.time)}</td><td>${esc(c.spike)}</td><td>${esc(c.nearby)}</td></tr>`)
    .join("");
  return `<table class="coincidences"><thead><tr><th>node</th><th>time</th><th>spike</th><th>nearby</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** The whole report as one HTML document. */
export function renderHtml(model: ReportModel, tool = "cassperf report"): string {
  const m = model;
  const title = `${tool} — ${m.source.input}`;
  const headline = m.headline
    .map((h) => {
      const value = h.value === null ? '<td class="muted">—</td>' : cell(h.value);
      const rest = `<td class="node">${esc(h.node ?? "")}</td><td>${esc(h.detail ?? "")}</td><td class="from">${esc(h.from ?? "")}</td>`;
      return `<tr data-metric="${esc(h.metric)}"><th>${esc(h.metric)}</th>${value}${rest}</tr>`;
    })
    .join("\n");
  const tl = m.timeline;
  const timeline = tl
    ? `<h2 id="timeline">Timeline${tl.from ? `, zoomed on the incident (${esc(tl.from)} – ${esc(tl.to)})` : ""}</h2>
<p>${esc(tl.why)}</p>
${tl.chart ? chartHtml(tl.chart) : ""}
${tl.coincidences.length ? coincidencesHtml(tl.coincidences) : ""}
${tl.notes.length ? `<ul class="notes">${tl.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : ""}`
    : "";
  const cannot = m.cannotAnswer.length
    ? `<h2 id="cannot-answer">What this source cannot answer</h2><table><thead><tr><th>helper</th><th>why, and what to add</th></tr></thead><tbody>` +
      `${m.cannotAnswer.map((c) => `<tr><th>${esc(c.helper)}</th><td>${esc(c.reason)}</td></tr>`).join("")}</tbody></table>`
    : "";
  const ran = m.sections.filter((s) => s.status === "ran" || s.status === "failed");
  const w = m.window;
  const windowText = w
    ? ` · window ${esc(w.from ?? "start")} – ${esc(w.to ?? "end")} (applies to ${esc(w.appliesTo.join(", "))}; ` +
      "every other section says why it is not narrowed)"
    : "";
  const counts = (["critical", "warning", "info"] as const).map((k) => `<span class="sev-${k}">${m.counts[k]} ${k}</span>`).join("");
  const nav = [
    '<a href="#headline">headline</a><a href="#findings">findings</a>',
    tl ? '<a href="#timeline">timeline</a>' : "",
    ...ran.map((s) => `<a href="#helper-${slug(s.helper)}">${esc(s.helper)}</a>`),
    cannot ? '<a href="#cannot-answer">cannot answer</a>' : "",
  ].join("");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head><body>
<header><h1>${esc(title)}</h1>
<div class="meta">${esc(m.source.description)} · ${(m.source.bytes / 1e6).toFixed(1)} MB read · generated ${esc(m.generatedAt)} by cassperf${windowText}</div>
<p class="counts">${counts}</p>
<nav>${nav}</nav>
</header>
<h2 id="headline">Headline</h2>
<table class="headline"><thead><tr><th>metric</th><th>value</th><th>node</th><th>detail</th><th>from (file:line)</th></tr></thead><tbody>
${headline}
</tbody></table>
<h2 id="findings">Findings, most severe first</h2>
${m.findings.length ? m.findings.map(findingHtml).join("\n") : "<p>No findings.</p>"}
${timeline}
${ran.map(sectionHtml).join("\n")}
${cannot}
${m.notes.length ? `<h2 id="notes">Notes on the input</h2><ul class="notes">${m.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : ""}
</body></html>
`;
}
