/**
 * What the REPL prints for a value, a report, or an error — as lines of (ANSI-coloured) text.
 *
 * A report shows its summary, findings coloured by severity and a preview of its main frame
 * (report.toText), then its first chart drawn in the terminal (./chart-text.ts). Long frames are
 * paged with `:table`. An error is one readable line plus a hint; the stack waits for `:trace`.
 */
import * as util from "node:util";
import type { Report } from "../present/report";
import { renderTable } from "../present/terminal";
import { isCassperfError } from "../errors";
import { chartToText } from "./chart-text";

export interface RenderOptions {
  width: number;
  color: boolean;
  /** Rows of a frame per page. */
  pageRows: number;
}

const RED = (s: string, c: boolean) => (c ? `\x1b[31m${s}\x1b[39m` : s);
const DIM = (s: string, c: boolean) => (c ? `\x1b[2m${s}\x1b[22m` : s);

/** Duck-typed: a report from this or another copy of the package (dist/ vs src/ in tests). */
export function isReport(v: unknown): v is Report<string> {
  const r = v as Report<string> | null;
  return !!r && typeof r === "object" && typeof r.toText === "function" && typeof r.chart === "function" && Array.isArray(r.frameNames) && Array.isArray(r.chartNames);
}

/** A report: text rendering, paging hint, and its default chart in blocks. */
export function renderReport(report: Report<string>, o: RenderOptions): string[] {
  const out = report.toText({ width: o.width, color: o.color, rows: Math.min(10, o.pageRows) }).split("\n");
  const hints: string[] = [];
  for (const f of report.frameNames) {
    const n = report.count(f);
    if (n > Math.min(10, o.pageRows)) hints.push(`:table ${f} pages through its ${n.toLocaleString("en-US")} rows`);
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
  if (hints.length) out.push(DIM(hints.join(" · "), o.color));
  return out;
}

/** One page of a frame as a table. Pages count from 1. */
export function renderPage(report: Report<string>, frame: string, page: number, o: RenderOptions): { lines: string[]; pages: number } {
  const n = report.count(frame);
  const pages = Math.max(1, Math.ceil(n / o.pageRows));
  const p = Math.min(Math.max(1, page), pages);
  const rows = report.rows(frame).slice((p - 1) * o.pageRows, p * o.pageRows);
  const cols = Object.keys(report.columns(frame));
  const head = `${frame}: rows ${n ? (p - 1) * o.pageRows + 1 : 0}–${Math.min(n, p * o.pageRows)} of ${n.toLocaleString("en-US")} (page ${p}/${pages})`;
  const lines = [DIM(head, o.color), ...renderTable(rows, cols, o.width)];
  if (p < pages) lines.push(DIM(":more for the next page", o.color));
  return { lines, pages };
}

/** Any value: reports get the report rendering, everything else util.inspect. */
export function renderValue(v: unknown, o: RenderOptions): string[] {
  if (isReport(v)) return renderReport(v, o);
  if (v instanceof Promise) return ["Promise { <pending> } — add `await` to see its value"];
  return util.inspect(v, { colors: o.color, depth: 3, breakLength: o.width, maxArrayLength: 50 }).split("\n");
}

/** An error as one line (plus a hint line when there is one). */
export function renderError(e: unknown, o: { color: boolean }): string[] {
  if (isCassperfError(e)) {
    const lines = [RED(`✗ ${e.message}`, o.color)];
    lines.push(DIM(`  hint: ${e.hint ?? ":trace shows where it came from"}`, o.color));
    return lines;
  }
  if (e instanceof Error) {
    if (e.name === "AbortError" || (e as { code?: string }).code === "ABORT_ERR") return [RED("✗ cancelled", o.color)];
    const first = e.message.split("\n")[0];
    return [RED(`✗ ${e.name}: ${first}`, o.color), DIM("  hint: :trace shows the stack", o.color)];
  }
  return [RED(`✗ thrown: ${util.inspect(e, { depth: 1 }).split("\n")[0]}`, o.color)];
}

/** TypeScript diagnostics: the first one, and how many more. */
export function renderDiagnostics(diags: string[], o: { color: boolean }): string[] {
  const lines = [RED(`✗ TypeScript: ${diags[0]}`, o.color)];
  if (diags.length > 1) lines.push(...diags.slice(1, 4).map((d) => RED(`  ${d}`, o.color)));
  if (diags.length > 4) lines.push(DIM(`  (${diags.length - 4} more)`, o.color));
  return lines;
}
