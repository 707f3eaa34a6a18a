/**
 * histograms(): latency, SSTables-per-read, partition-size and cell-count percentiles of every node
 * and table in one frame, from whatever the source has:
 *  - live: runs `nodetool cfhistograms <ks> <table>` (tablehistograms) and `proxyhistograms` on
 *    every node through the source's nodetool runner, `snapshots` times `intervalSeconds` apart;
 *    on 4.0+ nodes also reads the system_views table metrics (local/coordinator read, write, scan
 *    latency, tombstones_per_read, rows_per_read, max_partition_size) with the query pinned to each node;
 *  - recorded: every cfhistograms/tablehistograms/proxyhistograms output of every node (several
 *    snapshots of a node are kept apart by captured_at), and JmxScraper dumps;
 *  - both: client-side distributions from trace sessions and bench runs (./histograms-client.ts).
 * nodetool only shows one node at one moment; this puts all nodes and snapshots side by side.
 * Steps: gather (gatherLive / gatherRecorded, then ./histograms-client.ts) -> rows sorted into the
 * frame (../../parse/histogram-rows.ts shape) -> facts (latest snapshot of each value) -> rules
 * (./histograms-rules.ts) -> summary and report; the chart specs (percentile ladder, a metric
 * across nodes, a metric over snapshots) live in ../../present/charts/histograms.ts.
 */
import { LiveSource } from "../../cluster/live";
import { LIVE_NODETOOL_MISSING } from "../../cluster/capabilities";
import { runOptions } from "../../run-context";
import { inflect, plural } from "../../present/plural";
import { existingPath, helperArgs, resolveSource, type HelperOptions, type SourceInput } from "../../cluster/resolve";
import { missing, nodetoolTexts, parseFileLines, type NodetoolText } from "../../cluster/evidence";
import { tableNames } from "../../cluster/schema-cql";
import type { Source } from "../../cluster/source";
import { CassperfError } from "../../errors";
import { jmxHistogramRows, parseJmxScraper } from "../../parse/jmx-scraper";
import { parseProxyhistograms, ProxyhistogramsLines } from "../../parse/nodetool-proxyhistograms";
import { SYSTEM_VIEWS, systemViewsHistogramRows } from "../../parse/system-views-latency";
import { clientRows } from "./histograms-client";
import {
  PERCENTILE_ORDER,
  parseTablehistograms,
  TablehistogramsLines,
  type HistogramMetric,
  type HistogramParse,
  type HistogramRow,
  type PercentileLabel,
} from "../../parse/nodetool-tablehistograms";
import { acrossNodesChart, acrossNodesValues, ladderChart, overTimeChart, overTimeSnapshots } from "../../present/charts/histograms";
import { makeReport, answerOrExplain, type DataFrame, type Report, type Summary, type TypedRows } from "../../present/report";
import { CLIENT_METRICS, fmtBytes, fmtMs, METRIC_ORDER, tableKey, type HistogramFrameRow } from "../../parse/histogram-rows";
import { histogramFindings } from "./histograms-rules";

/** Options of {@link histograms}. */
export interface HistogramsOptions extends HelperOptions {
  /**
   * Where to read from: a source, a path (opened on the spot), or omitted for the current source.
   * @example histograms("shop.orders", { source: await open("diag.tar.gz") })
   */
  source?: SourceInput;
  /** Include the coordinator's proxyhistograms (table "proxy"). Default true. */
  proxy?: boolean;
  /** Live only: how many snapshots to take per node. Default 1. */
  snapshots?: number;
  /** Live only: seconds between snapshots. Default 10. */
  intervalSeconds?: number;
  /** Stop taking snapshots (the ones taken are kept; the report says partial). Default: the REPL line's / notebook cell's cancel signal. @example { snapshots: 10, signal: AbortSignal.timeout(60_000) } */
  signal?: AbortSignal;
  /**
   * The metric the "across nodes" and "over time" charts show. Default "read_latency".
   * @example histograms("keyspace1.standard1", { metric: "write_latency" }).chart("across-nodes")
   */
  metric?: HistogramMetric;
  /**
   * Add client-side distributions: trace-session durations per coordinator (traces/sessions.jsonl,
   * live system_traces.sessions) and bench runs' operation latencies. Default true.
   */
  clientSide?: boolean;
  /** Include system keyspaces (system*, dse_*, OpsCenter, HiveMetaStore, solr_admin) in findings and summary. Default false (they stay in the frame). */
  includeSystem?: boolean;
}

export type { HistogramFrameRow } from "../../parse/histogram-rows";

/** For one metric, the table and node with its worst value (p99; max for partition_size and cell_count) among the latest snapshots. */
export interface HistogramWorst {
  /** The node with the worst value. */
  node: string;
  /** "keyspace.table", or "proxy" for the coordinator. */
  table: string;
  /** "99" or "max". */
  percentile: string;
  /** The worst value, in `unit`. */
  value: number;
  /** microseconds | bytes | count. */
  unit: string;
  /** That table's worst node over its best node; null with one node or a zero. */
  spread: number | null;
}

/**
 * histograms()' headline numbers (`summary`). Besides these, per metric with a non-zero value:
 * `<metric>_p99` (or `_max` for partition_size, cell_count: "12.1 ms", "1.5 MiB" or a count),
 * `<metric>_p99_at` ("shop.orders on 10.0.0.3") and `<metric>_p99_spread` (worst node / best node).
 */
export type HistogramsSummary = {
  /** Nodes with server-side rows. */
  nodes: number;
  /** Tables with rows (keyspace.table). */
  tables: number;
  /** The most snapshots any one node has. */
  snapshots: number;
  /** Rows in the `histograms` frame. */
  rows: number;
  /** The worst table and node of each metric with a non-zero value. */
  worst: Partial<Record<HistogramMetric, HistogramWorst>>;
};

/**
 * What histograms() returns: frame `histograms` (one {@link HistogramFrameRow} per node, table,
 * metric, percentile and snapshot); charts "ladder", "across-nodes", "over-time" (the last two only
 * when they have something to draw); findings from RULES.
 * @example (await histograms()).rows("histograms").filter((r) => r.metric === "read_latency" && r.percentile === "99")
 * @example (await histograms()).summary.worst.read_latency
 */
export type HistogramsReport = TypedRows<{ histograms: HistogramFrameRow }> &
  Report<"histograms"> & {
    readonly summary: Summary<HistogramsSummary>;
    /** node, keyspace, table, metric, percentile, value, unit, captured_at, origin. */
    readonly histograms: DataFrame;
  };
export { RULES, THRESHOLDS } from "./histograms-rules";

const SYSTEM_KEYSPACE = /^(system|system_.*|dse_.*|OpsCenter|HiveMetaStore|solr_admin|cfs|cfs_archive|dsefs)$/i;

/** Parse table filter "ks.table" / "ks/table" / "ks table". */
function parseTableArg(table: string | undefined): { keyspace: string; table: string } | undefined {
  if (table === undefined || table === null || table === "") return undefined;
  if (typeof table !== "string") throw new CassperfError(`histograms: expected a table name like "keyspace.table", got ${typeof table}.`);
  const m = /^\s*"?([^."/\s]+)"?\s*[./\s]\s*"?([^."/\s]+)"?\s*$/.exec(table);
  if (!m)
    throw new CassperfError(`histograms: expected a table name like "keyspace.table", got "${table}".`, { hint: 'e.g. histograms("keyspace1.standard1")' });
  return { keyspace: m[1], table: m[2] };
}

/** Sleep `ms`, or less when `signal` aborts first. */
const abortableSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const t: NodeJS.Timeout = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });

/** A time found in a file path (snapshot names such as 2024-01-15T10-00-00Z or 20240115T100000), as ISO. */
function timeInPath(rel: string): string | null {
  const m = /(\d{4})-?(\d\d)-?(\d\d)[T_](\d\d)[-:]?(\d\d)[-:]?(\d\d)/.exec(rel);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : null;
}

/** The keyspace's exact name on a live cluster, matched case-insensitively (stress 2.1 creates "Keyspace1"). */
function liveKeyspaceName(source: LiveSource, keyspace: string): string {
  const ks = (source.client.metadata as unknown as { keyspaces?: Record<string, unknown> }).keyspaces ?? {};
  const name = Object.keys(ks).find((k) => k === keyspace) ?? Object.keys(ks).find((k) => k.toLowerCase() === keyspace.toLowerCase());
  if (!name)
    throw new CassperfError(`histograms: keyspace "${keyspace}" does not exist on ${source.name}.`, { hint: `keyspaces: ${Object.keys(ks).join(", ")}` });
  return name;
}

/** Exact table name of a live cluster from the schema tables (2.1: system.schema_columnfamilies; 3.0+: system_schema.tables). */
async function liveTableFromSchema(source: LiveSource, t: { keyspace: string; table: string }): Promise<{ keyspace: string; table: string }> {
  const ks = { keyspace: liveKeyspaceName(source, t.keyspace), table: t.table };
  const names = await tableNames(source.client, ks.keyspace);
  const found = names.find((n) => n === t.table) ?? names.find((n) => n.toLowerCase() === t.table.toLowerCase());
  if (found) return { keyspace: ks.keyspace, table: found };
  if (names.length)
    throw new CassperfError(`histograms: table "${t.table}" does not exist in keyspace ${ks.keyspace} on ${source.name}.`, {
      hint: `tables: ${names.join(", ")}`,
    });
  return ks;
}

interface Gathered {
  rows: HistogramFrameRow[];
  notes: string[];
  /** True when the snapshots were cancelled part-way. */
  partial?: boolean;
}

function addParsed(out: Gathered, t: Omit<NodetoolText, "text">, parsed: HistogramParse, capturedAt: string | null) {
  if (parsed.nodetoolError) {
    out.notes.push(`${t.origin}: nodetool printed an error instead of histograms: "${parsed.nodetoolError}"`);
    return;
  }
  if (parsed.skipped.length) {
    const s = parsed.skipped[0];
    out.notes.push(
      `${t.origin}: skipped ${plural(parsed.skipped.length, "line")} not understood; first at line ${s.line}: "${s.text.trim().slice(0, 80)}" (${s.reason})`,
    );
  }
  const noSSTables = parsed.tables.filter((x) => x.notes.some((n) => /No SSTables exists/.test(n))).length;
  if (noSSTables)
    out.notes.push(
      `${t.origin}: ${plural(noSSTables, "table")} ${inflect(noSSTables, "has", "have")} no SSTables: their partition size and cell count are missing (null), not 0`,
    );
  const empty = parsed.tables.reduce((n, x) => n + x.empty.length, 0);
  if (empty)
    out.notes.push(
      `${t.origin}: ${plural(empty, "histogram")} ${inflect(empty, "was", "were")} empty (0 at every percentile: no operations recorded): kept as missing (null), not 0`,
    );
  for (const r of parsed.rows) out.rows.push(frameRow(t.node, r, capturedAt, `${t.origin}:${r.line}`));
}

function frameRow(node: string, r: HistogramRow, capturedAt: string | null, origin: string): HistogramFrameRow {
  return {
    node,
    keyspace: r.keyspace,
    table: r.table,
    metric: r.metric,
    percentile: r.percentile,
    value: r.value,
    unit: r.unit,
    captured_at: capturedAt,
    origin,
  };
}

/** Cassandra 4.0+: the system_views table metrics of every node (each query pinned to its node). */
async function readSystemViews(source: LiveSource, name: { keyspace: string; table: string } | undefined, out: Gathered, round: string): Promise<void> {
  const versions = source.versions();
  for (const host of source.client.hosts.values()) {
    const node = host.address.replace(/:\d+$/, "");
    const major = Number(/^(\d+)/.exec(versions[node] ?? "")?.[1] ?? 0);
    if (major < 4) continue;
    for (const view of Object.keys(SYSTEM_VIEWS)) {
      const where = name ? " WHERE keyspace_name = ? AND table_name = ?" : "";
      try {
        const rs = await source.client.execute(`SELECT * FROM system_views.${view}${where}`, name ? [name.keyspace, name.table] : [], {
          host,
          prepare: false,
        } as never);
        for (const r of systemViewsHistogramRows(view, rs.rows as unknown as Record<string, unknown>[]))
          out.rows.push(frameRow(node, r, round, `live system_views.${view} on ${node}`));
      } catch (e) {
        out.notes.push(`system_views.${view} on ${node} could not be read: ${(e as Error).message.slice(0, 120)}`);
      }
    }
  }
}

/** Read every histogram the source has (see the top comment). */
async function gather(source: Source, target: { keyspace: string; table: string } | undefined, opts: HistogramsOptions): Promise<Gathered> {
  return source instanceof LiveSource ? gatherLive(source, target, opts) : gatherRecorded(source, opts);
}

/** Live: nodetool tablehistograms/proxyhistograms on every node and 4.0+ system_views, `snapshots` rounds apart. */
async function gatherLive(source: LiveSource, target: { keyspace: string; table: string } | undefined, opts: HistogramsOptions): Promise<Gathered> {
  const out: Gathered = { rows: [], notes: [] };
  const wantProxy = opts.proxy !== false;
  const hasViews = Object.values(source.versions()).some((v) => Number(/^(\d+)/.exec(v)?.[1] ?? 0) >= 4);
  if (!source.hasNodetool() && !hasViews) {
    out.notes.push(
      'no nodetool runner and no system_views (nodes older than 4.0): only client-side distributions (trace sessions, bench runs) could be read; connect({ ..., nodetool: "/path/to/nodetool -h {host}" }) for the nodes\' histograms',
    );
    return out;
  }
  if (!source.hasNodetool()) out.notes.push("no nodetool runner: only the system_views table metrics were read (no proxyhistograms, no SSTables per read)");
  const name = target ? await liveTableFromSchema(source, target) : undefined;
  const snapshots = Math.max(1, Math.floor(opts.snapshots ?? 1));
  // The REPL line's / notebook cell's cancel signal (or opts.signal): stop between snapshots, keep what was taken.
  const { signal } = runOptions(opts.signal ? { signal: opts.signal } : {});
  for (let s = 0; s < snapshots; s++) {
    if (s > 0) await abortableSleep((opts.intervalSeconds ?? 10) * 1000, signal);
    if (signal.aborted) {
      if (s === 0) signal.throwIfAborted();
      out.notes.push(`Cancelled: partial, ${plural(s, "snapshot")} of ${snapshots} taken.`);
      out.partial = true;
      break;
    }
    // One captured_at per round (the time it started), so a round's nodes form one snapshot.
    const round = new Date().toISOString();
    // nodetoolTexts returns [] when the source has no nodetool runner.
    const tables = nodetoolTexts(source, "tablehistograms", name ? [name.keyspace, name.table] : []).then(
      (ts) => ts.map((t) => addParsed(out, t, parseTablehistograms(t.text, { file: t.origin }), round)),
      (e: unknown) => {
        // Without a table, 3.x+ prints every table; 2.1 refuses ("requires ks and cf args") and we say so.
        if (name || !(e instanceof CassperfError)) throw e;
        if (s === 0)
          out.notes.push(
            `no table given and nodetool cfhistograms without a table failed (Cassandra 2.1 needs a keyspace and table); only the coordinator's proxyhistograms were read: pass histograms("ks.table")`,
          );
      },
    );
    const proxy = wantProxy
      ? nodetoolTexts(source, "proxyhistograms").then((ts) => ts.map((t) => addParsed(out, t, parseProxyhistograms(t.text, { file: t.origin }), round)))
      : Promise.resolve();
    await Promise.all([tables, proxy]);
    await readSystemViews(source, name, out, round);
  }
  return out;
}

/** Recorded: every nodetool histogram output of every node, and JmxScraper dumps. */
async function gatherRecorded(source: Source, opts: HistogramsOptions): Promise<Gathered> {
  const out: Gathered = { rows: [], notes: [] };
  const wantProxy = opts.proxy !== false;
  // Each output parsed as it is read, block by block (no whole-file string, #24); a parser's error stops the helper.
  const capturedAt = (source as { manifest?: { captured_at?: string } }).manifest?.captured_at;
  for (const command of wantProxy ? ["tablehistograms", "proxyhistograms"] : ["tablehistograms"]) {
    for (const f of source.files({ kind: "nodetool", command })) {
      const parser = command === "proxyhistograms" ? new ProxyhistogramsLines({ file: f.rel }) : new TablehistogramsLines({ file: f.rel });
      const parsed = await parseFileLines(source, f, parser);
      const t = { node: f.node, command, origin: f.rel, ...(capturedAt ? { capturedAt } : {}) };
      addParsed(out, t, parsed, t.capturedAt ?? timeInPath(t.origin));
    }
  }
  for (const f of source.files({ kind: "jmx-dump" })) {
    const parsed = parseJmxScraper(await source.readText(f), { file: f.rel });
    if (parsed.skipped.length)
      out.notes.push(
        `${f.rel}: skipped ${plural(parsed.skipped.length, "line")} that ${inflect(parsed.skipped.length, "is", "are")} not JmxScraper attributes; first at line ${parsed.skipped[0].line}`,
      );
    for (const r of jmxHistogramRows(parsed.attributes)) {
      if (r.table === "proxy" && !wantProxy) continue;
      out.rows.push(frameRow(f.node, r, timeInPath(f.rel), `${f.rel}:${r.line}`));
    }
  }
  return out;
}

/** The latest snapshot of each (node, keyspace, table, metric, percentile). */
function latestRows(rows: HistogramFrameRow[]): HistogramFrameRow[] {
  const m = new Map<string, HistogramFrameRow>();
  for (const r of rows) {
    const k = `${r.node}\u0000${r.keyspace}\u0000${r.table}\u0000${r.metric}\u0000${r.percentile}`;
    const prev = m.get(k);
    if (!prev || (r.captured_at ?? "") >= (prev.captured_at ?? "")) m.set(k, r);
  }
  return [...m.values()];
}

/**
 * histograms(): percentiles of latency, SSTables per read, partition size and cell count per node
 * and table (and the coordinator's proxyhistograms), from live nodetool, recorded nodetool outputs
 * or JmxScraper dumps.
 *
 * Frame `histograms`: node, keyspace, table ("proxy" for the coordinator), metric (read_latency,
 * write_latency, range_latency, cas_read_latency, cas_write_latency, view_write_latency,
 * sstables_per_read, partition_size, cell_count), percentile ("50", "75", "95", "98", "99", "99.9",
 * "min", "max"), value (null = NaN / no SSTables), unit (microseconds | bytes | count),
 * captured_at, origin (file:line).
 * Charts: "ladder" (percentile ladder per node, log scale), "across-nodes" (one metric across
 * nodes), "over-time" (a metric over snapshots). Findings: see {@link RULES} and {@link THRESHOLDS}.
 *
 * @param table "keyspace.table" to focus on (recorded: filters the rows; live: the table nodetool reads). Omit (or pass the options here) for all tables.
 * @example const h = await histograms("keyspace1.standard1"); h.findings; h.chart("ladder")
 * @example await histograms({ source: "datasets/lab-3node" })   // every table of a recording (or "path/to/bundle")
 * @example await histograms("shop.orders", { snapshots: 3, intervalSeconds: 30, metric: "write_latency" })
 */
export async function histograms(table?: string | SourceInput | HistogramsOptions, opts?: HistogramsOptions): Promise<HistogramsReport> {
  // The calling rule (../../cluster/resolve.ts helperArgs): a source or a path first is the source; a table name is the subject.
  const a = helperArgs<HistogramsOptions>("histograms", table, opts, "table");
  const subject = typeof a.subject === "object" ? `${a.subject.keyspace}.${a.subject.table}` : a.subject;
  // A source without the evidence gives an empty report that says why (../../present/report.ts answerOrExplain).
  return answerOrExplain("histograms", ["histograms"] as const, () => histogramsOf(subject, { ...a.options, source: a.source }));
}

/** histograms() itself; histograms() turns "the source has no ..." into an empty report. */
async function histogramsOf(table?: string | HistogramsOptions, opts: HistogramsOptions = {}): Promise<HistogramsReport> {
  if (table !== null && typeof table === "object") {
    opts = table;
    table = undefined;
  }
  // histograms("path/to/bundle-or-file"): a path is read as a source, as gcStats(path) is.
  const asPath = existingPath(table);
  if (asPath !== undefined) {
    opts = { ...opts, source: asPath };
    table = undefined;
  }
  const target = parseTableArg(table);
  const source = await resolveSource(opts.source, "histograms");
  // Gather: the nodes' histograms, then the client's.
  const gathered = await gather(source, target, opts);
  const notes = gathered.notes;
  const client = opts.clientSide === false ? [] : await clientRows(source, notes, target);
  const rows = sortRows(targetRows(gathered.rows, target, source, notes).concat(client));
  if (gathered.rows.length === 0 && client.length === 0) refuseEmpty(source, notes);
  // Facts: the latest snapshot of each value (without system keyspaces unless asked); rules; summary.
  const latest = latestRows(rows);
  const considered = opts.includeSystem || target ? latest : latest.filter((r) => r.table === "proxy" || !SYSTEM_KEYSPACE.test(r.keyspace ?? ""));
  const findings = histogramFindings(considered);
  // A live source without nodetool and no server-side rows: say what is missing and how to give it, not only the client's view.
  if (source instanceof LiveSource && !source.hasNodetool() && gathered.rows.length === 0) {
    findings.push({
      severity: "info",
      id: "histograms.no-server-histograms",
      helper: "histograms",
      title: `no server-side histograms from ${source.name}: connect() was not given a nodetool command`,
      evidence: `${plural(client.length, "client-side row")} (traces, bench runs); no tablehistograms/proxyhistograms read`,
      action: LIVE_NODETOOL_MISSING,
    });
  }
  const summary = summarise(rows, considered);
  const focus = chooseFocus(considered.length ? considered : latest, target);
  const metric = opts.metric ?? "read_latency";
  const columns = {
    node: rows.map((r) => r.node),
    keyspace: rows.map((r) => r.keyspace),
    table: rows.map((r) => r.table),
    metric: rows.map((r) => r.metric),
    percentile: rows.map((r) => r.percentile),
    value: rows.map((r) => r.value),
    unit: rows.map((r) => r.unit),
    captured_at: rows.map((r) => r.captured_at),
    origin: rows.map((r) => r.origin),
  };
  return makeReport({
    helper: "histograms",
    title: target
      ? `percentiles of ${target.keyspace}.${target.table} per node`
      : `percentiles of ${plural(Number(summary.tables), "table")} on ${plural(Number(summary.nodes), "node")}`,
    source: source.describe(),
    summary,
    findings,
    frames: { histograms: columns },
    charts: {
      ladder: () => ladderChart(latest, focus),
      // Bars need a positive value of the metric for the focused table; with none the chart would be empty.
      ...(acrossNodesValues(latest, focus, metric) > 0 ? { "across-nodes": () => acrossNodesChart(latest, focus, metric) } : {}),
      // A line over time needs two dated snapshots of one node; with fewer the chart would be empty.
      ...(overTimeSnapshots(rows, focus, metric) >= 2 ? { "over-time": () => overTimeChart(rows, focus, metric) } : {}),
    },
    notes: [
      ...notes,
      ...(acrossNodesValues(latest, focus, metric) > 0 ? [] : [`No "across-nodes" chart: ${focus} has no ${metric} values above zero on any node.`]),
      ...(overTimeSnapshots(rows, focus, metric) >= 2
        ? []
        : [`No "over-time" chart: ${focus} has fewer than two dated snapshots of ${metric} on any node (record again later for a trend).`]),
    ],
    previewFrame: "histograms",
  }) as HistogramsReport;
}

/** With a table asked for: its rows and the coordinator's; a note when the source has none of it. */
function targetRows(rows: HistogramFrameRow[], target: { keyspace: string; table: string } | undefined, source: Source, notes: string[]): HistogramFrameRow[] {
  if (!target) return rows;
  const ks = target.keyspace.toLowerCase();
  const tb = target.table.toLowerCase();
  const kept = rows.filter((r) => r.table === "proxy" || ((r.keyspace ?? "").toLowerCase() === ks && r.table.toLowerCase() === tb));
  if (!kept.some((r) => r.table !== "proxy")) notes.push(`no histogram of ${target.keyspace}.${target.table} in ${source.describe()}`);
  return kept;
}

/** Nothing read at all: say what the source lacks (an empty report that says why), or why live nodetool gave nothing. */
function refuseEmpty(source: Source, notes: string[]): void {
  if (source instanceof LiveSource && !source.hasNodetool())
    missing(
      "histograms",
      source,
      "nodetool runner (and no system_views latency tables or trace sessions to read instead)",
      'connect({ ..., nodetool: "/path/to/nodetool -h {host}" }) (or "ssh {host} nodetool")',
    );
  if (source instanceof LiveSource)
    throw new CassperfError(`histograms: nodetool on ${source.name} returned no histograms.`, { hint: notes.join("; ") || undefined });
  if (!notes.length)
    missing(
      "histograms",
      source,
      "nodetool tablehistograms/proxyhistograms output or JmxScraper dump",
      "add nodes/<node>/nodetool/cfhistograms (or tablehistograms, proxyhistograms) or a .jmx JmxScraper dump",
    );
}

/** Frame order: node, table, metric (METRIC_ORDER), percentile (PERCENTILE_ORDER), snapshot time. Sorts in place. */
function sortRows(rows: HistogramFrameRow[]): HistogramFrameRow[] {
  const order = (p: PercentileLabel) => PERCENTILE_ORDER.indexOf(p);
  const metricOrder = (m: HistogramMetric) => METRIC_ORDER.indexOf(m);
  return rows.sort(
    (a, b) =>
      a.node.localeCompare(b.node) ||
      tableKey(a).localeCompare(tableKey(b)) ||
      metricOrder(a.metric) - metricOrder(b.metric) ||
      order(a.percentile) - order(b.percentile) ||
      (a.captured_at ?? "").localeCompare(b.captured_at ?? ""),
  );
}

/** Summary: counts, and the worst node/table per metric (p99, max for sizes) with the spread between nodes. */
function summarise(rows: HistogramFrameRow[], considered: HistogramFrameRow[]): HistogramsSummary & Record<string, unknown> {
  const server = rows.filter((r) => !CLIENT_METRICS.includes(r.metric));
  // Summary: worst node/table per metric (p99, max for partition size) and spread between nodes.
  const summary: Omit<HistogramsSummary, "worst"> & Record<string, unknown> = {
    nodes: [...new Set(server.map((r) => r.node))].length,
    tables: [...new Set(rows.filter((r) => r.keyspace !== null).map(tableKey))].length,
    /** The most snapshots any one node has. */
    snapshots: Math.max(
      0,
      ...[...new Set(server.map((r) => r.node))].map((n) => new Set(server.filter((r) => r.node === n).map((r) => r.captured_at ?? "")).size),
    ),
    rows: rows.length,
  };
  const worst: Partial<Record<HistogramMetric, HistogramWorst>> = {};
  for (const metric of METRIC_ORDER) {
    const p: PercentileLabel = metric === "partition_size" || metric === "cell_count" ? "max" : "99";
    const rs = considered.filter((r) => r.metric === metric && r.percentile === p && r.value !== null);
    // All zeros (an idle node, a decayed reservoir) is no data, not a worst table.
    if (!rs.some((r) => r.value! > 0)) continue;
    const w = rs.reduce((a, b) => (b.value! > a.value! ? b : a));
    // Spread: for the worst table, its worst node over its best node (null with one node or a zero).
    const same = rs.filter((r) => tableKey(r) === tableKey(w)).map((r) => r.value!);
    const lo = Math.min(...same);
    const spread = same.length > 1 && lo > 0 ? w.value! / lo : null;
    worst[metric] = { node: w.node, table: tableKey(w), percentile: p, value: w.value!, unit: w.unit, spread };
    // e.g. read_latency_p99 = "12.1 ms", read_latency_p99_at = "shop.orders on 10.0.0.3", read_latency_p99_spread = 3.2 (worst node / best node)
    const key = `${metric}_${p === "max" ? "max" : `p${p}`}`;
    summary[key] = w.unit === "microseconds" ? fmtMs(w.value!) : w.unit === "bytes" ? fmtBytes(w.value!) : w.value;
    summary[`${key}_at`] = `${tableKey(w)} on ${w.node}`;
    if (spread !== null) summary[`${key}_spread`] = Math.round(spread * 100) / 100;
  }
  return { ...summary, worst };
}

/** The table the charts show: the one asked for, else the one with the worst (non-zero) read p99, else the coordinator ("proxy"). */
function chooseFocus(rows: HistogramFrameRow[], target?: { keyspace: string; table: string }): string {
  if (target) {
    const r = rows.find(
      (x) => x.table !== "proxy" && (x.keyspace ?? "").toLowerCase() === target.keyspace.toLowerCase() && x.table.toLowerCase() === target.table.toLowerCase(),
    );
    if (r) return tableKey(r);
  }
  const reads = rows.filter((r) => r.table !== "proxy" && r.metric === "read_latency" && r.percentile === "99" && r.value !== null && r.value > 0);
  if (reads.length) return tableKey(reads.reduce((a, b) => (b.value! > a.value! ? b : a)));
  return rows.some((r) => r.table === "proxy") ? "proxy" : rows[0] ? tableKey(rows[0]) : "proxy";
}
