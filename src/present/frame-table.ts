/**
 * A frame as a table a person can read: its first and last rows (10 + 5 by default) with a
 * "… N more rows …" marker between them, its row and column counts, and the unit of each column
 * whose name carries one (`pause_ms` → ms, `size_bytes` → bytes). Rendered three ways from one
 * preview: HTML for Jupyter (cell text escaped), Markdown and plain text (fitted to a width) as
 * fallbacks, and plain text for the REPL.
 *
 * Why: a danfojs DataFrame left as a cell's value printed 31 KB of its internals.
 */
import { formatValue } from "./report";
import { naturalWidths, tableLines, truncate } from "./terminal";

/** The rows a preview shows: `head` first rows and `tail` last rows. */
export interface PreviewOptions {
  /** First rows shown. Default 10. */
  head?: number;
  /** Last rows shown. Default 5. */
  tail?: number;
  /** What the table is ("pauses", "DataFrame"), shown in the caption. */
  name?: string;
}

/** A frame cut for display: the shown rows as formatted cells, and how many rows were left out between them. */
export interface FramePreview {
  name: string;
  columns: string[];
  /** Unit of each column ("" when its name carries none). */
  units: string[];
  rowCount: number;
  /** Formatted cells of the first rows. */
  head: string[][];
  /** Formatted cells of the last rows (empty when every row is in `head`). */
  tail: string[][];
  /** Rows between head and tail that are not shown. */
  omitted: number;
  /** Columns whose shown values are all numbers (right-aligned). */
  numeric: boolean[];
}

/**
 * Units a column name ends with, in the field's own spelling. Longest suffix first: `_us` before `_s`.
 * (cassperf's frames name units this way: pause_ms, heap_after_mb, uptime_s, partition_bytes.)
 */
const UNIT_SUFFIXES: [RegExp, string][] = [
  [/_bytes$/i, "bytes"],
  [/_micros$|_us$/i, "µs"],
  [/_nanos$|_ns$/i, "ns"],
  [/_millis$|_ms$/i, "ms"],
  [/_seconds$|_secs?$|_s$/i, "s"],
  [/_kib$|_kb$/i, "KB"],
  [/_mib$|_mb$/i, "MB"],
  [/_gib$|_gb$/i, "GB"],
  [/_pct$|_percent$/i, "%"],
  [/_per_s(ec)?$|_ops$/i, "per s"],
];

/** The unit a column's name carries, or "". @example unitOf("pause_ms") // "ms" */
export function unitOf(column: string): string {
  for (const [re, unit] of UNIT_SUFFIXES) if (re.test(column)) return unit;
  return "";
}

/**
 * Cut a frame for display. `row(i)` gives row i's values in `columns` order; only the shown rows are asked for.
 * @example framePreview(["node", "pause_ms"], 1116, (i) => [nodes[i], ms[i]], { name: "pauses" })
 */
export function framePreview(columns: string[], rowCount: number, row: (i: number) => unknown[], o: PreviewOptions = {}): FramePreview {
  const headN = Math.max(0, o.head ?? 10);
  const tailN = Math.max(0, o.tail ?? 5);
  const format = (i: number) => row(i).map((v) => cellText(v));
  let head: string[][];
  let tail: string[][] = [];
  let omitted = 0;
  if (rowCount <= headN + tailN) head = Array.from({ length: rowCount }, (_, i) => format(i));
  else {
    head = Array.from({ length: headN }, (_, i) => format(i));
    tail = Array.from({ length: tailN }, (_, i) => format(rowCount - tailN + i));
    omitted = rowCount - headN - tailN;
  }
  const shown = [...head, ...tail];
  const numeric = columns.map((_, c) => shown.length > 0 && shown.every((r) => r[c] === "—" || /^-?[\d,]+(\.\d+)?(e[-+]?\d+)?$/.test(r[c])));
  return { name: o.name ?? "frame", columns, units: columns.map(unitOf), rowCount, head, tail, omitted, numeric };
}

/** One cell as text: numbers and dates as {@link formatValue} writes them, objects as JSON, newlines flattened. */
function cellText(v: unknown): string {
  if (typeof v === "string") return v.replace(/\r?\n/g, " ⏎ ");
  return formatValue(v).replace(/\r?\n/g, " ");
}

/** "1,116 rows × 14 columns". */
export function shapeText(p: FramePreview): string {
  const r = p.rowCount.toLocaleString("en-US");
  return `${r} row${p.rowCount === 1 ? "" : "s"} × ${p.columns.length} column${p.columns.length === 1 ? "" : "s"}`;
}

function moreRowsText(n: number): string {
  return `… ${n.toLocaleString("en-US")} more row${n === 1 ? "" : "s"} …`;
}

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** The preview as an HTML table (Jupyter's text/html): caption with name and shape, units under the column names. */
export function previewHtml(p: FramePreview): string {
  const th = p.columns.map(
    (c, i) =>
      `<th style="text-align:${p.numeric[i] ? "right" : "left"};vertical-align:bottom;padding:2px 8px;white-space:nowrap">${escapeHtml(c)}${p.units[i] ? `<br><span style="font-weight:normal;opacity:0.7">(${escapeHtml(p.units[i])})</span>` : ""}</th>`,
  );
  const tr = (cells: string[]) =>
    `<tr>${cells.map((v, i) => `<td style="text-align:${p.numeric[i] ? "right" : "left"};padding:2px 8px;white-space:nowrap">${escapeHtml(v)}</td>`).join("")}</tr>`;
  const body = [...p.head.map(tr)];
  if (p.omitted)
    body.push(
      `<tr><td colspan="${Math.max(1, p.columns.length)}" style="text-align:center;font-style:italic;padding:2px 8px">${escapeHtml(moreRowsText(p.omitted))}</td></tr>`,
    );
  body.push(...p.tail.map(tr));
  return [
    `<div style="overflow-x:auto"><table class="cassperf-frame" style="border-collapse:collapse">`,
    `<caption style="caption-side:top;text-align:left"><b>${escapeHtml(p.name)}</b>: ${escapeHtml(shapeText(p))}</caption>`,
    `<thead><tr>${th.join("")}</tr></thead>`,
    `<tbody>${body.join("")}</tbody>`,
    `</table></div>`,
  ].join("\n");
}

function escapeMdCell(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;");
}

/** The preview as a Markdown table (Jupyter's text/markdown fallback). */
export function previewMarkdown(p: FramePreview): string {
  const header = p.columns.map((c, i) => escapeMdCell(p.units[i] ? `${c} (${p.units[i]})` : c));
  if (!header.length) return `**${escapeMdCell(p.name)}**: ${shapeText(p)}`;
  const lines = [`**${escapeMdCell(p.name)}**: ${shapeText(p)}`, "", `| ${header.join(" | ")} |`, `|${p.numeric.map((n) => (n ? "---:" : "---")).join("|")}|`];
  for (const r of p.head) lines.push(`| ${r.map(escapeMdCell).join(" | ")} |`);
  if (p.omitted) lines.push(`| ${[moreRowsText(p.omitted), ...p.columns.slice(1).map(() => "")].join(" | ")} |`);
  for (const r of p.tail) lines.push(`| ${r.map(escapeMdCell).join(" | ")} |`);
  return lines.join("\n");
}

/** Widest a column gets in a plain table before its values are cut. */
const MAX_COLUMN_WIDTH = 28;

/**
 * The preview as plain text fitted to `width` columns: columns left to right at their natural
 * width while they fit, the others named on a last line.
 */
export function previewPlain(p: FramePreview, width = 100): string[] {
  const out = [`${p.name}: ${shapeText(p)}`];
  if (!p.columns.length) return out;
  const header = p.columns.map((c, i) => (p.units[i] ? `${c} (${p.units[i]})` : c));
  const cells = [...p.head, ...p.tail];
  const natural = naturalWidths(header, cells, MAX_COLUMN_WIDTH);
  let shown = 0;
  let used = 0;
  for (; shown < header.length; shown++) {
    const w = natural[shown] + (shown ? 2 : 0);
    if (used + w > width && shown) break;
    used += w;
  }
  const lines = tableLines(header, cells, natural.slice(0, shown)).map((l) => truncate(l, width));
  const [head, rule, ...body] = lines;
  out.push(head, rule, ...body.slice(0, p.head.length));
  if (p.omitted) out.push(truncate(moreRowsText(p.omitted), width));
  out.push(...body.slice(p.head.length));
  const hidden = p.columns.slice(shown);
  if (hidden.length) out.push(truncate(`(${hidden.length} more column${hidden.length === 1 ? "" : "s"}: ${hidden.join(", ")})`, width));
  return out;
}

/** What danfojs DataFrames and Series look like from outside (duck-typed: dist/ and src/ copies differ). */
export interface DanfoLike {
  columns?: string[];
  values: unknown[];
  index?: unknown[];
  shape: number[];
  name?: string;
}

/** True for a danfojs DataFrame or Series. */
export function danfoKind(v: unknown): "DataFrame" | "Series" | undefined {
  if (v === null || typeof v !== "object") return undefined;
  const name = (v as { constructor?: { name?: string } }).constructor?.name;
  if (name !== "DataFrame" && name !== "Series") return undefined;
  const d = v as DanfoLike;
  return Array.isArray(d.shape) && Array.isArray(d.values) ? name : undefined;
}

/** A preview of a danfojs DataFrame or Series. */
export function danfoPreview(v: DanfoLike, kind: "DataFrame" | "Series", o: PreviewOptions = {}): FramePreview {
  if (kind === "DataFrame") {
    const values = v.values as unknown[][];
    return framePreview(v.columns ?? [], v.shape[0] ?? values.length, (i) => values[i], { name: "DataFrame", ...o });
  }
  const name = v.name && v.name !== "undefined" ? v.name : "value";
  return framePreview(["index", name], v.values.length, (i) => [v.index?.[i] ?? i, v.values[i]], { name: "Series", ...o });
}

/**
 * The Jupyter MIME bundle of a preview: text/html, text/markdown and text/plain.
 * @example frameBundle(danfoPreview(df, "DataFrame"))
 */
export function frameBundle(p: FramePreview, width = 100): Record<string, string> {
  return { "text/html": previewHtml(p), "text/markdown": previewMarkdown(p), "text/plain": previewPlain(p, width).join("\n") };
}
