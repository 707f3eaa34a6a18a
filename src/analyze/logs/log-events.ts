/**
 * Parsed log events of a source: every node's system.log and debug.log (all rotations, .gz/.zip
 * undone by the source), each read with its node's logback pattern when the bundle has
 * conf/logback.xml, else the detected layout. This is the one entry other helpers call
 * (health() and partitionScan reuse large-partition and slow-query events, compactionAdvice
 * reuses tombstone warnings): {@link logEvents}.
 *
 * Duplicates: debug.log repeats every INFO+ line of system.log; an event found in both files of a
 * node is kept once (from system.log), like sperf's UniqEventPerNodeFilter.
 * Console layouts without a day (`INFO  19:32:51 message`) take the day from the same node's GC
 * log (its first ISO-8601 timestamp) unless `date` is given; the note says which.
 */
import { CassperfError } from "../../errors";
import { isSource, resolveSource, type SourceInput } from "../../cluster/resolve";
import { filesInTimeOrder } from "../../cluster/evidence";
import type { Source, SourceFile } from "../../cluster/source";
import { compileLayout, patternFromLogbackXml } from "../../parse/log-layout";
import { parseUtc } from "../../parse/utc-time";
import { isCancel, WorkerPool } from "../parse-cancellable";
import { CHUNK_MIN_BYTES, type ChunkRunner, type LogChunkResult } from "./log-chunks";
import { LOG_EVENT_KINDS, type LogEvent, type LogEventKind } from "../../parse/log-rules";
import { inflect, thousands } from "../../present/plural";
import { runOptions, type Progress } from "../../run-context";
import { KEEP_BYTES, KEEP_EVENTS, parseNodeLogs, type KindCount, type LogFileInfo, type NodeLogResult, type NodeLogTask } from "./log-node";
import type { LogOperations } from "./log-operations";
import { CLOCK_FACTS_PER_NODE, type Tally } from "./log-evidence";

/** A byte size in words: "40 kB", "11.2 MB". */
const size = (b: number) => (b < 1e6 ? `${Math.round(b / 1e3)} kB` : `${(b / 1e6).toFixed(b < 1e7 ? 1 : 0)} MB`);
import { nodeResultFromColumns, type NodeLogColumns } from "./log-node-columns";

export type { LogEvent, LogEventKind, LogFileInfo, KindCount };
export { CLOCK_BACKWARD_STEP_MS, KEEP_BYTES, KEEP_EVENTS } from "./log-node";

/** A filter from what the user passed to logs() or timeline(): a filter object, or a source / path (shorthand for { source }). */
export function asFilter<F extends LogEventsFilter>(v: F | SourceInput): F {
  if (v === undefined || v === null) return {} as F;
  if (typeof v === "string" || isSource(v)) return { source: v } as F;
  return v as F;
}

/** What to read and keep. Every field is optional. */
export interface LogEventsFilter {
  /**
   * Where to read: omitted for the current source, a source, or a path (a bundle, a dataset
   * folder, a loose folder of node folders, an archive, or a single system.log/debug.log).
   */
  source?: SourceInput;
  /** Only these nodes. */
  node?: string | string[];
  /** Keep only these kinds (default: all, including "other"). */
  kinds?: LogEventKind | LogEventKind[];
  /** Which logs: "system", "debug" or "both" (default). */
  logs?: "system" | "debug" | "both";
  /** Keep events at or after this time (ISO-8601 or Date). */
  from?: string | Date;
  /** Keep events at or before this time (ISO-8601 or Date). */
  to?: string | Date;
  /** Day (YYYY-MM-DD) for console layouts whose lines carry only a time of day. */
  date?: string;
  /**
   * The logback pattern the logs were written with (the `<pattern>` of conf/logback.xml), for a
   * bundle without logback.xml whose layout is not one Cassandra/DSE ship. Its %date may use any
   * SimpleDateFormat or a named one (ISO8601, DATE, ABSOLUTE) and a zone (`%d{DATE, Europe/Paris}`);
   * without a zone, times are UTC.
   * @example await logs({ source: "bundle", pattern: "%-5level [%thread] %d{yyyy/MM/dd HH:mm:ss,SSS} %F:%L - %msg%n" })
   */
  pattern?: string;
  /**
   * Threads to parse with (one node's files per task): this thread and `workers - 1` worker threads.
   * Default one per core when the logs are large (over {@link WORKER_MIN_BYTES}) and there are several
   * nodes; 1 parses in this thread alone.
   * @example await logs({ source: "bundle.tar.gz", workers: 1 })
   */
  workers?: number;
  /**
   * How many events to keep for the events frame, the findings and the timeline: `classified`
   * (every kind but "other") and `other` lines, in all (split between nodes). Past these, a
   * fixed-seed sample is kept and the notes say so; counts stay exact. Default {@link KEEP_EVENTS}. `bytes`: the kept
   * events' bytes in all (split between nodes, and between classified and "other" as {@link KEEP_BYTES} splits them); default
   * {@link KEEP_BYTES}. Counts, summary figures and findings stay exact past either (the findings' cited events are kept).
   * @example await logs({ source: "fleet-bundle", keep: { classified: 100_000, other: 10_000, bytes: 32e6 } })
   */
  keep?: { classified?: number; other?: number; bytes?: number };
  /** Stops the parse (the nodes already parsed are kept, with a note); default the REPL line's or notebook cell's signal. */
  signal?: AbortSignal;
  /**
   * Called as files are parsed: `done` of `total` files, `label` the megabytes read and the rate.
   * Default: the REPL's progress bar (or the notebook cell's).
   * @example await logs({ source: "bundle", onProgress: (p) => console.log(p.done, p.total, p.label) })
   */
  onProgress?: (p: Progress) => void;
}

/** What {@link logEvents} returns. */
export interface LogEventsResult {
  source: Source;
  /**
   * Events in time order per node (files oldest rotation first), duplicates removed: every event
   * unless the logs hold more than {@link KEEP_EVENTS}, then a fixed-seed sample (see `sampled`).
   */
  events: LogEvent[];
  /** Exact counts per node and kind (every event, sampled or not), with first and last time. */
  counts: KindCount[];
  /** Exact totals over every event: events, dropped messages, longest GC pause, StatusLogger dumps, flush/compaction operations. */
  totals: { events: number; dropped: number; gcMaxMs: number | null; dumps: number; operations: LogOperations };
  /** True when `events` is a sample (the logs held more events than {@link KEEP_EVENTS}, or more bytes of them than {@link KEEP_BYTES}). */
  sampled: boolean;
  /** Exact figures per finding group over every event (./log-evidence.ts), for the findings when `events` is a sample. */
  tallies: Map<string, Tally>;
  files: LogFileInfo[];
  /** Things the user must know: skipped lines (count + first example with its line), layouts, dates. */
  notes: string[];
  /** Backward clock steps found inside one file: node, file, line, how far back (ms). */
  clockSteps: { node: string; file: string; line: number; back_ms: number; count: number }[];
}

/**
 * Logs at least this large (bytes on disk) are parsed on every core when there are several nodes: this thread and one worker
 * thread per other core, one node per task. Below it a worker costs more than it saves: it warms up its own JIT and heap, its
 * kept events are built again in this thread (./log-node-columns.ts), and one parse thread already keeps more than one core
 * busy (V8's parallel collector runs on the other: 4.5 s of CPU in 3.2 s of wall on the 0.3 GB bundle), so a second parse
 * thread takes that core from it. Measured side by side on 2 cores, idle, bench/logs.bench.ts' generated six-node bundles,
 * `logs({ source, workers })`, 1 and 2 alternating, wall: 100 MB 1.84-1.89 s vs 2.03-2.16 s (1 won both rounds); 0.3 GB
 * 3.24-3.57 s vs 3.01-3.25 s (2 won both), and 3.39-4.05 s vs 3.13-3.45 s over 4 rounds. So between 100 MB and 0.3 GB; this
 * is between the two. Before this thread parsed too (every node in a worker), 2 threads first won at 0.5 GB (480 MB), and
 * before the events crossed as columns at 2 GiB. On a busier machine (no free core) one thread stays as fast further up;
 * `workers` overrides.
 */
export const WORKER_MIN_BYTES = 200 * 10 ** 6;

/**
 * Logs at least this large, with fewer nodes than cores, have their large plain files parsed as chunks on every core
 * (./log-chunks.ts); below it one thread parses them. The figure WORKER_MIN_BYTES was before this thread parsed nodes too:
 * the chunk path was measured on a 500 MB system.log (1.37× by wall, README, Benchmarks), not below, and a cancel of it takes
 * longer (~2.6 s on a 200 MB file, test/repl-tmux.test.ts: over the REPL's grace) than the one thread's (under a second).
 */
export const CHUNKED_MIN_BYTES = 480 * 10 ** 6;

const asArray = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

function toMs(v: string | Date | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  // Zone-less times are UTC, like the log times they are compared with (never the process's zone).
  const t = parseUtc(v);
  if (!Number.isFinite(t)) throw new CassperfError(`logs: ${what} must be an ISO-8601 time (UTC unless it names a zone) or a Date; got ${String(v)}.`);
  return t;
}

/**
 * Parsed events of every system.log/debug.log of a source.
 * @example const { events } = await logEvents({ source: "diag/dse68", kinds: ["large-partition", "slow-query"] })
 */
export async function logEvents(filter: LogEventsFilter = {}): Promise<LogEventsResult> {
  const source = await resolveSource(filter.source, "logs");
  const kinds = asArray(filter.kinds);
  const unknownKind = kinds?.find((k) => !LOG_EVENT_KINDS.includes(k));
  if (unknownKind !== undefined)
    throw new CassperfError(`logs: kinds has "${String(unknownKind)}", which is not an event kind.`, { hint: `Use any of: ${LOG_EVENT_KINDS.join(", ")}.` });
  const which0 = filter.logs;
  if (which0 !== undefined && !["system", "debug", "both"].includes(which0))
    throw new CassperfError(`logs: logs must be "system", "debug" or "both"; got ${JSON.stringify(which0)}.`);
  const kindSet = kinds ? new Set<string>(kinds) : undefined;
  const nodes = asArray(filter.node);
  const from = toMs(filter.from, "from");
  const to = toMs(filter.to, "to");
  const which = filter.logs ?? "both";
  const fileKinds: SourceFile["kind"][] = which === "system" ? ["system-log"] : which === "debug" ? ["debug-log"] : ["system-log", "debug-log"];
  let files = filesInTimeOrder(source, fileKinds);
  const notes: string[] = [];
  if (nodes) {
    const missingNodes = nodes.filter((n) => !source.nodes().includes(n));
    if (missingNodes.length) notes.push(`node ${missingNodes.join(", ")} is not in ${source.describe()} (its nodes: ${source.nodes().join(", ") || "none"}).`);
    files = files.filter((f) => nodes.includes(f.node));
  }
  if (filter.pattern !== undefined && (typeof filter.pattern !== "string" || !filter.pattern.includes("%")))
    throw new CassperfError(
      `logs: pattern must be a logback pattern such as "%-5level [%thread] %date{ISO8601} %F:%L - %msg%n"; got ${JSON.stringify(filter.pattern)}.`,
    );
  const given = filter.pattern ? compileLayout(filter.pattern, "pattern option") : undefined;
  for (const [k, v] of Object.entries(filter.keep ?? {}))
    if (v !== undefined && (!Number.isInteger(v) || v < 1))
      throw new CassperfError(`logs: keep.${k} must be a whole number of ${k === "bytes" ? "bytes" : "events"} (1 or more); got ${String(v)}.`);
  if (filter.workers !== undefined && (!Number.isInteger(filter.workers) || filter.workers < 1))
    throw new CassperfError(`logs: workers must be a whole number (1 or more); got ${String(filter.workers)}.`);
  const run = runOptions(filter);
  const fileCount = files.length;
  // One task per node (its debug.log repeats of system.log are removed within the node): ./log-node.ts.
  const tasks: NodeLogTask[] = [];
  const maxBytes = (source as { maxReadBytes?: number }).maxReadBytes;
  const nodeOrder: string[] = [];
  for (const [index, f] of files.entries()) {
    let t = tasks.find((x) => x.node === f.node);
    if (!t) {
      t = {
        node: f.node,
        files: [],
        keep: { classified: 0, other: 0 },
        ...(kinds ? { kinds: [...kindSet!] } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
      };
      if (filter.pattern) t.pattern = filter.pattern;
      if (filter.date) t.date = filter.date;
      if (maxBytes) t.maxBytes = maxBytes;
      tasks.push(t);
      nodeOrder.push(f.node);
    }
    t.files.push({
      index,
      path: f.path,
      ...(f.compressed ? { compressed: f.compressed } : {}),
      rel: f.rel,
      kind: f.kind as NodeLogTask["files"][number]["kind"],
      name: `${source.name}: ${f.rel}`,
      size: f.size,
    });
  }
  for (const t of tasks) {
    // The default is shared between nodes with a floor per node; a number the user gives is shared exactly.
    const share = (k: { total: number; perNodeFloor: number }, own: number | undefined) =>
      own !== undefined ? Math.max(1, Math.floor(own / tasks.length)) : Math.max(k.perNodeFloor, Math.floor(k.total / tasks.length));
    // A byte budget the user gives is split between classified and "other" as the default splits it.
    const bytes = filter.keep?.bytes;
    const ofBytes = (k: keyof typeof KEEP_BYTES) =>
      bytes === undefined ? undefined : Math.round((bytes * KEEP_BYTES[k].total) / (KEEP_BYTES.classified.total + KEEP_BYTES.other.total));
    t.keep = {
      classified: share(KEEP_EVENTS.classified, filter.keep?.classified),
      other: share(KEEP_EVENTS.other, filter.keep?.other),
      bytes: { classified: share(KEEP_BYTES.classified, ofBytes("classified")), other: share(KEEP_BYTES.other, ofBytes("other")) },
    };
    if (!given) t.confPatterns = await confPatterns(source, t.node);
    if (!filter.date)
      t.gcLogs = filesInTimeOrder(source, ["gc-log"])
        .filter((g) => g.node === t.node)
        .map((g) => ({ path: g.path, ...(g.compressed ? { compressed: g.compressed } : {}), rel: g.rel, name: `${source.name}: ${g.rel}` }));
  }

  // Progress: files done, megabytes of text read, rate.
  let filesDone = 0;
  let chars = 0;
  const t0 = Date.now();
  let lastShown = 0;
  const progress = (p: { chars: number; fileDone: boolean }) => {
    chars += p.chars;
    if (p.fileDone) filesDone++;
    const now = Date.now();
    if (!p.fileDone && now - lastShown < 100) return;
    lastShown = now;
    const mb = chars / 1e6;
    const rate = mb / Math.max(0.001, (now - t0) / 1000);
    run.onProgress({ done: filesDone, total: fileCount, label: `log files, ${mb.toFixed(0)} MB read, ${rate.toFixed(0)} MB/s` });
  };

  const totalBytes = files.reduce((s, f) => s + (f.size || 0), 0);
  const cores = Math.floor(filter.workers ?? (totalBytes >= WORKER_MIN_BYTES ? require("node:os").availableParallelism() : 1));
  const workers = Math.max(1, Math.min(tasks.length, cores));
  // Fewer nodes than cores and a large plain file: the nodes are merged in this thread and their large files parsed as chunks by
  // every core — from CHUNKED_MIN_BYTES of logs (the chunk path was measured at 0.5 GB; WORKER_MIN_BYTES was lowered for nodes).
  const chunks = workers < cores && (filter.workers !== undefined || totalBytes >= CHUNKED_MIN_BYTES) ? chunkRunner(cores, files) : undefined;
  const results = new Map<string, NodeLogResult>();
  let cancelled: unknown;
  const after: string[] = [];
  // Largest nodes first, so the last task to finish is a small one.
  const queue = tasks.slice().sort((a, b) => b.files.reduce((s, f) => s + f.size, 0) - a.files.reduce((s, f) => s + f.size, 0));
  // No old-generation limit on the workers: any maxOldGenerationSizeMb (219, 512 or 1024) made V8 run 41-65 full collections in
  // the two workers over the 0.3 GB bench bundle, against 10-14 without one (node --trace-gc, 2 workers); peak RSS without it
  // 402-557 MB (bench:logs' generated 0.3 GB, 2 workers, load 6-12), under the 600 MB goal. On the generated 1 GB, 2 workers, load
  // 7-8: no limit 15.4-20.3 s wall / 15.1-16.0 s CPU / 465-527 MB; a 384 MB limit 21.4-22.8 s / 20.4-21.1 s / 357-368 MB.
  // Each worker may hold 2 tasks (./parse-cancellable.ts WorkerPool): the next waits there, not for this thread to take its answer.
  // This thread parses nodes too, beside `workers - 1` worker threads: one thread fewer to share the cores with, and the nodes it
  // parses need no crossing. On bench:logs' generated 0.3 GB bundle (2 cores, idle, 4 alternating rounds, 2 threads): 3.13-3.45 s
  // wall / 5.8-6.5 s CPU / 254-263 MB, against 3.35-3.61 s / 6.3-6.8 s / 268-283 MB with both nodes' parses in workers; at 3 GB
  // 12.4-16.9 s against 12.1-15.9 s (4 rounds each, host noise larger than the difference).
  const pool = !chunks && workers > 1 ? new WorkerPool(workers - 1, undefined, 2) : undefined;
  const parseOne = async (t: NodeLogTask, inWorker: boolean) => {
    try {
      // In a worker, the kept events cross as columns in transferred buffers (./log-node-columns.ts), rebuilt here.
      const r =
        pool && inWorker
          ? nodeResultFromColumns(await pool.run<NodeLogColumns>("parseNodeLogsColumns", [t], { signal: run.signal, onProgress: progress }))
          : await parseNodeLogs(t, progress, run.signal, chunks);
      if (r.stoppedIn) throw Object.assign(new Error(`cancelled in ${r.stoppedIn}`), { name: "AbortError" });
      results.set(t.node, r);
    } catch (e) {
      if (!isCancel(e)) throw e;
      cancelled = e;
    }
  };
  try {
    // Each thread takes the next task in this order when it is free: this one, and each worker twice over (a worker holds its
    // next task while it parses one, so it starts it before this thread has handled the answer: ./parse-cancellable.ts).
    const takers = pool ? [false, ...Array.from({ length: 2 * (workers - 1) }, () => true)] : Array.from({ length: workers }, () => false);
    await Promise.all(
      takers.map(async (inWorker) => {
        for (let t = queue.shift(); t && cancelled === undefined; t = queue.shift()) await parseOne(t, inWorker);
      }),
    );
  } finally {
    await pool?.close();
    await chunks?.close();
  }
  if (cancelled !== undefined) {
    if (!results.size) throw run.signal.reason ?? cancelled;
    const read = [...results.values()].reduce((s, r) => s + r.infos.length, 0);
    after.push(`Cancelled: partial, ${read} of ${fileCount} log files read (the nodes ${[...results.keys()].join(", ")}).`);
  }

  const infos: LogFileInfo[] = [];
  const indexed: { index: number; text: string }[] = [];
  const clockSteps: LogEventsResult["clockSteps"] = [];
  const events: LogEvent[] = [];
  const counts: KindCount[] = [];
  const totals: LogEventsResult["totals"] = {
    events: 0,
    dropped: 0,
    gcMaxMs: null,
    dumps: 0,
    operations: { flushes: 0, flushes_written: 0, compactions: 0, compactions_completed: 0 },
  };
  let duplicates = 0;
  let sampled = false;
  const tallies = new Map<string, Tally>();
  const infoAt: number[] = [];
  for (const node of nodeOrder) {
    const r = results.get(node);
    if (!r) continue;
    for (const i of r.infos) {
      const { index, ...info } = i;
      infoAt.push(index);
      infos.push(info);
    }
    indexed.push(...r.notes);
    clockSteps.push(...r.clockSteps);
    for (const e of r.events) events.push(e);
    counts.push(...r.counts);
    totals.events += r.total;
    totals.dropped += r.dropped;
    if (r.gcMaxMs !== null) totals.gcMaxMs = Math.max(totals.gcMaxMs ?? 0, r.gcMaxMs);
    totals.dumps += r.dumps;
    for (const k of Object.keys(totals.operations) as (keyof LogOperations)[]) totals.operations[k] += r.operations[k];
    duplicates += r.duplicates;
    for (const t of r.tallies) tallies.set(t.key, t);
    if (r.sampled.classified[0] > r.sampled.classified[1] || r.sampled.other[0] > r.sampled.other[1]) {
      sampled = true;
      const [cs, ck] = r.sampled.classified;
      const [os, ok] = r.sampled.other;
      const b = r.sampled.bytes;
      const byBytes = b?.reached;
      after.push(
        `${node}: the events frame and the timeline read a sample (fixed seed) of ${thousands(ck)} of ${thousands(cs)} classified events` +
          ` and ${thousands(ok)} of ${thousands(os)} "other" lines` +
          `${byBytes ? ` (the kept events' size budget, ${size(b.budget)} for this node, was reached)` : ""}, with the node's earliest and latest` +
          ` events; counts per kind, first/last times, dropped messages, the longest GC pause, StatusLogger dumps, flush/compaction` +
          ` operations and the findings' counts are exact over every event, and each event a finding cites is kept.`,
      );
    }
    if (r.clockFactsOver)
      after.push(
        `${node}: the clock check read a sample of this node's gossip, start and stop lines` +
          ` (${thousands(r.clockFactsOver)} past the ${thousands(CLOCK_FACTS_PER_NODE)} kept in full).`,
      );
  }
  // Notes and files in logs()' file order, as before (notes of one file keep their order).
  const order = infoAt.map((index, i) => [index, i] as const).sort((a, b) => a[0] - b[0]);
  const sortedInfos = order.map(([, i]) => infos[i]);
  const fileNotes = indexed
    .map((n, i) => ({ ...n, i }))
    .sort((a, b) => a.index - b.index || a.i - b.i)
    .map((n) => n.text);
  notes.push(...fileNotes, ...after);
  if (duplicates)
    notes.push(
      `${thousands(duplicates)} debug.log ${inflect(duplicates, "event")} ${inflect(duplicates, "repeats", "repeat")} a system.log line of the same node and were kept once (from system.log).`,
    );
  return { source, events, counts, totals, sampled, tallies, files: sortedInfos, notes, clockSteps };
}

/** The node's conf/logback.xml patterns per log name, when the bundle has one. */
async function confPatterns(source: Source, node: string): Promise<Record<string, string> | undefined> {
  const conf = source.files({ kind: "conf", node }).find((c) => /(^|\/)logback\.xml$/.test(c.rel));
  if (!conf) return undefined;
  try {
    const xml = await source.readText(conf);
    const out: Record<string, string> = {};
    for (const logName of ["system.log", "debug.log"]) {
      const p = patternFromLogbackXml(xml, logName);
      if (p) out[logName] = p;
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Workers for chunks of large plain log files (./log-chunks.ts), when the bundle has one. */
function chunkRunner(cores: number, files: { compressed?: string; size: number }[]): (ChunkRunner & { close(): Promise<void> }) | undefined {
  if (cores < 2 || !files.some((f) => !f.compressed && f.size >= CHUNK_MIN_BYTES)) return undefined;
  // A chunk's events are a few tens of MB: a small old generation makes each worker collect sooner.
  const pool = new WorkerPool(cores, { maxOldGenerationSizeMb: 128 });
  return {
    parallel: cores,
    run: (task, signal) => pool.run<LogChunkResult>("parseLogChunk", [task], signal ? { signal } : {}),
    close: () => pool.close(),
  };
}
