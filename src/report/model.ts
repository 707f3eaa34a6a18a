/**
 * The report model: everything `cassperf report` shows, gathered once from a source as plain data,
 * so the HTML, Markdown and JSON writers render the same content.
 *
 * It is built on health() (which runs every helper the source can answer, keeps going when one
 * throws, and traces each headline number to the file:line it was read from: the one headline
 * gathering, ../analyze/headline.ts) plus timeline(),
 * zoomed on the incident: the stretch of time around the worst coincidence (a GC pause or a slow
 * query with other events nearby). Each helper's section keeps its summary, findings, notes, key
 * table (its preview frame, first rows) and every chart as Vega-Lite spec + SVG.
 */
import { CassperfError, isCassperfError } from "../errors";
import type { Source } from "../cluster/source";
import type { Finding, Report, Severity } from "../present/report";
import { parseUtc } from "../parse/utc-time";
import { headlineFacts, type HeadlineFact } from "../analyze/headline";
import { healthSteps } from "../registry";
import "../helpers"; // the registry's entries, which healthSteps() reads

/** How many rows of a helper's key table the report shows (the JSON carries the same rows). */
export const TABLE_ROWS = 25;
/** How many columns of a key table the report shows; the rest are named under the table. */
export const TABLE_COLUMNS = 10;
/**
 * Time shown either side of the incident's coincidences in the zoomed timeline (5 minutes: one
 * StatusLogger/dropped-messages cycle is 5 s, a GC storm lasts minutes).
 */
export const INCIDENT_PAD_MS = 5 * 60_000;
/** Coincidences within this of the worst one belong to the same incident. */
export const INCIDENT_SPAN_MS = 10 * 60_000;

// The headline is gathered once, by health() (../analyze/headline.ts); the model reads its rows back.
export type { HeadlineFact };

/** One chart of a section: its Vega-Lite spec (with inline data) and, once rendered, its SVG. */
export interface ChartEntry {
  helper: string;
  name: string;
  title: string;
  spec: Record<string, unknown>;
  /** Filled by {@link renderCharts}; absent in the JSON. */
  svg?: string;
  /** Why the chart could not be built or rendered. */
  error?: string;
}

/** A helper's key table: the first {@link TABLE_ROWS} rows of its preview frame. */
export interface KeyTable {
  name: string;
  columns: string[];
  rows: Record<string, unknown>[];
  totalRows: number;
  /** Columns left out of the shown table (they are in the helper's own frame). */
  hiddenColumns: string[];
}

/** One helper's part of the report. */
export interface Section {
  helper: string;
  status: "ran" | "failed" | "cannot answer" | "skipped";
  title: string | null;
  /** Why it did not run, or the error it threw. */
  reason: string | null;
  ms: number | null;
  summary: Record<string, unknown>;
  findings: Finding[];
  notes: string[];
  table: KeyTable | null;
  charts: ChartEntry[];
  /**
   * Under `--from/--to`: null for a section narrowed to the window (logs, gcStats); else why it is
   * not ("snapshot taken at <time>, not narrowed: nodetool output has no time range"). Null without a window.
   */
  window: string | null;
}

/** The timeline, zoomed on the incident. */
export interface IncidentTimeline {
  /** The zoom window (ISO), or null when the timeline has no coincidence to zoom on. */
  from: string | null;
  to: string | null;
  /** Why this window: the worst coincidence. */
  why: string;
  coincidences: Record<string, unknown>[];
  busiest: Record<string, unknown>[];
  chart: ChartEntry | null;
  notes: string[];
}

/** Everything the report shows. */
export interface ReportModel {
  kind: "cassperf-report";
  generatedAt: string;
  source: { input: string; description: string; nodes: string[]; files: number; bytes: number };
  window: { from: string | null; to: string | null; appliesTo: string[] } | null;
  title: string;
  counts: Record<Severity, number>;
  headline: HeadlineFact[];
  /** Every helper's findings, most severe first, each naming its helper. */
  findings: Finding[];
  sections: Section[];
  timeline: IncidentTimeline | null;
  /** What this source cannot answer and why (with what to add). */
  cannotAnswer: { helper: string; reason: string }[];
  notes: string[];
}

/** Options of {@link buildReportModel}. */
export interface ReportModelOptions {
  /**
   * Only these helpers (health()'s names: gcStats, logs, histograms, ...); inventory always runs.
   * @example await buildReportModel("bundle.tar.gz", { only: ["gcStats", "logs"] })
   */
  only?: string[];
  /**
   * Start of the time window (ISO-8601; no zone means UTC) for the time-stamped evidence: logs, gcStats
   * (pauses, cycles, stalls) and the timeline. Every other section says it is not narrowed and why.
   * @example await buildReportModel("bundle.tar.gz", { from: "2020-07-22T13:00:00Z", to: "2020-07-22T14:00:00Z" })
   */
  from?: string;
  /** End of the time window. */
  to?: string;
  signal?: AbortSignal;
  /**
   * Called as the work moves on (for a progress bar): the phase, and the files and bytes of the source
   * read so far of its total (./progress.ts: sizes on disk; the last call has every file done).
   * @example await buildReportModel("bundle.tar.gz", { onPhase: (p) => console.error(`${p.filesDone}/${p.filesTotal} files: ${p.phase}`) })
   */
  onPhase?: (p: { phase: string } & import("./progress").ReadProgress) => void;
}

/** The helpers health() knows (its table), for `--only` checking. */
export function knownHelpers(): string[] {
  return healthSteps().map((h) => h.helper);
}

/**
 * Gather every helper's report on `input` (a path or an open source) into one {@link ReportModel}.
 * A helper that throws does not sink the report: its section says why.
 * @example const m = await buildReportModel("datasets/lab-3node-5.0"); m.headline.find((h) => h.metric === "nodes")
 */
export async function buildReportModel(input: string | Source, options: ReportModelOptions = {}): Promise<ReportModel> {
  const api = require("../index") as typeof import("../index");
  const { withRunContext } = require("../run-context") as typeof import("../run-context");
  const known = knownHelpers();
  const only = options.only;
  if (only) {
    const bad = only.filter((h) => !known.includes(h));
    if (bad.length) throw new CassperfError(`report: unknown helper ${bad.map((b) => JSON.stringify(b)).join(", ")} in --only; known: ${known.join(", ")}.`);
  }
  const fromMs = options.from === undefined ? undefined : parseUtc(options.from);
  const toMs = options.to === undefined ? undefined : parseUtc(options.to);
  const example = (t: string) => `(e.g. 2020-07-22T${t}:00Z)`;
  const notIso = (flag: string, v: unknown, t: string) => new CassperfError(`report: ${flag} ${JSON.stringify(v)} is not an ISO-8601 time ${example(t)}.`);
  if (fromMs !== undefined && Number.isNaN(fromMs)) throw notIso("--from", options.from, "13:30");
  if (toMs !== undefined && Number.isNaN(toMs)) throw notIso("--to", options.to, "14:00");
  if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) {
    throw new CassperfError(`report: the window is empty: --to ${options.to} is not after --from ${options.from}.`);
  }
  const signal = options.signal;
  const opened: Source = typeof input === "string" ? await api.open(input) : input;
  signal?.throwIfAborted();
  // Progress: every read through the source is counted (./progress.ts); logs() reads in worker threads and says its own.
  const { ReadTracker } = require("./progress") as typeof import("./progress");
  let phaseName = "opening";
  const tracker = new ReadTracker(opened.files(), (p) => options.onPhase?.({ phase: phaseName, ...p }));
  const source = options.onPhase ? tracker.wrap(opened) : opened;
  const phase = (name: string) => {
    phaseName = name;
    options.onPhase?.({ phase: name, ...tracker.progress() });
  };
  const logFiles = opened.files().filter((f) => f.kind === "system-log" || f.kind === "debug-log");
  const onProgress = (p: import("../run-context").Progress) => {
    if (p.total !== undefined && p.total > 0 && p.done >= p.total && /log files/.test(p.label ?? "")) tracker.markDone(logFiles);
    else options.onPhase?.({ phase: `${phaseName}; ${p.done}/${p.total ?? "?"} ${p.label ?? ""}`.trim(), ...tracker.progress() });
  };
  const context = { ...(signal ? { signal } : {}), ...(options.onPhase ? { onProgress } : {}) };
  const run = <T>(fn: () => Promise<T>): Promise<T> => (signal || options.onPhase ? withRunContext(context, fn) : fn());
  phase(`running ${only ? ["inventory", ...only.filter((h) => h !== "inventory")].join(", ") : "every helper the source can answer"}`);
  const skip = only ? known.filter((h) => h !== "inventory" && !only.includes(h)) : [];
  const health = await run(() => api.health(source, { skip }));
  signal?.throwIfAborted();
  const reports: Record<string, Report> = { ...health.reports };
  let findings: Finding[] = [...health.findings];
  const notes: string[] = [...health.notes];

  // The time window: logs(), gcStats() and timeline() read time-stamped evidence and take it; the others read snapshots.
  const windowed = fromMs !== undefined || toMs !== undefined;
  const win = windowed ? { ...(options.from !== undefined ? { from: options.from } : {}), ...(options.to !== undefined ? { to: options.to } : {}) } : {};
  // When the snapshots were taken: the bundle is collected after its last log line.
  const snapshotAt = reports.logs?.summary.last != null ? String(reports.logs.summary.last) : null;
  if (windowed) {
    const span = `between ${options.from ?? "the start"} and ${options.to ?? "the end"}`;
    const empty: string[] = [];
    const narrowed: Record<string, Report> = {};
    if (reports.logs) {
      phase("logs, narrowed to the window");
      const logsInWindow = await run(() => api.logs({ source, ...win }));
      if (logsInWindow.count("events") === 0)
        empty.push(`no log event ${span}; the logs cover ${reports.logs.summary.first ?? "?"} – ${reports.logs.summary.last ?? "?"}`);
      narrowed.logs = logsInWindow;
    }
    if (reports.gcStats) {
      phase("gcStats, narrowed to the window");
      const all = reports.gcStats;
      const gcInWindow = await run(() => api.gcStats(source, win));
      if (gcInWindow.count("pauses") === 0) {
        const span0 = all.count("pauses") ? `; the GC evidence has ${all.count("pauses")} pause(s)` : "";
        empty.push(`no GC pause ${span}${span0}`);
      }
      narrowed.gcStats = gcInWindow;
    }
    // Nothing at all in the window: one clear line (a report of empty sections would say nothing).
    if (empty.length && empty.length === Object.keys(narrowed).length) throw new CassperfError(`report: ${empty.join("; ")}.`);
    for (const [helper, r] of Object.entries(narrowed)) {
      reports[helper] = r;
      findings = findings.filter((f) => f.helper !== helper).concat(r.findings.map((f) => ({ ...f, helper: f.helper || helper })));
    }
    for (const e of empty) notes.push(`In the window: ${e}.`);
    const { sortFindings } = require("../present/report") as typeof import("../present/report");
    findings = sortFindings(findings);
  }

  // The timeline, zoomed on the incident.
  let timeline: IncidentTimeline | null = null;
  if (reports.logs) {
    phase("timeline, zoomed on the incident");
    try {
      timeline = await incidentTimeline(source, win, run);
    } catch (e) {
      if (!isCassperfError(e) && signal?.aborted) throw e;
      notes.push(`timeline() failed and was left out: ${(e as Error).message}`);
    }
  }
  signal?.throwIfAborted();
  tracker.finish();

  type HelperRow = { helper: string; status: Section["status"]; findings: number | null; ms: number | null; reason: string | null };
  const helperRows = health.rows("helpers") as HelperRow[];
  const { notNarrowedLabel } = require("./window") as typeof import("./window");
  const sections: Section[] = helperRows.map((h) => ({
    ...section(h, reports[h.helper]),
    window: windowed && h.status === "ran" ? notNarrowedLabel(h.helper, snapshotAt) : null,
  }));
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const files = source.files();
  const model: ReportModel = {
    kind: "cassperf-report",
    generatedAt: new Date().toISOString(),
    source: {
      input: typeof input === "string" ? input : source.describe(),
      description: source.describe(),
      nodes: source.nodes(),
      files: files.length,
      bytes: files.reduce((a, f) => a + (f.size || 0), 0),
    },
    window: windowed ? { from: options.from ?? null, to: options.to ?? null, appliesTo: ["logs", "gcStats", "timeline"] } : null,
    title: health.title,
    counts: { critical: count("critical"), warning: count("warning"), info: count("info") },
    headline: headlineFacts(health),
    findings,
    sections,
    timeline,
    cannotAnswer: helperRows.filter((h) => h.status === "cannot answer").map((h) => ({ helper: h.helper, reason: h.reason ?? "" })),
    notes,
  };
  // The helpers' own reports, for compare (not part of the JSON).
  Object.defineProperty(model, "reports", { value: reports, enumerable: false });
  Object.defineProperty(model, "health", { value: health, enumerable: false });
  return model;
}

/** The helpers' own reports behind a model (set by buildReportModel). */
export function reportsOf(model: ReportModel): Record<string, Report> {
  return (model as unknown as { reports?: Record<string, Report> }).reports ?? {};
}

/** One helper's section from its health() row and report. */
function section(h: { helper: string; status: Section["status"]; ms: number | null; reason: string | null }, r: Report | undefined): Section {
  const base: Section = {
    helper: h.helper,
    status: h.status,
    title: null,
    reason: h.reason,
    ms: h.ms,
    summary: {},
    findings: [],
    notes: [],
    table: null,
    charts: [],
    window: null,
  };
  if (!r) return base;
  base.title = r.title;
  base.summary = Object.fromEntries(Object.entries(r.summary).filter(([, v]) => v !== undefined && (v === null || typeof v !== "object" || Array.isArray(v))));
  base.findings = r.findings.filter((f) => f.id !== "inventory.helper-unanswerable");
  base.notes = r.notes;
  try {
    base.table = keyTable(r);
  } catch (e) {
    base.notes = [...base.notes, `its table could not be read: ${(e as Error).message}`];
  }
  for (const name of r.chartNames) base.charts.push(chartEntry(h.helper, r, name));
  return base;
}

/** The preview frame's first rows. */
function keyTable(r: Report): KeyTable | null {
  const name = r.previewFrame ?? r.frameNames[0];
  if (!name) return null;
  const cols = r.columns(name);
  const columns = Object.keys(cols);
  const total = r.count(name);
  const shown = columns.slice(0, TABLE_COLUMNS);
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < Math.min(total, TABLE_ROWS); i++) {
    const row: Record<string, unknown> = {};
    for (const c of shown) row[c] = cols[c][i] ?? null;
    rows.push(row);
  }
  return { name, columns: shown, rows, totalRows: total, hiddenColumns: columns.slice(TABLE_COLUMNS) };
}

/** Data rows a spec carries inline (its own and its layers'/concatenated views'). */
export function specRows(spec: Record<string, unknown>): number {
  const datasets = spec.datasets && typeof spec.datasets === "object" ? Object.values(spec.datasets as Record<string, unknown[]>) : [];
  const named = datasets.reduce((a, v) => a + (Array.isArray(v) ? v.length : 0), 0);
  const own = ((spec.data as { values?: unknown[] } | undefined)?.values?.length ?? 0) + named;
  const subs = ["layer", "vconcat", "hconcat", "concat"].flatMap((k) => (Array.isArray(spec[k]) ? (spec[k] as Record<string, unknown>[]) : []));
  const facet = spec.spec && typeof spec.spec === "object" ? [spec.spec as Record<string, unknown>] : [];
  return own + [...subs, ...facet].reduce((a, s) => a + specRows(s), 0);
}

/** A chart's spec, or why it could not be built (a chart with no data rows is not drawn: an empty frame says nothing). */
function chartEntry(helper: string, r: Report, name: string): ChartEntry {
  try {
    const c = r.chart(name);
    const t = c.spec.title as unknown;
    const title = typeof t === "string" ? t : Array.isArray(t) ? t.join(" ") : String((t as { text?: unknown } | undefined)?.text ?? name);
    if (specRows(c.spec) === 0) return { helper, name, title, spec: c.spec, error: "has no data to draw from this source" };
    return { helper, name, title, spec: c.spec };
  } catch (e) {
    return { helper, name, title: name, spec: {}, error: (e as Error).message };
  }
}

/**
 * How bad a coincidence's spike is: the ms it names (e.g. "GC pause 2066 ms"); a GC pause ranks
 * above any query (a stop-the-world pause stalls every request on the node, a slow query one).
 */
function spikeMs(c: Record<string, unknown>): number {
  const spike = String(c.spike ?? "");
  const m = /(\d+(?:\.\d+)?)\s*ms/.exec(spike);
  const ms = m ? Number(m[1]) : 0;
  return /GC pause/i.test(spike) ? 1e9 + ms : ms;
}

type Row = Record<string, unknown>;

/**
 * The incident: the worst coincidence, those within {@link INCIDENT_SPAN_MS} of it, and the window
 * that shows them with {@link INCIDENT_PAD_MS} either side; undefined without coincidences.
 */
export function incidentWindow(coincidences: Row[]): { worst: Row; near: Row[]; from: string; to: string } | undefined {
  if (!coincidences.length) return undefined;
  const worst = coincidences.reduce((a, c) => (spikeMs(c) > spikeMs(a) ? c : a));
  const t0 = parseUtc(String(worst.time));
  const near = coincidences.filter((c) => Math.abs(parseUtc(String(c.time)) - t0) <= INCIDENT_SPAN_MS);
  const times = near.map((c) => parseUtc(String(c.time)));
  return { worst, near, from: new Date(Math.min(...times) - INCIDENT_PAD_MS).toISOString(), to: new Date(Math.max(...times) + INCIDENT_PAD_MS).toISOString() };
}

/** timeline() on the whole window, then again zoomed on the incident (the coincidences around the worst one). */
async function incidentTimeline(source: Source, win: { from?: string; to?: string }, run: <T>(fn: () => Promise<T>) => Promise<T>): Promise<IncidentTimeline> {
  const api = require("../index") as typeof import("../index");
  const whole = await run(() => api.timeline({ source, ...win }));
  const coincidences = whole.rows("coincidences");
  const busiest = whole.rows("windows").slice(0, 5);
  if (!coincidences.length) {
    const why = "no coincidence (no GC pause or slow query with other events near it): the whole timeline is shown";
    const chart = whole.chartNames.length ? chartEntry("timeline", whole, whole.chartNames[0]) : null;
    return { from: null, to: null, why, coincidences, busiest, chart, notes: whole.notes };
  }
  const { worst, near, from, to } = incidentWindow(coincidences)!;
  const zoomed = await run(() => api.timeline({ source, from, to }));
  return {
    from,
    to,
    why: `${worst.node} ${worst.time}: ${worst.spike} — with ${worst.nearby}; ${near.length} coincidence(s) within ${INCIDENT_SPAN_MS / 60_000} min, \
shown ±${INCIDENT_PAD_MS / 60_000} min`,
    coincidences: near,
    busiest,
    chart: zoomed.chartNames.length ? chartEntry("timeline", zoomed, zoomed.chartNames[0]) : null,
    notes: zoomed.notes,
  };
}

/** Every chart of the model (sections and timeline). */
export function allCharts(model: ReportModel): ChartEntry[] {
  const out = model.sections.flatMap((s) => s.charts);
  if (model.timeline?.chart) out.push(model.timeline.chart);
  return out;
}

/**
 * Render every chart's SVG in place (vega, headless). A chart that fails keeps its spec and says why.
 * @example await renderCharts(model, (done, total) => console.error(`${done}/${total}`))
 */
export async function renderCharts(model: ReportModel, onChart?: (done: number, total: number) => void, signal?: AbortSignal): Promise<void> {
  const { makeChart } = require("../present/chart") as typeof import("../present/chart");
  const charts = allCharts(model);
  let done = 0;
  for (const c of charts) {
    signal?.throwIfAborted();
    if (!c.error && c.svg === undefined) {
      try {
        c.svg = await makeChart(c.name, c.spec).toSVG();
      } catch (e) {
        c.error = `could not be rendered: ${(e as Error).message}`;
      }
    }
    onChart?.(++done, charts.length);
  }
}

/** The model as plain data for machines: the same content, charts as specs without SVG. */
export function modelToJSON(model: object): unknown {
  return JSON.parse(JSON.stringify(model, (k, v) => (k === "svg" ? undefined : v)));
}
