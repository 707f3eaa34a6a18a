/**
 * The formatting pieces both the report (./report.ts) and its terminal rendering (./terminal.ts)
 * need: the severity and column types, rows from columns, a value formatted for people, and the
 * shape of a report as a text renderer reads it. They live here so that report.ts imports
 * terminal.ts and terminal.ts imports only this module: no import cycle between the two.
 */

/** How bad a finding is. */
export type Severity = "critical" | "warning" | "info";

/** Column-oriented plain data: every array has the same length. */
export type Columns = Record<string, unknown[]>;

/**
 * What a text rendering reads of a report (../present/report.ts Report has all of it): the header,
 * the summary, the findings, the preview frame's columns, the notes and the chart names.
 */
export interface ReportView {
  readonly helper: string;
  readonly title: string;
  readonly source?: string;
  readonly summary: Record<string, unknown>;
  readonly findings: readonly { severity: Severity; title: string; evidence: string; action: string }[];
  readonly notes: readonly string[];
  readonly previewFrame?: string;
  readonly frameNames: readonly string[];
  readonly chartNames: readonly string[];
  count(name: string): number;
  columns(name: string): Columns;
}

/** Rows (objects) from columns. */
export function columnsToRows(columns: Columns): Record<string, unknown>[] {
  const names = Object.keys(columns);
  const length = names.length ? columns[names[0]].length : 0;
  const rows: Record<string, unknown>[] = new Array(length);
  for (let i = 0; i < length; i++) {
    const r: Record<string, unknown> = {};
    for (const n of names) r[n] = columns[n][i];
    rows[i] = r;
  }
  return rows;
}

/** Format a summary value for people: numbers with sensible precision, arrays joined. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v)) return v.toLocaleString("en-US");
    const abs = Math.abs(v);
    return v.toLocaleString("en-US", { maximumFractionDigits: abs >= 100 ? 1 : abs >= 1 ? 2 : 4 });
  }
  if (Array.isArray(v)) return v.map(formatValue).join(", ");
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}
