/**
 * The headline: the one-page numbers health() shows first and `cassperf report` / `compare` read
 * back (../report/model.ts) — nodes, versions, worst GC stop, worst read and write p99, worst
 * tombstones, largest partition, busiest tables, pending compactions, thread pools, dropped
 * messages — each with the helper that read it and `from`, the file (and line) it was read from.
 * A value the source cannot give is null with the reason, never a guess.
 *
 * ONE gathering ({@link gatherHeadline}) from the helpers' reports and a few nodetool outputs and
 * system views, read through the Source; each metric is one step below, in the order of the rows.
 */
import { LiveSource } from "../cluster/live";
import type { RecordedSource } from "../cluster/recorded";
import type { Source } from "../cluster/source";
import { streamedNodetool } from "../cluster/evidence";
import type { LineParser } from "../parse/nodetool-common";
import { TpstatsLines } from "../parse/nodetool-tpstats";
import { readViews, viewNumber } from "../cluster/system-views";
import { CompactionstatsLines, type CompactionstatsParse } from "../parse/nodetool-compactionstats";
import type { Report } from "../present/report";
import { gatherCompactionEvidence, SYSTEM_KEYSPACES } from "./compaction/compaction-evidence";
import { firstInFile, versionsOf } from "./inventory";
import { TRACE_KINDS } from "./trace/trace";
import { inflect, plural } from "../present/plural";

/** One headline fact, as health() read it: the value, the node, and the file (and line) it came from. */
export interface HeadlineFact {
  metric: string;
  value: string | number | null;
  node: string | null;
  detail: string | null;
  helper: string | null;
  /** The file (file:line) the value was read from; several separated by "; ". */
  from: string | null;
}

/** The headline facts of a health() report (its `headline` frame). */
export function headlineFacts(health: Report): HeadlineFact[] {
  return health.rows("headline") as unknown as HeadlineFact[];
}

/** Settings health() shows from system_views.settings (5.0 names; Cassandra's cassandra.yaml documents each). */
const KEY_SETTINGS = [
  "compaction_throughput",
  "concurrent_reads",
  "concurrent_writes",
  "concurrent_compactors",
  "tombstone_warn_threshold",
  "tombstone_failure_threshold",
  "read_request_timeout",
  "write_request_timeout",
  "num_tokens",
];

/** "nodes/x/nodetool/cfstats:12 (x)" -> "nodes/x/nodetool/cfstats:12". */
const cleanOrigin = (o: string) => o.replace(/ \([^()]*\)$/, "");
const fmtMs = (ms: number) => `${ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)} ms`;
function fmtBytes(b: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = b;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${b} bytes` : `${v.toFixed(1)} ${units[i]}`;
}
/** A finite number, else null. */
export const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
type Row = Record<string, unknown>;
/** What compactionAdvice gathers (tablestats only, here). */
type CompactionEvidence = Awaited<ReturnType<typeof gatherCompactionEvidence>>;
/** The row with the largest numeric `k`. */
const worstOf = (rs: Row[], k: string) =>
  rs.filter((r) => num(r[k]) !== null).reduce<Row | undefined>((a, r) => (!a || (r[k] as number) > (a[k] as number) ? r : a), undefined);

/** How many lines a total cites at most (the rest are in the helper's own frame). */
const CITE_CAP = 20;

/** Citations of the lines a total sums ("file:line; file:line"), the first {@link CITE_CAP}: a total is held by those lines, not by one of them. */
function citeLines(froms: string[]): string {
  return [...new Set(froms)].slice(0, CITE_CAP).join("; ");
}

/** "; first 20 of 31 lines cited" when a total sums more lines than {@link citeLines} cites. */
const citedNote = (n: number) => (n > CITE_CAP ? `; first ${CITE_CAP} of ${n} lines cited` : "");

/** What every step reads: the source, the helpers' reports, why some could not answer, and where notes go. */
interface HeadlineInput {
  source: Source;
  reports: Map<string, Report>;
  unanswerable: Map<string, string>;
  notes: string[];
  /** The logs() events (empty when logs did not run). */
  events: Row[];
  /** tablestats through compactionAdvice's gathering (undefined when it could not be read). */
  ev: CompactionEvidence | undefined;
}

/** A null row saying why no helper could give `metric`. */
function none(h: Pick<HeadlineInput, "reports" | "unanswerable">, metric: string, ...helpers: string[]): HeadlineFact {
  const reasons = helpers.map((x) => (h.unanswerable.has(x) ? `${x}: ${h.unanswerable.get(x)}` : h.reports.has(x) ? `${x} saw none` : `${x} did not run`));
  return { metric, value: null, node: null, detail: `not answerable from this source (${reasons.join("; ")})`, helper: null, from: null };
}

/**
 * Build the headline rows from the helpers' reports and a few nodetool outputs (the one gathering
 * health() and, through health(), `cassperf report` and `compare` use).
 */
export async function gatherHeadline(
  source: Source,
  reports: Map<string, Report>,
  unanswerable: Map<string, string>,
): Promise<{ rows: HeadlineFact[]; notes: string[] }> {
  const notes: string[] = [];
  const rows: HeadlineFact[] = [];
  const early = { source, reports, unanswerable };
  rows.push(...(await nodeRows(source, early)));
  rows.push(...(await gcPauseRows(source, reports, early)));
  rows.push(...latencyRows(reports, early));
  const ev = await gatherCompactionEvidence(source, undefined, ["tablestats"]).catch(
    (e) => (notes.push(`headline: table statistics could not be read: ${(e as Error).message}`), undefined),
  );
  const logsRep = reports.get("logs");
  const h: HeadlineInput = { ...early, notes, events: logsRep ? logsRep.rows("events") : [], ev };
  rows.push(tombstoneRow(h), largestPartitionRow(h), ...busiestTableRows(h));
  rows.push(await pendingCompactionRow(h));
  const live = source instanceof LiveSource ? await liveViewRows(source, h) : { rows: [], pools: [], poolNodes: new Set<string>() };
  rows.push(...live.rows);
  rows.push(...(await tpstatsRows(h, live.pools, live.poolNodes)));
  return { rows, notes };
}

/** Cassandra version per node and where it was read. */
async function versionRows(source: Source): Promise<{ node: string; version: string; from: string }[]> {
  const versions = await versionsOf(source);
  const out: { node: string; version: string; from: string }[] = [];
  for (const [node, version] of Object.entries(versions)) {
    let from = "";
    if (source instanceof LiveSource) from = "driver host metadata (release_version)";
    else if ((source as RecordedSource).manifest?.cassandra_versions?.[node] === version) from = "cassperf.json";
    else {
      // Read block by block, no further than the first block that names the version (./inventory.ts firstInFile).
      for (const f of source.files({ kind: "nodetool", command: "version", node }))
        if (!from && (await firstInFile(source, f, (text) => text.includes(version) || undefined))) from = f.rel;
      if (!from) for (const f of source.files({ kind: "system-log", node })) if (!f.compressed) from ||= f.rel;
    }
    out.push({ node, version, from });
  }
  return out.sort((a, b) => a.node.localeCompare(b.node));
}

/** Nodes and versions. */
async function nodeRows(source: Source, h: Pick<HeadlineInput, "reports" | "unanswerable">): Promise<HeadlineFact[]> {
  const rows: HeadlineFact[] = [];
  const nodes = source.nodes();
  const nodesFrom =
    source instanceof LiveSource
      ? "driver host metadata"
      : [
          ...new Set(
            source
              .files()
              .filter((f) => f.node)
              .map((f) => (f.rel.startsWith("nodes/") ? `nodes/${f.node}/` : f.rel)),
          ),
        ].join("; ") || null;
  rows.push({ metric: "nodes", value: nodes.length, node: null, detail: nodes.join(", "), helper: "inventory", from: nodesFrom });
  const versions = await versionRows(source);
  if (versions.length) {
    const distinct = [...new Set(versions.map((v) => v.version))];
    rows.push({
      metric: "versions",
      value: distinct.join(", "),
      node: null,
      detail: distinct.length > 1 ? `mixed versions: ${versions.map((v) => `${v.node} ${v.version}`).join(", ")}` : `${plural(versions.length, "node")}`,
      helper: "inventory",
      from: [...new Set(versions.map((v) => v.from))].join("; "),
    });
  } else rows.push(none(h, "versions", "inventory"));
  return rows;
}

/**
 * The line of the stopped-time line the GC parsers gave a pause's `stopped_ms` from: the first
 * safepoint line after the pause starts (JDK 8 `Total time for which application threads were
 * stopped: S seconds`, unified `Safepoint "…" … Total: N ns`), checked to hold `stoppedMs`; null
 * when none does (the caller then cites the pause's own line).
 */
export async function stoppedLine(source: Source, rel: string, fromLine: number, stoppedMs: number): Promise<number | null> {
  const file = source.files().find((f) => f.rel === rel);
  if (!file) return null;
  // Block by block from the start (a GC log can be gigabytes): lines before the pause are only counted.
  let lineNo = 0;
  for await (const block of source.readLineBlocks(file)) {
    const lines = block.split("\n");
    // A block ends with its last line's "\n" (read-stream.ts), so its last piece is empty, not a line.
    if (lines[lines.length - 1] === "") lines.pop();
    if (lineNo + lines.length < fromLine) {
      lineNo += lines.length;
      continue;
    }
    for (let i = Math.max(0, fromLine - 1 - lineNo); i < lines.length; i++) {
      const l = lines[i];
      const s = /Total time for which application threads were stopped: (\d+(?:[.,]\d+)?) seconds/.exec(l);
      const u = s ? null : /\bSafepoint "[^"]*".*\bTotal: (\d+) ns/.exec(l);
      const ms = s ? Number(s[1].replace(",", ".")) * 1000 : u ? Number(u[1]) / 1e6 : null;
      if (ms !== null) return Math.abs(Math.round(ms * 1000) / 1000 - stoppedMs) < 0.001 ? lineNo + i + 1 : null;
    }
    lineNo += lines.length;
  }
  return null;
}

/** GC: the worst stop a GC log printed, and the worst GCInspector line (a different, coarser measure). */
async function gcPauseRows(source: Source, reports: Map<string, Report>, h: Pick<HeadlineInput, "reports" | "unanswerable">): Promise<HeadlineFact[]> {
  const rows: HeadlineFact[] = [];
  const gc = reports.get("gcStats");
  const pauses = gc ? gc.rows("pauses") : [];
  // The application stop a GC caused: the pause, or the safepoint time around it when longer (as gcStats' rules judge it).
  const stop = (p: Row) => Math.max(num(p.pause_ms) ?? 0, num(p.stopped_ms) ?? 0);
  // gcStats counts GC-log pauses and GCInspector pauses no GC log covers (beyond_gc_log): the worst of those.
  const logPause = worstOf(
    pauses.filter((p) => p.origin === "gc-log" || p.beyond_gc_log === true).map((p) => ({ ...p, stop_ms: stop(p) })),
    "stop_ms",
  );
  const inspPause = worstOf(
    pauses.filter((p) => p.origin === "gcinspector"),
    "pause_ms",
  );
  const gcLogPauses = pauses.filter((p) => p.origin === "gc-log").length;
  // With no GC log at all, a GCInspector pause is the GCInspector row's alone (never "after the GC log's window; 0 pauses").
  if (logPause && (gcLogPauses > 0 || logPause.origin !== "gcinspector")) {
    // The value shown is the stopped time when it is the longer: cite the stopped-time (safepoint) line that holds it, not the pause's first line.
    const stoppedAt =
      (num(logPause.stopped_ms) ?? 0) > (num(logPause.pause_ms) ?? 0)
        ? await stoppedLine(source, String(logPause.file), Number(logPause.line), logPause.stopped_ms as number)
        : null;
    const shown = stoppedAt
      ? `application stopped ${logPause.stopped_ms} ms (line ${stoppedAt}), pause ${num(logPause.pause_ms) ?? "?"} ms (line ${logPause.line})`
      : num(logPause.stopped_ms) === null
        ? `pause ${num(logPause.pause_ms) ?? "?"} ms (stopped time not logged)`
        : `pause ${num(logPause.pause_ms) ?? "?"} ms, application stopped ${num(logPause.stopped_ms)} ms`;
    rows.push({
      metric: "worst GC pause (gc log)",
      value: fmtMs(logPause.stop_ms as number),
      node: String(logPause.node),
      detail:
        `${logPause.origin === "gcinspector" ? "GCInspector line after/before the GC log's time window: " : ""}${logPause.type ?? ""} ${logPause.cause ? `(${logPause.cause}) ` : ""}${shown}, at ${logPause.timestamp ?? `uptime ${logPause.uptime_s}s`}; ${gcLogPauses} pauses in the GC log`.trim(),
      helper: "gcStats",
      from: `${logPause.file}:${stoppedAt ?? logPause.line}`,
    });
  }
  if (inspPause)
    rows.push({
      metric: "worst GC pause (GCInspector)",
      value: fmtMs(inspPause.pause_ms as number),
      node: String(inspPause.node),
      detail: `system.log GCInspector line at ${inspPause.timestamp}: collection time as Cassandra reports it`,
      helper: "gcStats",
      from: `${inspPause.file}:${inspPause.line}`,
    });
  if (!logPause && !inspPause) rows.push(none(h, "worst GC pause", "gcStats"));
  return rows;
}

/** Latency p99 per metric: the worst node/table (proxy = the coordinator's view). */
function latencyRows(reports: Map<string, Report>, h: Pick<HeadlineInput, "reports" | "unanswerable">): HeadlineFact[] {
  const rows: HeadlineFact[] = [];
  const hist = reports.get("histograms");
  for (const [metric, label] of [
    ["read_latency", "worst read p99"],
    ["write_latency", "worst write p99"],
  ] as const) {
    const w = hist
      ? worstOf(
          hist.rows("histograms").filter((r) => r.metric === metric && r.percentile === "99"),
          "value",
        )
      : undefined;
    if (w)
      rows.push({
        metric: label,
        value: fmtMs((w.value as number) / 1000),
        node: String(w.node),
        detail: w.table === "proxy" ? "coordinator (proxyhistograms)" : `${w.keyspace}.${w.table} (local, tablehistograms)`,
        helper: "histograms",
        from: String(w.origin),
      });
    else rows.push(none(h, label, "histograms"));
  }
  return rows;
}

type Candidate = { value: number; node: string | null; detail: string; helper: string; from: string };

/** Tombstones read by one query: log warnings, traces, tablestats' max per slice — the largest. */
function tombstoneRow(h: HeadlineInput): HeadlineFact {
  const { events, reports, source, ev } = h;
  const tombCandidates: Candidate[] = [];
  const wt = worstOf(
    events.filter((e) => e.kind === "tombstone-warning" || e.kind === "tombstone-failure"),
    "tombstones",
  );
  if (wt)
    tombCandidates.push({
      value: wt.tombstones as number,
      node: String(wt.node),
      detail: `${wt.kind} for ${String(wt.query ?? `${wt.keyspace}.${wt.table}`).slice(0, 120)}; ${events.filter((e) => e.kind === "tombstone-warning").length} warnings, ${events.filter((e) => e.kind === "tombstone-failure").length} failures`,
      helper: "logs",
      from: `${wt.file}:${wt.line}`,
    });
  const tr = reports.get("traces");
  const ws = tr ? worstOf(tr.rows("sessions"), "tombstones") : undefined;
  if (ws && (ws.tombstones as number) > 0) {
    const file = source.files({ kind: [...TRACE_KINDS] })[0]?.rel ?? "system_traces.events";
    tombCandidates.push({
      value: ws.tombstones as number,
      node: String(ws.coordinator),
      detail: `trace session ${ws.session_id}: ${String(ws.query ?? "").slice(0, 120)}`,
      helper: "traces",
      from: `${file} (session ${ws.session_id})`,
    });
  }
  for (const t of ev?.tables.values() ?? [])
    if (t.tombstonesPerSliceMax && t.tombstonesPerSliceMax.value > 0)
      tombCandidates.push({
        value: t.tombstonesPerSliceMax.value,
        node: /\(([^()]*)\)$/.exec(t.tombstonesPerSliceMax.origin)?.[1] ?? null,
        detail: `${t.keyspace}.${t.table}: maximum tombstones per slice (last five minutes)`,
        helper: "compactionAdvice",
        from: cleanOrigin(t.tombstonesPerSliceMax.origin),
      });
  const tomb = tombCandidates.sort((a, b) => b.value - a.value)[0];
  return tomb ? { metric: "worst tombstones (one read)", ...tomb } : none(h, "worst tombstones (one read)", "logs", "traces", "compactionAdvice");
}

/** Largest partition: histograms' max, tablestats' compacted partition maximum, large-partition warnings — the largest. */
function largestPartitionRow(h: HeadlineInput): HeadlineFact {
  const { events, reports, ev } = h;
  const hist = reports.get("histograms");
  const partCandidates: Candidate[] = [];
  const wp = hist
    ? worstOf(
        hist.rows("histograms").filter((r) => r.metric === "partition_size" && r.percentile === "max" && r.table !== "proxy"),
        "value",
      )
    : undefined;
  if (wp)
    partCandidates.push({
      value: wp.value as number,
      node: String(wp.node),
      detail: `${wp.keyspace}.${wp.table} (tablehistograms max)`,
      helper: "histograms",
      from: String(wp.origin),
    });
  const wl = worstOf(
    events.filter((e) => e.kind === "large-partition"),
    "partition_bytes",
  );
  if (wl)
    partCandidates.push({
      value: wl.partition_bytes as number,
      node: String(wl.node),
      detail: `${wl.keyspace}.${wl.table} key ${wl.partition_key} (large-partition warning)`,
      helper: "logs",
      from: `${wl.file}:${wl.line}`,
    });
  for (const t of ev?.tables.values() ?? [])
    if (t.partitionMaxBytes && !SYSTEM_KEYSPACES.test(t.keyspace) && /tablestats|cfstats/.test(t.partitionMaxBytes.origin))
      partCandidates.push({
        value: t.partitionMaxBytes.value,
        node: /\(([^()]*)\)$/.exec(t.partitionMaxBytes.origin)?.[1] ?? null,
        detail: `${t.keyspace}.${t.table} (tablestats compacted partition maximum)`,
        helper: "compactionAdvice",
        from: cleanOrigin(t.partitionMaxBytes.origin),
      });
  const part = partCandidates.sort((a, b) => b.value - a.value)[0];
  return part ? { metric: "largest partition", ...part, value: fmtBytes(part.value) } : none(h, "largest partition", "histograms", "logs", "compactionAdvice");
}

/** Busiest tables: local reads + writes summed over nodes (tablestats), the top three. */
function busiestTableRows(h: HeadlineInput): HeadlineFact[] {
  const busy = [...(h.ev?.tables.values() ?? [])]
    .filter((t) => !SYSTEM_KEYSPACES.test(t.keyspace) && (t.reads || t.writes))
    .map((t) => ({ t, ops: (t.reads?.value ?? 0) + (t.writes?.value ?? 0) }))
    .filter((x) => x.ops > 0)
    .sort((a, b) => b.ops - a.ops)
    .slice(0, 3);
  if (!busy.length) return [none(h, "busiest table", "compactionAdvice")];
  return busy.map(({ t, ops }, i) => ({
    metric: `busiest table #${i + 1}`,
    value: `${t.keyspace}.${t.table}`,
    node: null,
    detail: `${ops.toLocaleString("en-US")} local operations: ${(t.reads?.value ?? 0).toLocaleString("en-US")} reads, ${(t.writes?.value ?? 0).toLocaleString("en-US")} writes, summed over nodes`,
    helper: "compactionAdvice",
    from: [...new Set(`${t.reads?.origin ?? ""} + ${t.writes?.origin ?? ""}`.split(" + ").filter(Boolean).map(cleanOrigin))].join("; "),
  }));
}

/** compactionstats parsed line by line, with the line of its first "pending tasks:" (the row cites it). */
class PendingTasksLines implements LineParser<{ p: CompactionstatsParse; pendingLine: number | null }> {
  private readonly lines: CompactionstatsLines;
  private pendingLine: number | null = null;
  constructor(options: { file: string }) {
    this.lines = new CompactionstatsLines(options);
  }
  feed(line: string, n: number): void {
    if (this.pendingLine === null && /^pending tasks:/.test(line)) this.pendingLine = n;
    this.lines.feed(line, n);
  }
  end() {
    return { p: this.lines.end(), pendingLine: this.pendingLine };
  }
}

/**
 * The notes of {@link streamedNodetool} as the headline words them: a command that could not run is
 * "<command>: ...", any other (a file that could not be read or parsed) "headline: ...".
 */
function headlineNotes(command: string, from: string[], notes: string[]): void {
  for (const n of from) notes.push(n.startsWith(`${command}: `) ? n : `headline: ${n}`);
}

/** Pending compactions: nodetool compactionstats per node, the worst node. */
async function pendingCompactionRow(h: HeadlineInput): Promise<HeadlineFact> {
  const { source, notes } = h;
  const pending: { node: string; value: number; from: string }[] = [];
  // Each output parsed as it is read, whatever its size (no whole-file string).
  const failed: string[] = [];
  for (const t of await streamedNodetool(source, "compactionstats", (o) => new PendingTasksLines(o), failed)) {
    const { p, pendingLine } = t.parsed;
    if (p.pending_tasks !== null) pending.push({ node: t.node, value: p.pending_tasks, from: `${t.origin}${pendingLine === null ? "" : `:${pendingLine}`}` });
  }
  headlineNotes("compactionstats", failed, notes);
  if (!pending.length)
    return {
      metric: "pending compactions",
      value: null,
      node: null,
      detail: "not answerable from this source (no nodetool compactionstats output)",
      helper: null,
      from: null,
    };
  const w = pending.sort((a, b) => b.value - a.value)[0];
  return {
    metric: "pending compactions",
    value: w.value,
    node: w.node,
    detail: `worst node; ${pending.reduce((a, p) => a + p.value, 0)} over ${plural(pending.length, "node")}`,
    helper: "compactionAdvice",
    from: w.from,
  };
}

type Pool = { node: string; pool: string; pending: number; blocked: number; from: string };

/** Live 4.0+ nodes: thread pools from system_views.thread_pools, and the rows of the running settings and sstable tasks. */
async function liveViewRows(source: LiveSource, h: HeadlineInput): Promise<{ rows: HeadlineFact[]; pools: Pool[]; poolNodes: Set<string> }> {
  const pools: Pool[] = [];
  const poolNodes = new Set<string>();
  const v = await readViews(source, "thread_pools");
  for (const f of v.failed)
    h.notes.push(`system_views.thread_pools on ${f.node} could not be read (${f.error}); tpstats is used for it when nodetool is available`);
  for (const r of v.reads) {
    poolNodes.add(r.node);
    for (const p of r.rows)
      pools.push({
        node: r.node,
        pool: String(p.name),
        pending: viewNumber(p.pending_tasks) ?? 0,
        blocked: viewNumber(p.blocked_tasks) ?? 0,
        from: r.origin,
      });
  }
  const rows: HeadlineFact[] = [];
  const settings = await settingsRow(source);
  if (settings) rows.push(settings);
  const tasks = await sstableTasksRow(source);
  if (tasks) rows.push(tasks);
  return { rows, pools, poolNodes };
}

/** The running settings that bound throughput and tombstone reads (system_views.settings: the node's yaml as running). */
async function settingsRow(source: LiveSource): Promise<HeadlineFact | undefined> {
  const settings = await readViews(source, "settings", "WHERE name IN ?", [KEY_SETTINGS]);
  if (!settings.reads.length) return undefined;
  const seen = new Map<string, Set<string>>();
  for (const r of settings.reads)
    for (const row of r.rows) {
      const set = seen.get(String(row.name)) ?? new Set<string>();
      set.add(String(row.value));
      seen.set(String(row.name), set);
    }
  const differ = [...seen].filter(([, v]) => v.size > 1).map(([k]) => k);
  return {
    metric: "settings",
    value: differ.length ? `${differ.length} differ between nodes` : "same on every node",
    node: null,
    detail: KEY_SETTINGS.filter((k) => seen.has(k))
      .map((k) => `${k}=${[...seen.get(k)!].join("|")}`)
      .join(", "),
    helper: "health",
    from: settings.reads.map((r) => r.origin).join("; "),
  };
}

/** Running compactions and other sstable operations right now (system_views.sstable_tasks; no nodetool compactionstats needed). */
async function sstableTasksRow(source: LiveSource): Promise<HeadlineFact | undefined> {
  const tasks = await readViews(source, "sstable_tasks");
  if (!tasks.reads.length) return undefined;
  const all = tasks.reads.flatMap((r) => r.rows.map((t) => ({ node: r.node, t, from: r.origin })));
  const busiest = tasks.reads.slice().sort((a, b) => b.rows.length - a.rows.length)[0];
  return {
    metric: "running sstable tasks",
    value: all.length,
    node: all.length ? busiest.node : null,
    detail: all.length
      ? all
          .slice(0, 3)
          .map(({ node, t }) =>
            `${node} ${t.kind} ${t.keyspace_name}.${t.table_name} ${viewNumber(t.progress) ?? "?"}/${viewNumber(t.total) ?? "?"} ${t.unit ?? ""}`.trim(),
          )
          .join("; ")
      : `none on ${tasks.reads.length} node(s) right now`,
    helper: "health",
    from: all.length ? busiest.origin : tasks.reads.map((r) => r.origin).join("; "),
  };
}

/**
 * Thread pools (pending and blocked tasks) and dropped messages: nodetool tpstats per node (pools
 * only for nodes the live views did not answer), plus the logs' "messages were dropped" lines.
 */
async function tpstatsRows(h: HeadlineInput, pools: Pool[], poolNodes: Set<string>): Promise<HeadlineFact[]> {
  const { source, notes } = h;
  const dropped: { node: string; value: number; from: string; top: string; lines: string[] }[] = [];
  // Each output parsed as it is read, whatever its size (no whole-file string).
  const failed: string[] = [];
  for (const t of await streamedNodetool(source, "tpstats", (o) => new TpstatsLines(o), failed)) {
    const p = t.parsed;
    if (p.nodetoolError) continue;
    if (!poolNodes.has(t.node))
      for (const pool of p.pools)
        pools.push({
          node: t.node,
          pool: pool.pool,
          pending: pool.pending ?? 0,
          blocked: pool.blocked ?? 0,
          from: pool.line ? `${t.origin}:${pool.line}` : t.origin,
        });
    const total = p.dropped.reduce((a, d) => a + (d.dropped ?? 0), 0);
    const top = p.dropped.filter((d) => (d.dropped ?? 0) > 0).sort((a, b) => (b.dropped ?? 0) - (a.dropped ?? 0))[0];
    const lines = p.dropped.filter((d) => (d.dropped ?? 0) > 0).map((d) => `${t.origin}:${d.line}`);
    dropped.push({
      node: t.node,
      value: total,
      from: top ? `${t.origin}:${top.line}` : t.origin,
      top: top ? `${top.message_type} ${top.dropped}` : "",
      lines,
    });
  }
  headlineNotes("tpstats", failed, notes);
  const rows: HeadlineFact[] = [];
  if (pools.length) rows.push(threadPoolRow(pools));
  if (dropped.length) {
    const w = dropped.sort((a, b) => b.value - a.value)[0];
    // A total over nodes and message types: cite every non-zero line, the worst node's top type first.
    const lines = [w.from, ...dropped.flatMap((d) => d.lines)];
    const n = new Set(lines).size;
    rows.push({
      metric: "dropped messages (tpstats)",
      value: dropped.reduce((a, d) => a + d.value, 0),
      node: w.value > 0 ? w.node : null,
      detail:
        w.value > 0
          ? `most on ${w.node} (${w.top}); counted since each node started${citedNote(n)}`
          : `none on ${plural(dropped.length, "node")}, since each node started`,
      helper: "health",
      from: w.value > 0 ? citeLines(lines) : dropped.map((d) => d.from).join("; "),
    });
  }
  rows.push(...droppedLogRows(h, dropped.length > 0));
  return rows;
}

/** The thread-pool total: pending + blocked over every pool, citing every busy pool's line (the worst first). */
function threadPoolRow(pools: Pool[]): HeadlineFact {
  const w = pools.slice().sort((a, b) => b.pending + b.blocked - (a.pending + a.blocked))[0];
  const busy = pools.filter((p) => p.pending + p.blocked > 0);
  const busyFrom = [w, ...busy.filter((p) => p !== w)].map((p) => p.from);
  return {
    metric: "thread pools: pending + blocked tasks",
    value: busy.reduce((a, p) => a + p.pending + p.blocked, 0),
    node: busy.length ? w.node : null,
    detail: busy.length
      ? `most on ${w.node} ${w.pool} (${w.pending} pending, ${w.blocked} blocked); ${busy.length} busy pool(s) of ${pools.length}${citedNote(busy.length)}`
      : `none pending or blocked in ${pools.length} pools on ${new Set(pools.map((p) => p.node)).size} node(s)`,
    helper: "health",
    from: busy.length ? citeLines(busyFrom) : [...new Set(pools.map((p) => p.from.replace(/:\d+$/, "")))].join("; "),
  };
}

/** The logs' "messages were dropped" lines, summed (or none seen in the logs read); a null row when neither tpstats nor logs answered. */
function droppedLogRows(h: HeadlineInput, fromTpstats: boolean): HeadlineFact[] {
  const logsRep = h.reports.get("logs");
  const droppedLines = h.events.filter((e) => e.kind === "dropped-messages");
  const rows: HeadlineFact[] = [];
  if (droppedLines.length) {
    const first = droppedLines[0];
    // The value sums every "messages were dropped" line: cite those lines (the first CITE_CAP), not only the first.
    rows.push({
      metric: "dropped messages (log lines)",
      value: droppedLines.reduce((a, e) => a + (num(e.dropped) ?? 0), 0),
      node: String(first.node),
      detail: `${droppedLines.length} "messages were dropped" ${inflect(droppedLines.length, "line")} in the logs, summed${citedNote(droppedLines.length)}`,
      helper: "logs",
      from: citeLines(droppedLines.map((e) => `${e.file}:${e.line}`)),
    });
  } else if (logsRep && !fromTpstats)
    rows.push({
      metric: "dropped messages (log lines)",
      value: 0,
      node: null,
      detail: "no dropped-message lines in the logs read",
      helper: "logs",
      from:
        logsRep
          .rows("files")
          .map((f) => String(f.file))
          .join("; ") || null,
    });
  if (!fromTpstats && !logsRep) rows.push(none(h, "dropped messages", "logs"));
  return rows;
}
