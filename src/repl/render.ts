/**
 * What the REPL prints for a value, a report, or an error — as lines of (ANSI-coloured) text.
 *
 * A report shows its summary, findings coloured by severity and a preview of its main frame
 * (report.toText), then its first chart drawn in the terminal (./chart-text.ts). Long frames are
 * paged with `:table`. An error is one readable line plus a hint; the stack waits for `:trace`.
 */
import * as util from "node:util";
import { paint, stripColor } from "../present/color";
import type { Report } from "../present/report";
import { frameRows, naturalWidths, tableCells, tableLines, truncate } from "../present/terminal";
import { isCassperfError } from "../errors";
import { chartToText } from "./chart-text";
import { danfoKind, danfoPreview, previewPlain, type DanfoLike } from "../present/frame-table";

export interface RenderOptions {
  width: number;
  color: boolean;
  /** Rows of a frame per page. */
  pageRows: number;
}

/** `s` in red when `color` is on. */
export function red(s: string, color: boolean): string {
  return paint("red", s, color);
}

/** `s` dimmed when `color` is on. */
export function dim(s: string, color: boolean): string {
  return paint("dim", s, color);
}

/** Duck-typed: a report from this or another copy of the package (dist/ vs src/ in tests). */
export function isReport(v: unknown): v is Report<string> {
  const r = v as Report<string> | null;
  return (
    !!r &&
    typeof r === "object" &&
    typeof r.toText === "function" &&
    typeof r.chart === "function" &&
    Array.isArray(r.frameNames) &&
    Array.isArray(r.chartNames)
  );
}

/** A report: text rendering, its main frame's first rows, paging hint, and its default chart in blocks. */
export function renderReport(report: Report<string>, o: RenderOptions): string[] {
  const previewRows = Math.min(10, o.pageRows);
  // The report's own text without its table: the REPL draws tables that keep whole columns.
  const text = report.toText({ width: o.width, color: o.color, rows: 0 }).split("\n");
  const notesAt = text.findIndex((l) => /^(note: |charts: )/.test(stripColor(l)));
  const out = notesAt < 0 ? text : text.slice(0, notesAt);
  const preview: string | undefined = report.previewFrame ?? report.frameNames[0];
  if (preview !== undefined && report.count(preview) > 0) {
    const n = report.count(preview);
    out.push("", dim(`${preview}: ${n.toLocaleString("en-US")} rows${n > previewRows ? ` (first ${previewRows})` : ""}`, o.color));
    out.push(...fitTable(frameRows(report, preview, 0, previewRows), Object.keys(report.columns(preview)), o.width));
  }
  if (notesAt >= 0) out.push(...text.slice(notesAt).filter((l) => !/^charts: /.test(stripColor(l))));
  const hints: string[] = [];
  for (const f of report.frameNames) {
    const n = report.count(f);
    if (n > previewRows) hints.push(`:table ${f} pages through its ${n.toLocaleString("en-US")} rows`);
  }
  if (report.chartNames.length) {
    const name = report.chartNames[0];
    try {
      out.push("", ...chartToText(name, report.chart(name).spec, { width: o.width, color: o.color }));
    } catch (e) {
      out.push("", `chart ${name}: could not be drawn in the terminal (${(e as Error).message})`);
    }
    hints.push(`:save ${name} ${name}.png writes it as an image`);
    if (report.chartNames.length > 1) hints.push(`:chart <name> draws another (${report.chartNames.join(", ")})`);
  }
  if (hints.length) out.push(dim(hints.join(" · "), o.color));
  return out;
}

/** One page of a frame as a table. Pages count from 1. */
export function renderPage(report: Report<string>, frame: string, page: number, o: RenderOptions): { lines: string[]; pages: number } {
  const n = report.count(frame);
  const pages = Math.max(1, Math.ceil(n / o.pageRows));
  const p = Math.min(Math.max(1, page), pages);
  const rows = frameRows(report, frame, (p - 1) * o.pageRows, p * o.pageRows);
  const cols = Object.keys(report.columns(frame));
  const head = `${frame}: rows ${n ? (p - 1) * o.pageRows + 1 : 0}–${Math.min(n, p * o.pageRows)} of ${n.toLocaleString("en-US")} (page ${p}/${pages})`;
  const lines = [dim(head, o.color), ...fitTable(rows, cols, o.width)];
  if (p < pages) lines.push(dim(":more for the next page", o.color));
  return { lines, pages };
}

/** Any value: reports get the report rendering, everything else util.inspect. */
export function renderValue(v: unknown, o: RenderOptions): string[] {
  if (isReport(v)) return renderReport(v, o);
  const ctor = danfoKind(v);
  if (ctor) {
    // danfojs: its inspect output is its internals and its own table is wider than a terminal.
    try {
      return renderDanfo(v as DanfoLike, ctor, o);
    } catch {
      // not the danfojs we know: fall through to inspect
    }
  }
  return util.inspect(v, { colors: o.color, depth: 3, breakLength: o.width, maxArrayLength: 50 }).split("\n");
}

/** An error as one line (plus a hint line when there is one). */
export function renderError(e: unknown, o: { color: boolean }): string[] {
  if (isCassperfError(e)) {
    const lines = [red(`✗ ${e.message}`, o.color)];
    lines.push(dim(`  hint: ${e.hint ?? ":trace shows where it came from"}`, o.color));
    return lines;
  }
  if (e instanceof Error) {
    if (e.name === "AbortError" || (e as { code?: string }).code === "ABORT_ERR") return [red("✗ cancelled", o.color)];
    const first = e.message.split("\n")[0];
    return [red(`✗ ${e.name}: ${first}`, o.color), dim("  hint: :trace shows the stack", o.color)];
  }
  return [red(`✗ thrown: ${util.inspect(e, { depth: 1 }).split("\n")[0]}`, o.color)];
}

/** TypeScript diagnostics: the first one, and how many more. */
export function renderDiagnostics(diags: string[], o: { color: boolean }): string[] {
  const lines = [red(`✗ TypeScript: ${diags[0]}`, o.color)];
  if (diags.length > 1) lines.push(...diags.slice(1, 4).map((d) => red(`  ${d}`, o.color)));
  if (diags.length > 4) lines.push(dim(`  (${diags.length - 4} more)`, o.color));
  return lines;
}

/** Widest a column gets in a terminal table before its values are cut. */
const MAX_COLUMN_WIDTH = 28;

/**
 * Rows as a table that keeps columns readable: columns are taken left to right at their natural
 * width (up to {@link MAX_COLUMN_WIDTH}) while they fit; the rest are named on a last line.
 */
export function fitTable(rows: Record<string, unknown>[], columns: string[], width: number): string[] {
  if (!columns.length) return [];
  const cells = tableCells(rows, columns);
  const natural = naturalWidths(columns, cells, MAX_COLUMN_WIDTH);
  let shown = 0;
  let used = 0;
  for (; shown < columns.length; shown++) {
    const w = natural[shown] + (shown ? 2 : 0);
    if (used + w > width && shown) break;
    used += w;
  }
  const [header, rule, ...body] = tableLines(columns, cells, natural.slice(0, shown));
  const out = [header, rule, ...body.map((l) => truncate(l, width))];
  const hidden = columns.slice(shown);
  if (hidden.length)
    out.push(truncate(`(${hidden.length} more column${hidden.length === 1 ? "" : "s"}: ${hidden.join(", ")} — :export the frame to see them)`, width));
  return out;
}

/** A danfojs DataFrame or Series as a plain table fitted to the width: first and last rows, shape, units. */
function renderDanfo(v: DanfoLike, kind: "DataFrame" | "Series", o: RenderOptions): string[] {
  const name = (v as unknown as Record<symbol, unknown>)[Symbol.for("cassperf.frameName")];
  const [head, ...rest] = previewPlain(danfoPreview(v, kind, typeof name === "string" ? { name } : {}), o.width);
  return [dim(head, o.color), ...rest];
}
