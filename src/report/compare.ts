/**
 * `cassperf compare <before> <after>`: two recordings, bundles or bench runs side by side, as a
 * report model the same writers render (HTML, Markdown, JSON).
 *
 *  - bench runs (bench/<run>.json, cassandra-stress output): compareRuns() and its noise rule;
 *  - recordings: headline deltas; findings new / resolved / unchanged, matched by rule id + node;
 *    GC pause percentiles with a distribution-free 95% confidence band each (order statistics:
 *    the rank n·q ± 1.96·√(n·q·(1−q)), Conover, Practical Nonparametric Statistics §3.2) — a
 *    difference is beyond noise when the two bands do not overlap; latency p99s from nodetool
 *    histograms with compareRuns' 10% rule (a histogram snapshot has no sample count, so no band
 *    of its own).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CassperfError, isCassperfError } from "../errors";
import type { Finding, Report } from "../present/report";
import {
  allCharts,
  buildReportModel,
  modelToJSON,
  renderCharts,
  reportsOf,
  type HeadlineFact,
  type ReportModel,
  type ReportModelOptions,
  type Section,
} from "./model";
import { BENCH_THRESHOLDS } from "../analyze/bench/bench-rules";
import { chartsFolderFor, writeOutputs, type Output, type OutputTargets } from "./write";

/** z for a two-sided 95% band. */
export const Z95 = 1.96;
/** The GC pause percentiles compared. */
export const GC_PERCENTILES = [0.5, 0.9, 0.99] as const;

/** A finding with what happened to it between before and after. */
export type ComparedFinding = Finding & { change: "new" | "resolved" | "unchanged"; before_severity?: string };

/** The compare model: a {@link ReportModel} (so the same writers render it) plus the comparison. */
export interface CompareModel extends ReportModel {
  compare: { before: string; after: string; mode: "bench runs" | "recordings"; findings: ComparedFinding[] };
}

/** Percentile (nearest rank) of sorted values with its 95% order-statistic band. */
export function percentileBand(sorted: number[], q: number): { value: number; lo: number; hi: number; n: number } {
  const n = sorted.length;
  const at = (r: number) => sorted[Math.min(n - 1, Math.max(0, r))];
  const rank = Math.ceil(q * n - 1e-9) - 1; // nearest rank (1e-9: 0.29 * 100 is 28.999999999999996 in floating point)
  const half = Z95 * Math.sqrt(n * q * (1 - q));
  return { value: at(rank), lo: at(Math.floor(n * q - half) - 1), hi: at(Math.ceil(n * q + half) - 1), n };
}

/** The key a finding is matched on across the two sources. */
const findingKey = (f: Finding) => `${f.id}\u0000${f.node ?? ""}\u0000${f.helper ?? ""}`;

/** Findings new in `after`, resolved since `before`, and unchanged (severity change kept). */
export function compareFindings(before: Finding[], after: Finding[]): ComparedFinding[] {
  const b = new Map(before.map((f) => [findingKey(f), f]));
  const a = new Set(after.map(findingKey));
  const out: ComparedFinding[] = [];
  for (const f of after) {
    const old = b.get(findingKey(f));
    out.push(old ? { ...f, change: "unchanged", ...(old.severity !== f.severity ? { before_severity: old.severity } : {}) } : { ...f, change: "new" });
  }
  for (const f of before) if (!a.has(findingKey(f))) out.push({ ...f, change: "resolved" });
  return out;
}

const numUnit = (v: unknown): { n: number; unit: string } | null => {
  if (typeof v === "number") return { n: v, unit: "" };
  const m = /^(-?[\d,]*\.?\d+)\s*(.*)$/.exec(String(v ?? ""));
  return m ? { n: Number(m[1].replace(/,/g, "")), unit: m[2] } : null;
};

/** Headline rows side by side: before → after, with the difference when both are numbers in one unit. */
function headlineDeltas(before: HeadlineFact[], after: HeadlineFact[]): HeadlineFact[] {
  const metrics = [...new Set([...before.map((h) => h.metric), ...after.map((h) => h.metric)])];
  return metrics.map((metric) => {
    const b = before.find((h) => h.metric === metric);
    const a = after.find((h) => h.metric === metric);
    const nb = numUnit(b?.value);
    const na = numUnit(a?.value);
    const sign = (x: number) => (x > 0 ? "+" : "");
    const pct = (x: number, of: number) => (of ? ` (${sign(x)}${((x / Math.abs(of)) * 100).toFixed(1)}%)` : "");
    const same = nb && na && nb.unit === na.unit;
    const d = same ? na.n - nb.n : 0;
    const delta = same && d !== 0 ? `${sign(d)}${Math.round(d * 100) / 100}${na.unit ? ` ${na.unit}` : ""}${pct(d, nb.n)}` : same ? "same" : null;
    return {
      metric,
      value: `${b?.value ?? "—"} → ${a?.value ?? "—"}`,
      node: a?.node ?? b?.node ?? null,
      detail: delta ? `change: ${delta}` : (a?.detail ?? b?.detail ?? null),
      helper: a?.helper ?? b?.helper ?? null,
      from: [b?.from ? `before: ${b.from}` : null, a?.from ? `after: ${a.from}` : null].filter(Boolean).join("; ") || null,
    };
  });
}

/** The application stop of each GC pause (pause or safepoint time, whichever is longer), as gcStats' rules judge it. */
function gcStops(r: Report | undefined): number[] {
  if (!r) return [];
  const rows = r.rows("pauses");
  // GC-log pauses plus GCInspector pauses no GC log covers (as gcStats counts them); only GCInspector when there is no GC log.
  const fromLogs = rows.some((p) => p.origin === "gc-log");
  return rows
    .filter((p) => !fromLogs || p.origin === "gc-log" || p.beyond_gc_log === true)
    .map((p) => Math.max(Number(p.pause_ms) || 0, Number(p.stopped_ms) || 0))
    .filter((v) => v > 0)
    .sort((x, y) => x - y);
}

function emptySection(helper: string, title: string): Section {
  return { helper, status: "ran", title, reason: null, ms: null, summary: {}, findings: [], notes: [], table: null, charts: [], window: null };
}

/** GC pause percentiles before/after with their bands, as a section (table + chart) and findings. */
function gcSection(before: number[], after: number[]): { section: Section; findings: Finding[] } {
  const s = emptySection("gc pauses compared", `GC pause percentiles (application stop per pause), before ${before.length} pauses, after ${after.length}`);
  const findings: Finding[] = [];
  if (!before.length || !after.length) {
    s.status = "cannot answer";
    s.reason = `no GC pauses in ${!before.length ? "before" : "after"} (gcStats found none)`;
    return { section: s, findings };
  }
  const rows: Record<string, unknown>[] = [];
  const chartRows: Record<string, unknown>[] = [];
  for (const q of GC_PERCENTILES) {
    const b = percentileBand(before, q);
    const a = percentileBand(after, q);
    const beyond = a.lo > b.hi || a.hi < b.lo;
    const label = `p${q * 100}`;
    const r1 = (v: number) => Math.round(v * 10) / 10;
    const verdict = beyond ? (a.value > b.value ? "worse" : "better") : "within noise";
    const before_band = `${r1(b.lo)}–${r1(b.hi)}`;
    const after_band = `${r1(a.lo)}–${r1(a.hi)}`;
    rows.push({ percentile: label, before_ms: r1(b.value), before_band, after_ms: r1(a.value), after_band, verdict });
    chartRows.push({ percentile: label, run: "before", value: b.value, lo: b.lo, hi: b.hi });
    chartRows.push({ percentile: label, run: "after", value: a.value, lo: a.lo, hi: a.hi });
    if (beyond && a.value > b.value)
      findings.push({
        severity: "warning",
        id: "compare.gc-pause-worse",
        title: `GC pause ${label} worse: ${b.value} → ${a.value} ms`,
        evidence: `95% bands do not overlap: before ${b.lo}–${b.hi} ms (${b.n} pauses), after ${a.lo}–${a.hi} ms (${a.n} pauses)`,
        action: "Compare the two gcStats() reports: heap size, allocation rate and pause types.",
        helper: "gcStats",
      });
  }
  const last = (v: number[]) => Math.round(v[v.length - 1] * 10) / 10;
  const noBand = "one value: no band";
  rows.push({ percentile: "max", before_ms: last(before), before_band: noBand, after_ms: last(after), after_band: noBand, verdict: "—" });
  s.table = { name: "gc pause percentiles", columns: Object.keys(rows[0]), rows, totalRows: rows.length, hiddenColumns: [] };
  s.notes = [
    "Band: distribution-free 95% confidence interval of each percentile from order statistics (rank n·q ± 1.96·√(n·q·(1−q))); " +
      "beyond noise when the bands do not overlap.",
  ];
  const spec = {
    title: "GC pause percentiles, before vs after (95% bands)",
    width: 360,
    height: 220,
    data: { values: chartRows },
    encoding: {
      x: { field: "percentile", type: "nominal", sort: GC_PERCENTILES.map((q) => `p${q * 100}`), title: null },
      xOffset: { field: "run", sort: ["before", "after"] },
      color: { field: "run", type: "nominal", sort: ["before", "after"], scale: { range: ["#1f77b4", "#d62728"] } },
    },
    layer: [
      { mark: { type: "rule", strokeWidth: 2 }, encoding: { y: { field: "lo", type: "quantitative", title: "ms" }, y2: { field: "hi" } } },
      { mark: { type: "point", filled: true, size: 60 }, encoding: { y: { field: "value", type: "quantitative" } } },
    ],
  };
  s.charts.push({ helper: "gc pauses compared", name: "percentiles", title: spec.title, spec });
  return { section: s, findings };
}

/** Latency p99 per node/table from histograms(), compared with compareRuns' 10% rule. */
function latencySection(before: Report | undefined, after: Report | undefined, findings: Finding[] = []): Section {
  const s = emptySection("latency compared", "p99 latency per node and table (nodetool histograms), before vs after");
  if (!before || !after) {
    s.status = "cannot answer";
    s.reason = `histograms() did not run on ${!before ? "before" : "after"}`;
    return s;
  }
  const rowsOf = (r: Report) => r.rows("histograms").filter((x) => x.percentile === "99" && /latency/.test(String(x.metric)) && typeof x.value === "number");
  const rb0 = rowsOf(before);
  const ra0 = rowsOf(after);
  // Same nodes: node by node. No node in common (two clusters): the worst node of each, per table and metric.
  const nodesB = new Set(rb0.map((x) => String(x.node)));
  const byNode = ra0.some((x) => nodesB.has(String(x.node)));
  const key = (r: Record<string, unknown>) => `${byNode ? r.node : ""}\u0000${r.keyspace ?? ""}\u0000${r.table}\u0000${r.metric}`;
  const p99 = (rows: Record<string, unknown>[]) => {
    const m = new Map<string, Record<string, unknown>>();
    for (const x of rows) {
      const k = key(x);
      const had = m.get(k);
      if (!had || (x.value as number) > (had.value as number)) m.set(k, byNode ? x : { ...x, node: `worst: ${x.node}` });
    }
    return m;
  };
  const b = p99(rb0);
  const a = p99(ra0);
  const band = BENCH_THRESHOLDS.NOISE_MIN_RELATIVE.value;
  const rows: Record<string, unknown>[] = [];
  for (const [k, ra] of a) {
    const rb = b.get(k);
    if (!rb) continue;
    const vb = (rb.value as number) / 1000;
    const va = (ra.value as number) / 1000;
    const beyond = Math.abs(va - vb) > band * Math.abs(vb);
    rows.push({
      node: ra.node,
      table: ra.table === "proxy" ? "coordinator (proxy)" : `${ra.keyspace}.${ra.table}`,
      metric: ra.metric,
      before_ms: Math.round(vb * 100) / 100,
      after_ms: Math.round(va * 100) / 100,
      diff_pct: vb ? Math.round(((va - vb) / vb) * 1000) / 10 : null,
      verdict: beyond ? (va > vb ? "worse" : "better") : "within noise",
    });
  }
  rows.sort((x, y) => Math.abs(Number(y.diff_pct) || 0) - Math.abs(Number(x.diff_pct) || 0));
  const worse = rows.filter((r) => r.verdict === "worse");
  if (worse.length)
    findings.push({
      severity: "warning",
      id: "compare.latency-worse",
      title:
        `${worse.length} p99 latenc${worse.length === 1 ? "y" : "ies"} worse by more than ${band * 100}% ` +
        `(worst: ${worse[0].table} ${worse[0].metric} ${worse[0].before_ms} → ${worse[0].after_ms} ms)`,
      evidence: worse
        .slice(0, 3)
        .map((r) => `${r.node} ${r.table} ${r.metric}: ${r.before_ms} → ${r.after_ms} ms (${r.diff_pct}%)`)
        .join("; "),
      action: "Compare the two histograms() reports and trace a slow request on the worse side (trace()).",
      helper: "histograms",
    });
  if (!rows.length) {
    s.status = "cannot answer";
    s.reason = "no latency p99 present in both (same node, table and metric)";
    return s;
  }
  s.table = { name: "p99 latency", columns: Object.keys(rows[0]), rows: rows.slice(0, 25), totalRows: rows.length, hiddenColumns: [] };
  s.notes = [
    ...(byNode ? [] : ["The two sources share no node: each row compares the worst node of each, per table and metric."]),
    `Beyond noise when the difference exceeds ${band * 100}% of before (${BENCH_THRESHOLDS.NOISE_MIN_RELATIVE.source}); ` +
      "a nodetool histogram snapshot has no sample count, so no band of its own.",
  ];
  return s;
}

/** A section from a helper's own report (compareRuns). */
function reportSection(r: Report): Section {
  const s = emptySection(r.helper, r.title);
  s.summary = Object.fromEntries(Object.entries(r.summary).filter(([, v]) => v === null || typeof v !== "object"));
  s.findings = r.findings;
  s.notes = r.notes;
  const name = r.previewFrame ?? r.frameNames[0];
  if (name) {
    const rows = r.rows(name);
    const cols = rows.length ? Object.keys(rows[0]) : [];
    s.table = { name, columns: cols, rows: rows.slice(0, 40), totalRows: rows.length, hiddenColumns: [] };
  }
  for (const n of r.chartNames) {
    const c = r.chart(n);
    const t = c.spec.title as unknown;
    s.charts.push({ helper: r.helper, name: n, title: typeof t === "string" ? t : n, spec: c.spec });
  }
  return s;
}

/** Is this path a bench run compareRuns reads (a saved run JSON or a cassandra-stress output)? */
function benchRunOrNull(p: string): unknown {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st?.isFile()) return null;
  try {
    const { readBenchRun, importStress } = require("../analyze/bench/bench") as typeof import("../analyze/bench/bench");
    return p.endsWith(".json") ? readBenchRun(p) : (importStress as (x: string) => unknown)(p);
  } catch (e) {
    if (isCassperfError(e)) return null;
    throw e;
  }
}

/**
 * Compare two sources (or two bench runs) into one model.
 * @example const m = await buildCompareModel("datasets/lab-3node/bench/a.json", "datasets/lab-3node/bench/b.json")
 */
export async function buildCompareModel(before: string, after: string, options: ReportModelOptions = {}): Promise<CompareModel> {
  const generatedAt = new Date().toISOString();
  const runA = benchRunOrNull(before);
  const runB = runA ? benchRunOrNull(after) : null;
  if (runA && runB) {
    const { compareRuns } = require("../analyze/bench/bench") as typeof import("../analyze/bench/bench");
    const r = await compareRuns(runA as never, runB as never);
    const findings: ComparedFinding[] = r.findings.map((f) => ({ ...f, change: "new" }));
    const count = (s: string) => findings.filter((f) => f.severity === s).length;
    const sum = r.summary;
    const from = `before: ${before}; after: ${after}`;
    const head = (metric: string, b: unknown, a: unknown): HeadlineFact => {
      return { metric, value: `${b ?? "—"} → ${a ?? "—"}`, node: null, detail: null, helper: "bench", from };
    };
    return {
      kind: "cassperf-report",
      generatedAt,
      source: {
        input: `${before} vs ${after}`,
        description: `bench runs: before ${sum.a}, after ${sum.b}`,
        nodes: [],
        files: 2,
        bytes: fs.statSync(before).size + fs.statSync(after).size,
      },
      window: null,
      title: r.title,
      counts: { critical: count("critical"), warning: count("warning"), info: count("info") },
      headline: [
        head("ops/s", sum.a_ops_per_s, sum.b_ops_per_s),
        head("p99 ms", sum.a_p99_ms, sum.b_p99_ms),
        { metric: "differences beyond noise", value: String(sum.beyond_noise), node: null, detail: String(sum.noise_rule), helper: "bench", from: null },
      ],
      findings,
      sections: [reportSection(r)],
      timeline: null,
      cannotAnswer: [],
      notes: r.notes,
      compare: { before, after, mode: "bench runs", findings },
    };
  }
  if (runA && !runB) throw new CassperfError(`compare: ${before} is a bench run but ${after} is not one; compare two runs or two recordings.`);
  const mb = await buildReportModel(before, options);
  options.signal?.throwIfAborted();
  const ma = await buildReportModel(after, options);
  const rb = reportsOf(mb);
  const ra = reportsOf(ma);
  const changed = compareFindings(mb.findings, ma.findings);
  const gc = gcSection(gcStops(rb.gcStats), gcStops(ra.gcStats));
  const latFindings: Finding[] = [];
  const lat = latencySection(rb.histograms, ra.histograms, latFindings);
  const ours: ComparedFinding[] = [...gc.findings, ...latFindings].map((f) => ({ ...f, change: "new" as const }));
  const shown: ComparedFinding[] = [...ours, ...changed.filter((f) => f.change !== "resolved")];
  const n = (c: string) => changed.filter((f) => f.change === c).length;
  const changeTitle = `${n("new")} new, ${n("resolved")} resolved, ${n("unchanged")} unchanged (matched by rule id and node)`;
  const changeSection = emptySection("findings compared", changeTitle);
  const fr = changed.map((f) => ({
    change: f.change,
    severity: f.severity,
    before_severity: f.before_severity ?? null,
    id: f.id,
    node: f.node ?? null,
    helper: f.helper ?? null,
    title: f.title,
  }));
  const frCols = ["change", "severity", "before_severity", "id", "node", "helper", "title"];
  changeSection.table = { name: "findings", columns: frCols, rows: fr.slice(0, 60), totalRows: fr.length, hiddenColumns: [] };
  const findings = shown.map((f) => ({ ...f, title: `[${f.change}${f.before_severity ? `, was ${f.before_severity}` : ""}] ${f.title}` }));
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  const cannot = [
    ...[gc.section, lat].filter((x) => x.status === "cannot answer").map((x) => ({ helper: x.helper, reason: x.reason ?? "" })),
    ...ma.cannotAnswer.map((c) => ({ helper: c.helper, reason: `after: ${c.reason}` })),
    ...mb.cannotAnswer.filter((c) => !ma.cannotAnswer.some((x) => x.helper === c.helper)).map((c) => ({ helper: c.helper, reason: `before: ${c.reason}` })),
  ];
  return {
    kind: "cassperf-report",
    generatedAt,
    source: {
      input: `${before} vs ${after}`,
      description: `before: ${mb.source.description}; after: ${ma.source.description}`,
      nodes: [...new Set([...mb.source.nodes, ...ma.source.nodes])],
      files: mb.source.files + ma.source.files,
      bytes: mb.source.bytes + ma.source.bytes,
    },
    window: ma.window,
    title: `before ${mb.counts.critical} critical, ${mb.counts.warning} warning → after ${ma.counts.critical} critical, ${ma.counts.warning} warning`,
    counts: { critical: count("critical"), warning: count("warning"), info: count("info") },
    headline: headlineDeltas(mb.headline, ma.headline),
    findings,
    sections: [changeSection, gc.section, lat],
    timeline: ma.timeline,
    cannotAnswer: cannot,
    notes: [...mb.notes.map((n) => `before: ${n}`), ...ma.notes.map((n) => `after: ${n}`)],
    compare: { before, after, mode: "recordings", findings: changed },
  };
}

/** The findings `--fail-on` gates on: what is there after (new and unchanged), never the resolved ones. */
export function gatingFindings(model: CompareModel): Finding[] {
  return model.findings;
}

/** Write the compare model like a report (the report writers). */
export async function writeCompare(model: CompareModel, a: OutputTargets, signal: AbortSignal, say: (t: string) => void): Promise<void> {
  const outputs: Output[] = [];
  if (a.html || a.md) await renderCharts(model, (d, t) => say(`cassperf compare: chart ${d}/${t}`), signal);
  if (a.html) outputs.push({ target: a.html, content: (require("./html") as typeof import("./html")).renderHtml(model, "cassperf compare") });
  if (a.md) {
    const { renderMarkdown, pngs } = require("./markdown") as typeof import("./markdown");
    const folder = chartsFolderFor(a.md);
    outputs.push({ target: folder, folder: await pngs(allCharts(model), signal) });
    outputs.push({ target: a.md, content: renderMarkdown(model, path.basename(folder), "cassperf compare") });
  }
  if (outputs.length) await writeOutputs(outputs, { force: a.force, signal });
  say("");
  if (a.json) process.stdout.write(`${JSON.stringify(modelToJSON(model), null, 2)}\n`);
  else if (!outputs.length) process.stdout.write((require("./markdown") as typeof import("./markdown")).renderMarkdown(model, ".", "cassperf compare"));
  for (const o of outputs) if (!("folder" in o)) console.error(`cassperf: wrote ${o.target}`);
}
