/**
 * The report as Markdown for a ticket: headline, findings, timeline and sections as tables, each
 * chart a PNG in a folder beside the .md file, linked by a relative path (attach both).
 */
import type { ChartEntry, ReportModel, Section } from "./model";
import * as fs from "node:fs";
import { formatValue, SEVERITY_ICON } from "../present/report";

const md = (s: unknown): string =>
  String(s ?? "")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, " ");
const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, "-");

/** The file name (inside the charts folder) of a chart's PNG. */
export function chartFileName(c: ChartEntry): string {
  return `${slug(c.helper)}-${slug(c.name)}.png`;
}

function chartMd(c: ChartEntry, folder: string): string {
  if (c.error || !c.svg) return `_Chart “${md(c.title)}” ${md(c.error ?? "was not rendered")}._`;
  // The PNG has 2× pixels (pngs() below): drawn at the SVG's 1× width, as the kernel's width metadata does.
  const width = /<svg\b[^>]*?\swidth="([\d.]+)"/.exec(c.svg)?.[1];
  const src = encodeURI(`${folder}/${chartFileName(c)}`);
  if (!width) return `![${md(c.title)}](${src})`;
  return `<img src="${src}" width="${Math.round(Number(width))}" alt="${md(c.title).replace(/"/g, "&quot;")}">`;
}

function table(columns: string[], rows: unknown[][]): string[] {
  const line = (r: unknown[]) => `| ${r.map((v) => md(formatValue(v))).join(" | ")} |`;
  return [`| ${columns.map(md).join(" | ")} |`, `|${columns.map(() => "---").join("|")}|`, ...rows.map(line)];
}

function sectionMd(s: Section, folder: string): string[] {
  const out = [`## ${s.helper}`, "", md(s.title ?? ""), ""];
  if (s.window) out.push(`_${md(s.window)}_`, "");
  const summary = Object.entries(s.summary);
  if (summary.length)
    out.push(
      ...table(
        ["", ""],
        summary.map(([k, v]) => [k, v]),
      ),
      "",
    );
  for (const c of s.charts) out.push(chartMd(c, folder), "");
  if (s.table) {
    const t = s.table;
    out.push(`**${md(t.name)}** (${t.rows.length < t.totalRows ? `first ${t.rows.length} of ${t.totalRows} rows` : `${t.totalRows} rows`})`, "");
    out.push(
      ...table(
        t.columns,
        t.rows.map((r) => t.columns.map((c) => r[c])),
      ),
      "",
    );
    if (t.hiddenColumns.length) out.push(`_${t.hiddenColumns.length} more columns: ${md(t.hiddenColumns.join(", "))}_`, "");
  }
  for (const n of s.notes) out.push(`> ${md(n)}`);
  if (s.notes.length) out.push("");
  return out;
}

/**
 * The Markdown text; charts are linked as `<folder>/<helper>-<chart>.png` (write them with {@link chartFileName}).
 * @example renderMarkdown(model, "incident_charts")
 */
export function renderMarkdown(model: ReportModel, folder: string, tool = "cassperf report"): string {
  const m = model;
  const meta = `${md(m.source.description)} · ${(m.source.bytes / 1e6).toFixed(1)} MB read · generated ${m.generatedAt} by cassperf`;
  const out: string[] = [`# ${tool} — ${md(m.source.input)}`, "", meta, ""];
  const w = m.window;
  const shownWhole = "every other section says why it is not narrowed";
  if (w) out.push(`Window ${w.from ?? "start"} – ${w.to ?? "end"} (applies to ${w.appliesTo.join(", ")}; ${shownWhole}).`, "");
  out.push(`**${m.counts.critical} critical, ${m.counts.warning} warning, ${m.counts.info} info**`, "", "## Headline", "");
  const headRows = m.headline.map((h) => [h.metric, h.value, h.node, h.detail, h.from === null ? null : `\`${h.from}\``]);
  out.push(...table(["metric", "value", "node", "detail", "from (file:line)"], headRows), "");
  out.push("## Findings, most severe first", "");
  if (!m.findings.length) out.push("No findings.", "");
  for (const f of m.findings) {
    out.push(`- ${SEVERITY_ICON[f.severity]} **${f.severity}** ${md(f.title)}${f.helper ? ` _(${f.helper}${f.node ? `, ${f.node}` : ""})_` : ""}`);
    out.push(`  - evidence: ${md(f.evidence)}`, `  - action: ${md(f.action)}`);
  }
  out.push("");
  const tl = m.timeline;
  if (tl) {
    out.push(`## Timeline${tl.from ? `, zoomed on the incident (${tl.from} – ${tl.to})` : ""}`, "", md(tl.why), "");
    if (tl.chart) out.push(chartMd(tl.chart, folder), "");
    if (tl.coincidences.length)
      out.push(
        ...table(
          ["node", "time", "spike", "nearby"],
          tl.coincidences.map((c) => [c.node, c.time, c.spike, c.nearby]),
        ),
        "",
      );
  }
  for (const s of m.sections.filter((x) => x.status === "ran" || x.status === "failed")) {
    if (s.status === "failed") out.push(`## ${s.helper}`, "", `Failed: ${md(s.reason)}`, "");
    else out.push(...sectionMd(s, folder));
  }
  if (m.cannotAnswer.length) {
    out.push(
      "## What this source cannot answer",
      "",
      ...table(
        ["helper", "why, and what to add"],
        m.cannotAnswer.map((c) => [c.helper, c.reason]),
      ),
      "",
    );
  }
  if (m.notes.length) out.push("## Notes on the input", "", ...m.notes.map((n) => `- ${md(n)}`), "");
  return out.join("\n");
}

/** Every rendered chart as PNG bytes by file name (resvg, the font charts.ts uses). */
export async function pngs(charts: ChartEntry[], signal?: AbortSignal): Promise<Record<string, Buffer>> {
  const { Resvg } = require("@resvg/resvg-js") as typeof import("@resvg/resvg-js");
  const { FONT_FILES } = require("../present/chart") as typeof import("../present/chart");
  const fontFiles = FONT_FILES.filter((f) => fs.existsSync(f));
  const out: Record<string, Buffer> = {};
  for (const c of charts) {
    signal?.throwIfAborted();
    if (!c.svg || c.error) continue;
    const font = { fontFiles, loadSystemFonts: fontFiles.length === 0, defaultFontFamily: "DejaVu Sans" };
    const resvg = new Resvg(c.svg, { fitTo: { mode: "zoom", value: 2 }, font, background: "white" });
    out[chartFileName(c)] = Buffer.from(resvg.render().asPng());
  }
  return out;
}
