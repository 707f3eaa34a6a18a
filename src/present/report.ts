/**
 * The report: what every helper returns.
 *
 *  - frames: danfojs DataFrames named for what they hold (`pauses`, `events`, ...), built lazily
 *    from plain columns; danfojs (~1 s to load) is required only when a frame is first asked for;
 *  - `summary`: the headline numbers, a plain object;
 *  - `findings`: from named rules with named thresholds (see each helper's rule table);
 *  - `chart(name?)`: a Vega-Lite chart with `.spec`, `.toSVG()`, `.toPNG()`;
 *  - `[Symbol.for("Jupyter.display")]()`: the Jupyter MIME bundle (Deno's kernel convention);
 *  - `toText()`: the terminal rendering the REPL prints (./terminal.ts); `toJSON()`: plain data.
 *
 * Severity, Columns, columnsToRows and formatValue live in ./format.ts (shared with ./terminal.ts,
 * which must not import this file) and are re-exported here.
 */
import * as util from "node:util";
import type { DataFrame } from "danfojs-node";
import { makeChart, PNG_SCALE, withPngWidth, type Chart, type VegaLiteSpec } from "./chart";
import { renderReportText, type TextOptions } from "./terminal";
import { columnsToRows, formatValue, type Columns, type Severity } from "./format";
import { withSourceNotes } from "../cluster/source-notes";

export type { DataFrame };
// The formatting pieces the terminal rendering shares live in ./format.ts (no report <-> terminal cycle); re-exported here.
export { columnsToRows, formatValue, type Columns, type Severity };

/** One finding: what a named rule saw, the evidence, and what to do about it. */
export interface Finding {
  severity: Severity;
  /** The rule's id, stable across versions (e.g. "gc.pause-over-200ms"). */
  id: string;
  /** One line: what is wrong. */
  title: string;
  /** The numbers behind it and where they came from (file, node, table). */
  evidence: string;
  /** What to change. */
  action: string;
  /** The helper that explains this finding in detail (used by health()). */
  helper?: string;
  /** Node the finding is about, when it is about one. */
  node?: string;
}

/** A named threshold, as rule tables declare them. */
export interface Threshold {
  /** Name used in code and docs, e.g. PAUSE_WARN_MS. */
  name: string;
  value: number;
  unit: string;
  /** Where the number comes from (a Cassandra default, sperf recs.py, DataStax docs, or "cassperf's choice" with its reason). */
  source: string;
}

/** Everything a helper hands to {@link makeReport}. */
export interface ReportInit<F extends string> {
  /** The helper that made it, e.g. "gcStats". */
  helper: string;
  /** One line: what this report is about. */
  title: string;
  /** The source's description. */
  source?: string;
  summary: Record<string, unknown>;
  findings: Finding[];
  /** Frames as plain columns (or a function producing them, called once when first needed). */
  frames: Record<F, Columns | (() => Columns)>;
  /** Chart builders by name; the first is the default for `chart()`. */
  charts?: Record<string, () => VegaLiteSpec>;
  /** Things the user must know about the input: skipped lines, missing evidence. */
  notes?: string[];
  /** The frame the terminal and markdown renderings preview (default: the first). */
  previewFrame?: string;
}

const DISPLAY = Symbol.for("Jupyter.display");
const OUTPUTS = Symbol.for("cassperf.outputs");

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** Sort findings: critical first, then warning, then info; stable within a severity. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_ORDER[a.f.severity] - SEVERITY_ORDER[b.f.severity] || a.i - b.i)
    .map((x) => x.f);
}

let danfo: typeof import("danfojs-node") | undefined;
/** Load danfojs-node on first use (it costs about a second). */
export function loadDanfo(): typeof import("danfojs-node") {
  if (!danfo) {
    // Silence tfjs's one-line banner about the missing native backend.
    const warn = console.warn;
    console.warn = () => {};
    try {
      danfo = require("danfojs-node") as typeof import("danfojs-node");
    } finally {
      console.warn = warn;
    }
  }
  return danfo;
}

/** Build a danfojs DataFrame from plain columns (empty columns give an empty frame with those names). */
export function toDataFrame(columns: Columns): DataFrame {
  const dfd = loadDanfo();
  const names = Object.keys(columns);
  const length = names.length ? columns[names[0]].length : 0;
  if (length === 0) return new dfd.DataFrame([], { columns: names }) as DataFrame;
  // danfojs wants null, not undefined, for missing values.
  const clean: Record<string, unknown[]> = {};
  for (const n of names) clean[n] = columns[n].map((v) => (v === undefined ? null : v));
  return new dfd.DataFrame(clean as any) as DataFrame;
}

/**
 * Columns from rows (missing and undefined values become null); the column set is `names`, or the
 * union of the rows' keys in first-seen order.
 */
export function rowsToColumns<R extends object>(rows: readonly R[], names?: readonly (keyof R & string)[] | readonly string[]): Columns {
  const cols = names ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const out: Columns = {};
  for (const n of cols) out[n] = rows.map((r) => (r as Record<string, unknown>)[n] ?? null);
  return out;
}

/** The plain-object form of a row type (an interface made assignable to `Record<string, unknown>`). */
export type PlainRow<T> = { [K in keyof T]: T[K] };

/**
 * `rows(name)` typed per frame, from a map of frame name to row type: a helper's report type is
 * `TypedRows<{ pauses: PauseRow; cycles: CycleRow }> & Report<"pauses" | "cycles">`, so
 * `gc.rows("pauses")` is `PauseRow[]` in a notebook without a cast. (An intersection, not a second
 * class parameter: a typed report stays assignable to a plain `Report`.)
 */
export interface TypedRows<R> {
  /**
   * A frame's rows as plain objects, typed per frame.
   * @example (await gcStats()).rows("pauses").filter((p) => p.pause_ms > 200)
   */
  rows<K extends keyof R & string>(name: K): PlainRow<R[K]>[];
}

/**
 * A helper's summary typed field by field (so `r.summary.nodes` completes in a notebook), still a
 * plain object. A report that could not be answered from its source ({@link unansweredReport}) has
 * only `answered: false` and `reason` in it, none of the helper's own fields.
 */
export type Summary<S> = Record<string, unknown> &
  S & {
    /** false only on a report that could not be answered from its source; absent otherwise. */
    readonly answered?: false;
    /** Why the source could not answer (only when `answered` is false). */
    readonly reason?: string;
  };

/** Marks a DataFrame built by a report with its frame name (a table's caption in Jupyter and the REPL). */
export const FRAME_NAME = Symbol.for("cassperf.frameName");

/**
 * The common report. Helpers return `Report<"pauses" | "cycles">` and friends (with {@link TypedRows}
 * for typed rows); frames are also properties.
 */
export class Report<F extends string = string> {
  readonly helper: string;
  readonly title: string;
  readonly source?: string;
  /** The headline numbers. */
  readonly summary: Record<string, unknown>;
  /** Findings from the helper's rule table, most severe first. */
  readonly findings: Finding[];
  /** What the user must know about the input (skipped lines, missing evidence). */
  readonly notes: string[];
  private readonly frameInit: Record<string, Columns | (() => Columns)>;
  private readonly columnCache = new Map<string, Columns>();
  private readonly frameCache = new Map<string, DataFrame>();
  private readonly chartBuilders: Record<string, () => VegaLiteSpec>;
  private readonly chartCache = new Map<string, Chart>();
  /** The frame the terminal and markdown renderings preview (default: the first). */
  readonly previewFrame?: string;

  constructor(init: ReportInit<F>) {
    this.helper = init.helper;
    this.title = init.title;
    if (init.source) this.source = init.source;
    this.summary = init.summary;
    this.findings = sortFindings(init.findings);
    // The source's own notes (unreadable files, manifest differences) go on every report from it.
    this.notes = withSourceNotes(init.notes ?? [], init.source);
    this.frameInit = init.frames;
    this.chartBuilders = init.charts ?? {};
    if (init.previewFrame) this.previewFrame = init.previewFrame;
    // Frames as lazy, non-enumerable properties: `report.pauses` is a DataFrame built on first access.
    for (const name of Object.keys(init.frames)) {
      if (name in this) continue;
      Object.defineProperty(this, name, { get: () => this.frame(name as F), enumerable: false, configurable: true });
    }
  }

  /** Names of this report's frames. */
  get frameNames(): F[] {
    return Object.keys(this.frameInit) as F[];
  }

  /** Names of this report's charts; the first is the default. */
  get chartNames(): string[] {
    return Object.keys(this.chartBuilders);
  }

  /** A frame's plain columns (no danfojs). */
  columns(name: F): Columns {
    let c = this.columnCache.get(name);
    if (!c) {
      const init = this.frameInit[name];
      if (init === undefined) throw new Error(`${this.helper}: no frame "${name}"; frames are ${this.frameNames.join(", ")}`);
      c = typeof init === "function" ? init() : init;
      this.columnCache.set(name, c);
    }
    return c;
  }

  /** A frame's rows as plain objects (typed per frame in helpers' report types: {@link TypedRows}). */
  rows(name: F): Record<string, unknown>[] {
    return columnsToRows(this.columns(name));
  }

  /** Number of rows in a frame. */
  count(name: F): number {
    const c = this.columns(name);
    const k = Object.keys(c)[0];
    return k ? c[k].length : 0;
  }

  /** A frame as a danfojs DataFrame (loads danfojs on first call). */
  frame(name: F): DataFrame {
    let df = this.frameCache.get(name);
    if (!df) {
      df = toDataFrame(this.columns(name));
      Object.defineProperty(df, FRAME_NAME, { value: name, enumerable: false });
      this.frameCache.set(name, df);
    }
    return df;
  }

  /**
   * A chart by name (default: the report's first chart).
   * @example (await gcStats()).chart("pauses").toPNG()
   */
  chart(name?: string): Chart {
    const key = name ?? this.chartNames[0];
    if (key === undefined) throw new Error(`${this.helper}: this report has no charts`);
    let c = this.chartCache.get(key);
    if (!c) {
      const build = this.chartBuilders[key];
      if (!build) throw new Error(`${this.helper}: no chart "${key}"; charts are ${this.chartNames.join(", ") || "(none)"}`);
      c = makeChart(key, build());
      this.chartCache.set(key, c);
    }
    return c;
  }

  /** The terminal rendering (fits `width` columns, default 100). */
  toText(options: TextOptions = {}): string {
    return renderReportText(this, options);
  }

  /** Summary and findings as Markdown (what notebooks show above the chart). */
  toMarkdown(): string {
    const lines: string[] = [`**${this.helper}** — ${escapeMd(this.title)}`, ""];
    const entries = Object.entries(this.summary).filter(([, v]) => v !== undefined && typeof v !== "object");
    if (entries.length) {
      lines.push("| | |", "|---|---|");
      for (const [k, v] of entries) lines.push(`| ${escapeMd(k)} | ${escapeMd(formatValue(v))} |`);
      lines.push("");
    }
    if (this.findings.length) {
      lines.push("| severity | finding | evidence | action |", "|---|---|---|---|");
      for (const f of this.findings)
        lines.push(`| ${SEVERITY_ICON[f.severity]} ${f.severity} | ${escapeMd(f.title)} | ${escapeMd(f.evidence)} | ${escapeMd(f.action)} |`);
      lines.push("");
    } else lines.push("No findings.", "");
    for (const n of this.notes) lines.push(`> ${escapeMd(n)}`);
    return lines.join("\n");
  }

  /** The chart's Jupyter bundle: Vega-Lite + PNG + text (no HTML: it would win over the chart in JupyterLab). */
  async chartBundle(name?: string): Promise<Record<string, unknown>> {
    const chart = this.chart(name);
    const png = await chart.toPNG(PNG_SCALE);
    // 2× pixels drawn at 1× size: the bundle's metadata gives the PNG its width (see withPngWidth).
    return withPngWidth(
      {
        "application/vnd.vegalite.v5+json": chart.spec,
        "image/png": png.toString("base64"),
        "text/plain": this.toText({ color: false }),
      },
      png,
    );
  }

  /**
   * The Jupyter MIME bundle: with a chart, Vega-Lite + PNG + text/plain; without, Markdown + text/plain.
   * Kernels that follow Deno's convention call this for a cell's value.
   */
  async [DISPLAY](): Promise<Record<string, unknown>> {
    if (this.chartNames.length) return this.chartBundle();
    return { "text/markdown": this.toMarkdown(), "text/plain": this.toText({ color: false }) };
  }

  /** cassperf's own kernel shows two outputs: the summary and findings as Markdown, then the chart bundle. */
  async [OUTPUTS](): Promise<Record<string, unknown>[]> {
    const markdown = this.toMarkdown();
    if (!this.chartNames.length) return [{ "text/markdown": markdown, "text/plain": this.toText({ color: false }) }];
    return [{ "text/markdown": markdown, "text/plain": "" }, await this.chartBundle()];
  }

  [util.inspect.custom](): string {
    return this.toText({ color: process.stdout.isTTY === true });
  }

  /** Plain data: title, summary, findings, notes and every frame as rows. */
  toJSON(): Record<string, unknown> {
    const frames: Record<string, Record<string, unknown>[]> = {};
    for (const n of this.frameNames) frames[n] = this.rows(n);
    return { helper: this.helper, title: this.title, source: this.source, summary: this.summary, findings: this.findings, notes: this.notes, frames };
  }
}

/** Build a report whose frames are also typed properties (`report.pauses`). */
export function makeReport<F extends string>(init: ReportInit<F>): Report<F> & { readonly [K in F]: DataFrame } {
  return new Report(init) as Report<F> & { readonly [K in F]: DataFrame };
}

export const SEVERITY_ICON: Record<Severity, string> = { critical: "🔴", warning: "🟠", info: "🔵" };

function escapeMd(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Marks a report that could not be answered from its source: the reason, in one sentence. */
const UNANSWERED = Symbol.for("cassperf.unanswered");

/**
 * Whether an error says the source lacks the evidence a helper needs (rather than that the user's
 * argument is wrong): a CassperfError thrown with `noEvidence` (missing(), noAnswer() and each
 * helper's own "the source (...) has no ..." refusal).
 */
export function isNoEvidence(e: unknown): e is Error & { hint?: string } {
  return e instanceof Error && e.name === "CassperfError" && (e as { noEvidence?: boolean }).noEvidence === true;
}

/**
 * An empty report that says why a helper has no answer on this source: summary `{ answered: false,
 * reason }`, the reason and its hint as notes, every frame empty, no charts, no findings. Returned
 * instead of throwing so the rest of a runbook runs.
 * @example unansweredReport("gcStats", ["pauses", "cycles"], new CassperfError("gcStats: the source (...) has no GC logs."))
 */
export function unansweredReport<F extends string>(
  helper: string,
  frames: readonly F[],
  why: Error & { hint?: string },
  source?: string,
): Report<F> & { readonly [K in F]: DataFrame } {
  const reason = why.message.replace(new RegExp(`^${helper}: `), "");
  const report = makeReport<F>({
    helper,
    title: `no answer from this source`,
    ...(source ? { source } : {}),
    summary: { answered: false, reason },
    findings: [],
    frames: Object.fromEntries(frames.map((f) => [f, {}])) as Record<F, Columns>,
    notes: [`${helper} cannot answer: ${reason}`, ...(why.hint ? [`To answer it: ${why.hint}`] : [])],
  });
  Object.defineProperty(report, UNANSWERED, { value: reason, enumerable: false });
  return report;
}

/** The reason a report is empty because its source could not answer, or undefined for a real answer. */
export function unansweredReason(report: unknown): string | undefined {
  const r = report as Record<symbol, unknown> | null;
  return r && typeof r === "object" && typeof r[UNANSWERED] === "string" ? (r[UNANSWERED] as string) : undefined;
}

/**
 * Run a helper; when its source lacks the evidence ({@link isNoEvidence}) return
 * {@link unansweredReport} instead of throwing. Every helper goes through this, so every helper
 * behaves the same on a source that cannot answer it; errors in the user's arguments still throw.
 * @example export async function gcStats(input, opts) { return answerOrExplain("gcStats", GC_FRAMES, () => gcStatsOf(input, opts)); }
 */
export async function answerOrExplain<R, F extends string>(helper: string, frames: readonly F[], run: () => Promise<R>): Promise<R> {
  try {
    return await run();
  } catch (e) {
    if (!isNoEvidence(e)) throw e;
    return unansweredReport(helper, frames, e) as unknown as R;
  }
}
