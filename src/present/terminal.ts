/**
 * Terminal rendering of a report: summary, findings coloured by severity, a preview of the main
 * frame as a table, and notes. Everything fits the requested width (default 100 columns).
 * Colours only when asked (the REPL and `cassperf report` ask when colorEnabled(stdout) says so;
 * Jupyter's text/plain does not), through ./color.ts. Widths are terminal columns (string-width):
 * a CJK table name or an emoji takes two, so columns stay aligned.
 * It reads a report through ./format.ts ReportView, so it does not import ./report.ts (which imports it).
 */
import { displayWidth, padEndColumns, padStartColumns, paint as paintStyle, sliceToWidth, type Style } from "./color";
import { columnsToRows, formatValue, type ReportView, type Severity } from "./format";

export interface TextOptions {
  /** Maximum line width in columns. Default 100. */
  width?: number;
  /** Use ANSI colours. Default false. */
  color?: boolean;
  /** Rows of the preview frame to show. Default 10; 0 hides the table. */
  rows?: number;
}

/** The style of each severity and of secondary text. */
const STYLES: Record<Severity | "dim" | "bold", Style> = { critical: "red", warning: "yellow", info: "cyan", dim: "dim", bold: "bold" };

/** Columns a string takes in a terminal (colour escapes excluded; CJK and emoji count 2). */
export function visibleWidth(s: string): number {
  return displayWidth(s);
}

/** Cut a plain string to `width` columns, ending with an ellipsis when cut (never splitting a wide character). */
export function truncate(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  return sliceToWidth(s, Math.max(0, width - 1)) + "…";
}

/** Wrap plain text to `width` columns, indenting continuation lines by `indent` spaces. */
export function wrap(text: string, width: number, indent = 0): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = "";
  const len = displayWidth;
  for (const word of words) {
    const avail = width - (lines.length ? indent : 0);
    if (line && len(line) + 1 + len(word) <= avail) {
      line += " " + word;
      continue;
    }
    if (line) lines.push(line);
    const nextAvail = width - (lines.length ? indent : 0);
    line = len(word) > nextAvail ? truncate(word, nextAvail) : word;
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i ? " ".repeat(indent) + l : l));
}

/** Each row's values in `columns` order, formatted for a table ({@link formatValue}). */
export function tableCells(rows: Record<string, unknown>[], columns: string[]): string[][] {
  return rows.map((r) => columns.map((c) => formatValue(r[c])));
}

/** Each column's natural width: its widest value or its name, capped at `cap` so one long value cannot take the whole line. */
export function naturalWidths(columns: string[], cells: string[][], cap: number): number[] {
  return columns.map((c, i) => Math.min(cap, Math.max(displayWidth(c), ...cells.map((row) => displayWidth(row[i])))));
}

/**
 * The header, the rule and one line per row of a table showing the first `widths.length` columns at
 * those widths: values are cut to fit, numeric columns right-aligned, the others left-aligned.
 */
export function tableLines(columns: string[], cells: string[][], widths: number[]): string[] {
  const shown = widths.length;
  const isNum = widths.map((_, i) => cells.every((row) => row[i] === "—" || /^-?[\d,]+(\.\d+)?$/.test(row[i])));
  const fmt = (vals: string[]) =>
    vals
      .slice(0, shown)
      .map((v, i) => {
        const t = truncate(v, widths[i]);
        return isNum[i] ? padStartColumns(t, widths[i]) : padEndColumns(t, widths[i]);
      })
      .join("  ")
      .trimEnd();
  return [fmt(columns), fmt(widths.map((w) => "─".repeat(w))), ...cells.map(fmt)];
}

/** Rows `start` to `end` (exclusive) of a report's frame, converting only those rows. */
export function frameRows(report: ReportView, frame: string, start: number, end: number): Record<string, unknown>[] {
  const columns = report.columns(frame);
  const sliced: Record<string, unknown[]> = {};
  for (const [name, values] of Object.entries(columns)) sliced[name] = values.slice(start, end);
  return columnsToRows(sliced);
}

/** Render rows as a fixed-width table that fits `width` columns (wide columns are cut). */
export function renderTable(rows: Record<string, unknown>[], columns: string[], width = 100): string[] {
  if (!columns.length) return [];
  const cells = tableCells(rows, columns);
  const natural = naturalWidths(columns, cells, 40);
  const total = (ws: number[], n: number) => ws.slice(0, n).reduce((a, b) => a + b, 0) + 2 * (n - 1);
  let widths = natural;
  let shown = columns.length;
  if (total(widths, shown) > width) {
    // Cap every column at 16 (still readable); then show as many columns from the left as fit.
    widths = natural.map((w) => Math.min(w, 16));
    while (shown > 1 && total(widths, shown) > width) shown--;
    // Give the room left over back to the shown columns that were cut.
    let spare = width - total(widths, shown);
    for (let i = 0; i < shown && spare > 0; i++) {
      const extra = Math.min(spare, natural[i] - widths[i]);
      widths[i] += extra;
      spare -= extra;
    }
    if (total(widths, shown) > width) widths[0] = Math.max(4, widths[0] - (total(widths, shown) - width));
  }
  const out = tableLines(columns, cells, widths.slice(0, shown));
  if (shown < columns.length) out.push(`(${columns.length - shown} more columns: ${truncate(columns.slice(shown).join(", "), width - 20)})`);
  return out;
}

/** The whole report as terminal text. */
export function renderReportText(report: ReportView, options: TextOptions = {}): string {
  const width = options.width ?? 100;
  const color = options.color ?? false;
  const paint = (k: keyof typeof STYLES, s: string) => paintStyle(STYLES[k], s, color);
  const out: string[] = [];
  out.push(paint("bold", truncate(`${report.helper} — ${report.title}`, width)));
  if (report.source) out.push(paint("dim", truncate(report.source, width)));
  const entries = Object.entries(report.summary).filter(([, v]) => v !== undefined && (typeof v !== "object" || v === null || Array.isArray(v)));
  if (entries.length) {
    out.push("");
    const keyWidth = Math.min(28, Math.max(...entries.map(([k]) => displayWidth(k))));
    for (const [k, v] of entries) out.push(truncate(`${padEndColumns(truncate(k, keyWidth), keyWidth)}  ${formatValue(v)}`, width));
  }
  out.push("");
  if (report.findings.length === 0) out.push("No findings.");
  for (const f of report.findings) {
    const tag = `[${f.severity}]`;
    const head = wrap(`${tag} ${f.title}`, width, 2);
    out.push(paint(f.severity, head[0]), ...head.slice(1).map((l) => paint(f.severity, l)));
    for (const l of wrap(`evidence: ${f.evidence}`, width - 2, 2)) out.push("  " + l);
    for (const l of wrap(`action: ${f.action}`, width - 2, 2)) out.push("  " + l);
  }
  const rowsWanted = options.rows ?? 10;
  const preview = report.previewFrame ?? report.frameNames[0];
  if (rowsWanted > 0 && preview !== undefined) {
    const n = report.count(preview);
    if (n > 0) {
      out.push("", paint("dim", `${preview}: ${n.toLocaleString("en-US")} rows${n > rowsWanted ? ` (first ${rowsWanted})` : ""}`));
      const cols = Object.keys(report.columns(preview));
      out.push(...renderTable(frameRows(report, preview, 0, rowsWanted), cols, width));
    }
  }
  for (const note of report.notes) for (const l of wrap(`note: ${note}`, width, 2)) out.push(paint("dim", l));
  if (report.chartNames.length) out.push(paint("dim", truncate(`charts: ${report.chartNames.join(", ")}  (report.chart(name).toPNG())`, width)));
  return out.join("\n");
}
