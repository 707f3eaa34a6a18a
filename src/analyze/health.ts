/**
 * health(): the one-page report, like sperf's default summary. It runs every helper the source can
 * answer (and so every rule table), and returns ONE report:
 *
 *  - frame `headline`: nodes, versions, worst GC pause, worst read and write p99, worst tombstones,
 *    largest partition, busiest tables, pending compactions, dropped messages — each row with the
 *    helper that read it and `from`, the file (and line) the value was read from. A value the
 *    source cannot give is null with the reason, never a guess;
 *  - `findings`: every helper's findings, ranked by severity, each with `helper` naming the helper
 *    that explains it (call that helper for the detail); a rule two helpers share (the heap rule
 *    of gcStats and jvm) gives one finding per node ({@link oncePerRule});
 *  - frame `helpers`: what ran, what failed (its error is also a note) and what the source cannot
 *    answer, with the reason and what to add;
 *  - `reports`: each helper's own report, to drill down without re-running it.
 *
 * Which helpers run, in which order, is the registry's (../helpers.ts HELPERS: each entry with a
 * `health` runner); whether each can answer is the capability table's (./capabilities.ts).
 * A helper that throws never sinks health(): its error becomes a note and a "failed" row.
 */
import { CassperfError, isCassperfError } from "../errors";
import { LiveSource } from "../cluster/live";
import type { RecordedSource } from "../cluster/recorded";
import { capability, capabilityRule } from "./capabilities";
import { resolveSource, type HelperOptions, type SourceInput } from "../cluster/resolve";
import type { FileKind, Source } from "../cluster/source";
import { nodetoolTexts } from "../cluster/evidence";
import { parseTpstats } from "../parse/nodetool-tpstats";
import { readViews, viewNumber } from "../cluster/system-views";
import { parseCompactionstats } from "../parse/nodetool-compactionstats";
import { makeReport, rowsToColumns, sortFindings, unansweredReason, type DataFrame, type Finding, type Report } from "../present/report";
import { gatherCompactionEvidence, SYSTEM_KEYSPACES } from "./compaction/compaction-evidence";
import { versionsOf } from "./inventory";
import { TRACE_KINDS } from "./trace/trace";
import { inflect, plural } from "../present/plural";

/** Options of {@link health}. */
export interface HealthOptions extends HelperOptions {
  /**
   * Helpers not to run (by name), e.g. the slow ones on a live cluster.
   * @example await health(live, { skip: ["traces", "histograms"] })
   */
  skip?: string[];
}

/** What a step of health() sees: the reports of the helpers that ran before it (by helper name). */
export interface RunContext {
  reports: Map<string, Report>;
}

/**
 * One helper health() runs, and how (the registry, ../helpers.ts HELPERS, gives health() its steps in
 * order: an entry with a `health` runner is a step). The evidence each needs is in ONE table shared
 * with inventory() and the helpers' own errors (./capabilities.ts HELPER_CAPABILITIES).
 */
export interface HealthStep {
  helper: string;
  run: (source: Source, ctx: RunContext) => Promise<Report>;
}

/**
 * One finding per rule, node and title across helpers: a rule two helpers share (the heap rule of
 * gcStats and jvm(), ./gc/heap.ts) raises the same finding in both reports; health() lists it once,
 * as the helper that ran LAST raised it (a later helper builds on the earlier ones' reports: jvm()
 * reads gcStats's, and adds the command line). Findings of one report are never folded together,
 * and each helper's own report still has its finding.
 */
export function oncePerRule(reports: Map<string, Finding[]>): Finding[] {
  const key = (f: Finding) => `${f.id}\u0000${f.node ?? ""}\u0000${f.title}`;
  const raisedBy = new Map<string, string>();
  for (const [name, fs] of reports) for (const f of fs) raisedBy.set(key(f), name);
  return [...reports].flatMap(([name, fs]) => fs.filter((f) => raisedBy.get(key(f)) === name));
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

/**
 * The table health()'s partitionScan step scans (recorded only: a live scan reads a whole table): the one
 * with the largest partition the earlier helpers saw, else the largest a system table lists; throws when none.
 */
export async function tableToScan(source: Source, ctx: RunContext): Promise<string> {
  const table = largestPartitionTable(ctx) ?? (await largestSystemTable(source));
  if (!table) throw new CassperfError("partitionScan: no table with a known partition size to scan (no histograms, tablestats or large-partition warnings)");
  return table;
}

/** Why a helper cannot answer from this source, or null when it can (./capabilities.ts, the table inventory() uses too). */
export async function cannotAnswer(h: HealthStep, source: Source): Promise<string | null> {
  // health() never scans a live table: that reads a whole table (run partitionScan("ks.t") yourself).
  if (h.helper === "partitionScan" && source instanceof LiveSource)
    return 'a live partitionScan reads a whole table; run partitionScan("keyspace.table") on the table you suspect';
  if (!capabilityRule(h.helper)) return null;
  const c = await capability(h.helper, source);
  return c.answerable ? null : c.reason;
}

/** What to add so `h` can answer (the capability table's words). */
function whatToAdd(h: HealthStep): string {
  return capabilityRule(h.helper)?.missing ?? "";
}

/** One headline row. */
interface HeadRow {
  metric: string;
  value: string | number | null;
  node: string | null;
  detail: string | null;
  helper: string | null;
  /** The file (file:line) the value was read from; several separated by "; ". */
  from: string | null;
}

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
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** The table holding the largest partition the helpers that ran saw ("ks.table"), for partitionScan. */
function largestPartitionTable(ctx: RunContext): string | undefined {
  let best: { table: string; bytes: number } | undefined;
  const h = ctx.reports.get("histograms");
  if (h)
    for (const r of h.rows("histograms"))
      if (
        r.metric === "partition_size" &&
        r.percentile === "max" &&
        r.keyspace &&
        num(r.value) !== null &&
        !SYSTEM_KEYSPACES.test(String(r.keyspace)) &&
        (!best || (r.value as number) > best.bytes)
      )
        best = { table: `${r.keyspace}.${r.table}`, bytes: r.value as number };
  const l = ctx.reports.get("logs");
  if (l)
    for (const e of l.rows("events"))
      if (e.kind === "large-partition" && e.keyspace && e.table && num(e.partition_bytes) !== null && (!best || (e.partition_bytes as number) > best.bytes))
        best = { table: `${e.keyspace}.${e.table}`, bytes: e.partition_bytes as number };
  // tablestats' "Compacted partition maximum bytes", as compactionAdvice cited it (the capability table counts tablestats too).
  const c = ctx.reports.get("compactionAdvice");
  if (c && (c.frameNames as string[]).includes("evidence"))
    for (const e of c.rows("evidence"))
      if (
        e.item === "partition_max_bytes" &&
        num(e.value) !== null &&
        !SYSTEM_KEYSPACES.test(String(e.table).split(".")[0]) &&
        (!best || (e.value as number) > best.bytes)
      )
        best = { table: String(e.table), bytes: e.value as number };
  // No user table with a known partition size: the largest system table's tablestats/histograms still answer.
  if (!best && h)
    for (const r of h.rows("histograms"))
      if (r.metric === "partition_size" && r.percentile === "max" && r.keyspace && num(r.value) !== null && (!best || (r.value as number) > best.bytes))
        best = { table: `${r.keyspace}.${r.table}`, bytes: r.value as number };
  return best?.table;
}

/** The system table with the largest tablestats partition maximum, when no user table has one. */
async function largestSystemTable(source: Source): Promise<string | undefined> {
  const ev = await gatherCompactionEvidence(source, undefined, ["tablestats"]).catch(() => undefined);
  let best: { table: string; bytes: number } | undefined;
  for (const t of ev?.tables.values() ?? []) {
    const v = num(t.partitionMaxBytes?.value);
    if (v !== null && v > 0 && (!best || v > best.bytes)) best = { table: `${t.keyspace}.${t.table}`, bytes: v };
  }
  return best?.table;
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
      for (const f of source.files({ kind: "nodetool", command: "version", node })) if ((await source.readText(f)).includes(version)) from ||= f.rel;
      if (!from) for (const f of source.files({ kind: "system-log", node })) if (!f.compressed) from ||= f.rel;
    }
    out.push({ node, version, from });
  }
  return out.sort((a, b) => a.node.localeCompare(b.node));
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
  const lines = (await source.readText(file)).split("\n");
  for (let i = Math.max(0, fromLine - 1); i < lines.length; i++) {
    const l = lines[i];
    const s = /Total time for which application threads were stopped: (\d+(?:[.,]\d+)?) seconds/.exec(l);
    const u = s ? null : /\bSafepoint "[^"]*".*\bTotal: (\d+) ns/.exec(l);
    const ms = s ? Number(s[1].replace(",", ".")) * 1000 : u ? Number(u[1]) / 1e6 : null;
    if (ms !== null) return Math.abs(Math.round(ms * 1000) / 1000 - stoppedMs) < 0.001 ? i + 1 : null;
  }
  return null;
}

/** How many lines a total cites at most (the rest are in the helper's own frame). */
const CITE_CAP = 20;

/** Citations of the lines a total sums ("file:line; file:line"), the first {@link CITE_CAP}: a total is held by those lines, not by one of them. */
function citeLines(froms: string[]): string {
  return [...new Set(froms)].slice(0, CITE_CAP).join("; ");
}

/** "; first 20 of 31 lines cited" when a total sums more lines than {@link citeLines} cites. */
const citedNote = (n: number) => (n > CITE_CAP ? `; first ${CITE_CAP} of ${n} lines cited` : "");

/** Build the headline rows from the helpers' reports and a few nodetool outputs. */
async function headline(source: Source, reports: Map<string, Report>, unanswerable: Map<string, string>): Promise<{ rows: HeadRow[]; notes: string[] }> {
  const rows: HeadRow[] = [];
  const notes: string[] = [];
  const why = (...helpers: string[]) => {
    const reasons = helpers.map((h) => (unanswerable.has(h) ? `${h}: ${unanswerable.get(h)}` : reports.has(h) ? `${h} saw none` : `${h} did not run`));
    return `not answerable from this source (${reasons.join("; ")})`;
  };
  const none = (metric: string, ...helpers: string[]) => rows.push({ metric, value: null, node: null, detail: why(...helpers), helper: null, from: null });

  // Nodes and versions.
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
  } else none("versions", "inventory");

  // GC: the worst pause a GC log printed, and the worst GCInspector line (a different, coarser measure).
  const gc = reports.get("gcStats");
  const pauses = gc ? gc.rows("pauses") : [];
  const worstOf = (rs: Record<string, unknown>[], k: string) =>
    rs.filter((r) => num(r[k]) !== null).reduce<Record<string, unknown> | undefined>((a, r) => (!a || (r[k] as number) > (a[k] as number) ? r : a), undefined);
  // The application stop a GC caused: the pause, or the safepoint time around it when longer (as gcStats' rules judge it).
  const stop = (p: Record<string, unknown>) => Math.max(num(p.pause_ms) ?? 0, num(p.stopped_ms) ?? 0);
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
  if (!logPause && !inspPause) none("worst GC pause", "gcStats");

  // Latency p99 per metric: the worst node/table (proxy = the coordinator's view).
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
    else none(label, "histograms");
  }

  // Tombstones read by one query: log warnings, traces, tablestats' max per slice.
  const ev = await gatherCompactionEvidence(source, undefined, ["tablestats"]).catch(
    (e) => (notes.push(`headline: table statistics could not be read: ${(e as Error).message}`), undefined),
  );
  const tombCandidates: { value: number; node: string | null; detail: string; helper: string; from: string }[] = [];
  const logsRep = reports.get("logs");
  const events = logsRep ? logsRep.rows("events") : [];
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
  if (tomb) rows.push({ metric: "worst tombstones (one read)", ...tomb });
  else none("worst tombstones (one read)", "logs", "traces", "compactionAdvice");

  // Largest partition: histograms' max, tablestats' compacted partition maximum, large-partition warnings.
  const partCandidates: { value: number; node: string | null; detail: string; helper: string; from: string }[] = [];
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
  if (part) rows.push({ metric: "largest partition", ...part, value: fmtBytes(part.value) });
  else none("largest partition", "histograms", "logs", "compactionAdvice");

  // Busiest tables: local reads + writes summed over nodes (tablestats).
  const busy = [...(ev?.tables.values() ?? [])]
    .filter((t) => !SYSTEM_KEYSPACES.test(t.keyspace) && (t.reads || t.writes))
    .map((t) => ({ t, ops: (t.reads?.value ?? 0) + (t.writes?.value ?? 0) }))
    .filter((x) => x.ops > 0)
    .sort((a, b) => b.ops - a.ops)
    .slice(0, 3);
  busy.forEach(({ t, ops }, i) =>
    rows.push({
      metric: `busiest table #${i + 1}`,
      value: `${t.keyspace}.${t.table}`,
      node: null,
      detail: `${ops.toLocaleString("en-US")} local operations: ${(t.reads?.value ?? 0).toLocaleString("en-US")} reads, ${(t.writes?.value ?? 0).toLocaleString("en-US")} writes, summed over nodes`,
      helper: "compactionAdvice",
      from: [...new Set(`${t.reads?.origin ?? ""} + ${t.writes?.origin ?? ""}`.split(" + ").filter(Boolean).map(cleanOrigin))].join("; "),
    }),
  );
  if (!busy.length) none("busiest table", "compactionAdvice");

  // Pending compactions and dropped messages: nodetool compactionstats / tpstats per node (+ the logs' dropped lines).
  const pending: { node: string; value: number; from: string }[] = [];
  const lineNo = (text: string, re: RegExp) => {
    const i = text.split("\n").findIndex((l) => re.test(l));
    return i < 0 ? "" : `:${i + 1}`;
  };
  for (const t of await nodetoolTexts(source, "compactionstats").catch((e) => (notes.push(`compactionstats: ${(e as Error).message}`), []))) {
    try {
      const p = parseCompactionstats(t.text, { file: t.origin });
      if (p.pending_tasks !== null) pending.push({ node: t.node, value: p.pending_tasks, from: `${t.origin}${lineNo(t.text, /^pending tasks:/)}` });
    } catch (e) {
      notes.push(`headline: ${(e as Error).message}`);
    }
  }
  if (pending.length) {
    const w = pending.sort((a, b) => b.value - a.value)[0];
    rows.push({
      metric: "pending compactions",
      value: w.value,
      node: w.node,
      detail: `worst node; ${pending.reduce((a, p) => a + p.value, 0)} over ${plural(pending.length, "node")}`,
      helper: "compactionAdvice",
      from: w.from,
    });
  } else
    rows.push({
      metric: "pending compactions",
      value: null,
      node: null,
      detail: "not answerable from this source (no nodetool compactionstats output)",
      helper: null,
      from: null,
    });

  // Thread pools (pending and blocked tasks): system_views.thread_pools on live 4.0+ nodes, tpstats otherwise.
  const pools: { node: string; pool: string; pending: number; blocked: number; from: string }[] = [];
  const poolNodes = new Set<string>();
  if (source instanceof LiveSource) {
    const v = await readViews(source, "thread_pools");
    for (const f of v.failed)
      notes.push(`system_views.thread_pools on ${f.node} could not be read (${f.error}); tpstats is used for it when nodetool is available`);
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
    // The running settings that bound throughput and tombstone reads (system_views.settings: the node's yaml as running).
    const settings = await readViews(source, "settings", "WHERE name IN ?", [KEY_SETTINGS]);
    if (settings.reads.length) {
      const seen = new Map<string, Set<string>>();
      for (const r of settings.reads)
        for (const row of r.rows) {
          const set = seen.get(String(row.name)) ?? new Set<string>();
          set.add(String(row.value));
          seen.set(String(row.name), set);
        }
      const differ = [...seen].filter(([, v]) => v.size > 1).map(([k]) => k);
      rows.push({
        metric: "settings",
        value: differ.length ? `${differ.length} differ between nodes` : "same on every node",
        node: null,
        detail: KEY_SETTINGS.filter((k) => seen.has(k))
          .map((k) => `${k}=${[...seen.get(k)!].join("|")}`)
          .join(", "),
        helper: "health",
        from: settings.reads.map((r) => r.origin).join("; "),
      });
    }
    // Running compactions and other sstable operations right now (no nodetool compactionstats needed).
    const tasks = await readViews(source, "sstable_tasks");
    if (tasks.reads.length) {
      const all = tasks.reads.flatMap((r) => r.rows.map((t) => ({ node: r.node, t, from: r.origin })));
      const busiest = tasks.reads.slice().sort((a, b) => b.rows.length - a.rows.length)[0];
      rows.push({
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
      });
    }
  }
  const dropped: { node: string; value: number; from: string; top: string; lines: string[] }[] = [];
  for (const t of await nodetoolTexts(source, "tpstats").catch((e) => (notes.push(`tpstats: ${(e as Error).message}`), []))) {
    try {
      const p = parseTpstats(t.text, { file: t.origin });
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
    } catch (e) {
      notes.push(`headline: ${(e as Error).message}`);
    }
  }
  if (pools.length) {
    const w = pools.slice().sort((a, b) => b.pending + b.blocked - (a.pending + a.blocked))[0];
    const busy = pools.filter((p) => p.pending + p.blocked > 0);
    // A total over pools: cite every busy pool's line (the worst first), not only the worst one.
    const busyFrom = [w, ...busy.filter((p) => p !== w)].map((p) => p.from);
    rows.push({
      metric: "thread pools: pending + blocked tasks",
      value: busy.reduce((a, p) => a + p.pending + p.blocked, 0),
      node: busy.length ? w.node : null,
      detail: busy.length
        ? `most on ${w.node} ${w.pool} (${w.pending} pending, ${w.blocked} blocked); ${busy.length} busy pool(s) of ${pools.length}${citedNote(busy.length)}`
        : `none pending or blocked in ${pools.length} pools on ${new Set(pools.map((p) => p.node)).size} node(s)`,
      helper: "health",
      from: busy.length ? citeLines(busyFrom) : [...new Set(pools.map((p) => p.from.replace(/:\d+$/, "")))].join("; "),
    });
  }
  const droppedLines = events.filter((e) => e.kind === "dropped-messages");
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
  } else if (logsRep && !dropped.length)
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
  if (!dropped.length && !logsRep) none("dropped messages", "logs");
  return { rows, notes };
}

/**
 * A live source whose nodetool runs each (node, command) once for this health() call: several
 * helpers read the same outputs (info for caches and jvm; tablestats and tablehistograms for
 * compactionAdvice, caches and the headline), and each nodetool run starts a JVM (~1-2 s).
 */
function nodetoolOnce(live: LiveSource): LiveSource {
  const memo = new Map<string, ReturnType<LiveSource["nodetool"]>>();
  const nodetool = (node: string, args: string[]) => {
    const key = `${node}\u0000${args.join("\u0000")}`;
    let p = memo.get(key);
    if (!p) {
      p = live.nodetool(node, args);
      memo.set(key, p);
      p.catch(() => memo.delete(key));
    }
    return p;
  };
  return new Proxy(live, {
    get(target, prop) {
      if (prop === "nodetool") return nodetool;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** The report health() returns: a Report with each helper's own report in `reports`. */
export type HealthReport = Report<"headline" | "ranked" | "helpers"> & {
  readonly headline: DataFrame;
  readonly ranked: DataFrame;
  readonly helpers: DataFrame;
  /** Each helper's own report, by helper name, for the detail behind a finding. */
  readonly reports: Record<string, Report>;
};

/**
 * health() over the given steps, in order (the registry's, ../helpers.ts: `health()` there is the
 * public function, with its documentation). A step that throws never sinks the report.
 */
export async function runHealth(steps: readonly HealthStep[], input?: SourceInput, options: HealthOptions = {}): Promise<HealthReport> {
  const resolved = await resolveSource(input, "health");
  const source = resolved instanceof LiveSource ? nodetoolOnce(resolved) : resolved;
  const skip = new Set(options.skip ?? []);
  const reports = new Map<string, Report>();
  const unanswerable = new Map<string, string>();
  const notes: string[] = [];
  const helperRows: { helper: string; status: string; findings: number | null; ms: number | null; reason: string | null }[] = [];
  const ctx: RunContext = { reports };
  for (const h of steps) {
    if (skip.has(h.helper)) {
      helperRows.push({ helper: h.helper, status: "skipped", findings: null, ms: null, reason: "skipped by options.skip" });
      continue;
    }
    const cannot = await cannotAnswer(h, source);
    if (cannot) {
      unanswerable.set(h.helper, cannot);
      const add = whatToAdd(h);
      helperRows.push({
        helper: h.helper,
        status: "cannot answer",
        findings: null,
        ms: null,
        reason: `${cannot}${add && add !== cannot ? `; add ${add}` : ""}`,
      });
      continue;
    }
    const t0 = Date.now();
    try {
      const r = await h.run(source, ctx);
      // An empty report that says why (answerOrExplain): the source cannot answer this helper.
      const why = unansweredReason(r);
      if (why !== undefined) {
        unanswerable.set(h.helper, `${h.helper}: ${why}`);
        helperRows.push({ helper: h.helper, status: "cannot answer", findings: null, ms: Date.now() - t0, reason: `${h.helper}: ${why}` });
        continue;
      }
      reports.set(h.helper, r);
      helperRows.push({ helper: h.helper, status: "ran", findings: r.findings.length, ms: Date.now() - t0, reason: null });
    } catch (e) {
      // A CassperfError is the helper saying what the source lacks: the source cannot answer it.
      // Anything else is a failure (a bug, an unreadable file): noted, and the rest of the report stands.
      const msg = (e as Error)?.message ?? String(e);
      if (isCassperfError(e)) {
        unanswerable.set(h.helper, msg);
        helperRows.push({ helper: h.helper, status: "cannot answer", findings: null, ms: Date.now() - t0, reason: msg });
      } else {
        notes.push(`${h.helper}() failed and was left out: ${msg}`);
        helperRows.push({ helper: h.helper, status: "failed", findings: null, ms: Date.now() - t0, reason: msg });
      }
    }
  }
  const head = await headline(source, reports, unanswerable);
  notes.push(...head.notes);
  for (const [name, r] of reports) for (const n of r.notes) notes.push(`${name}: ${n}`);
  for (const [h, why] of unanswerable) notes.push(`${h}() cannot answer from this source: ${why}`);

  // All findings, each with the helper that explains it; inventory's "helper cannot answer" findings are the helpers frame's rows.
  const findings = new Map<string, Finding[]>();
  for (const [name, r] of reports)
    findings.set(
      name,
      r.findings.filter((f) => f.id !== "inventory.helper-unanswerable").map((f) => ({ ...f, helper: f.helper && f.helper !== "" ? f.helper : name })),
    );
  const ranked = sortFindings(oncePerRule(findings));
  const count = (s: string) => ranked.filter((f) => f.severity === s).length;
  const val = (m: string) => head.rows.find((r) => r.metric === m)?.value ?? null;
  const report = makeReport({
    helper: "health",
    title: `${plural(source.nodes().length, "node")}: ${count("critical")} critical, ${count("warning")} warning, ${count("info")} info from ${reports.size} helpers`,
    source: source.describe(),
    summary: {
      nodes: source.nodes().length,
      versions: val("versions"),
      critical: count("critical"),
      warnings: count("warning"),
      info: count("info"),
      helpers_run: helperRows
        .filter((r) => r.status === "ran")
        .map((r) => r.helper)
        .join(", "),
      helpers_failed:
        helperRows
          .filter((r) => r.status === "failed")
          .map((r) => r.helper)
          .join(", ") || null,
      cannot_answer: [...unanswerable.keys()].join(", ") || null,
      worst_gc_pause: val("worst GC pause (gc log)") ?? val("worst GC pause (GCInspector)"),
      worst_read_p99: val("worst read p99"),
      worst_write_p99: val("worst write p99"),
      largest_partition: val("largest partition"),
    },
    findings: ranked,
    notes,
    frames: {
      headline: rowsToColumns(head.rows, ["metric", "value", "node", "detail", "helper", "from"]),
      ranked: rowsToColumns(ranked, ["severity", "helper", "id", "node", "title", "evidence", "action"]),
      helpers: rowsToColumns(helperRows, ["helper", "status", "findings", "ms", "reason"]),
    },
    charts: {
      findings: () => ({
        title: "Findings per helper and severity",
        width: 420,
        height: Math.max(60, 22 * new Set(ranked.map((f) => f.helper)).size),
        data: { values: ranked.map((f) => ({ helper: f.helper, severity: f.severity })) },
        mark: { type: "bar", tooltip: true },
        encoding: {
          y: { field: "helper", type: "nominal", title: null },
          x: { aggregate: "count", type: "quantitative", title: "findings" },
          color: { field: "severity", type: "nominal", scale: { domain: ["critical", "warning", "info"], range: ["#d62728", "#ff7f0e", "#1f77b4"] } },
        },
      }),
    },
    previewFrame: "headline",
  });
  Object.defineProperty(report, "reports", { value: Object.fromEntries(reports), enumerable: false });
  return report as unknown as HealthReport;
}
