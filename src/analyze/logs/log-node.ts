/**
 * One node's system.log and debug.log files, parsed block by block into bounded results: the map
 * step of logs() (./log-events.ts merges the nodes). It runs in the main thread or, for large
 * bundles, in a worker thread (../parse-cancellable.ts WorkerPool), so its task and result are plain
 * data (structured-clone safe).
 *
 * Why per node: debug.log repeats every INFO+ line of system.log, and the repeat is removed within
 * the node (the node's system.log files first, then its debug.log files), so one task sees all of
 * a node's files. Memory stays bounded whatever the files' size:
 *  - the files are read as ~1 MiB blocks of whole lines (read-stream.ts) and parsed as they come
 *    (SystemLogParser), never held whole;
 *  - counts per kind (with first and last time), flush and compaction operations, dropped
 *    messages, the longest GC pause and StatusLogger dumps are aggregated exactly as events pass;
 *  - events are kept in two reservoirs (Vitter's algorithm R, a fixed seed so a run is repeatable):
 *    events a rule classified (every kind but "other"), which the timeline reads, and "other"
 *    lines (with those a fact rule read, e.g. gossip UP/DOWN or DSE's "Node configuration" line).
 *    A reservoir keeps every event until it is full by count ({@link KEEP_EVENTS}) or by bytes
 *    ({@link KEEP_BYTES}), so a small bundle keeps everything and only larger ones are sampled,
 *    which the notes say. Each kept event keeps its file and line: a citation stays exact. A
 *    node's earliest and latest events are always kept, and so is what the findings and the clock
 *    check read (./log-evidence.ts: the events they cite, exact counts per group, the first line of
 *    each address a node logged, its gossip and start/stop lines): they are exact whatever the sample.
 *  - the repeat check reads the node's system.log and debug.log side by side in time order and
 *    keeps a 53-bit hash (not the text) of the system.log events of the last few seconds only
 *    ({@link REPEAT_WINDOW_MS}): a few thousand keys whatever the files' size. Before, it kept one
 *    per system.log event of the node (1.55 M keys, ~50-75 MB, for a 772 MB system.log). A node
 *    whose logs break the window's assumption (a clock stepping back, rotations out of order) is
 *    checked as before, against all of its system.log ({@link parseNodeLogs}); same result.
 */
import { compileLayout, detectLayout, layoutCoverage, type LogLayout } from "../../parse/log-layout";
import { SystemLogParser, type ParsedLog } from "../../parse/system-log";
import type { LogEvent, LogEventKind } from "../../parse/log-rules";
import { readLineBlocks } from "../../cluster/read-stream";
import { OperationCounter, type LogOperations } from "./log-operations";
import { plural } from "../../present/plural";
import { CHUNK_MIN_BYTES, ChunkMerge, chunkEvents, type ChunkRunner } from "./log-chunks";
import { Evidence, type Tally } from "./log-evidence";

/** How many events logs() keeps in all (split between the nodes, at least the floor per node): beyond, a fixed-seed sample. */
export const KEEP_EVENTS = {
  /** Classified events (findings, timeline, evidence): ~300 bytes each. */
  classified: { total: 250_000, perNodeFloor: 20_000 },
  /** Plain "other" lines (only the events frame shows them). */
  other: { total: 100_000, perNodeFloor: 5_000 },
} as const;

/**
 * How many bytes of kept events logs() holds in all, split between the nodes like {@link KEEP_EVENTS} (at least the floor per
 * node), counted with {@link eventBytes} as events enter the reservoirs: once a node's reservoir reaches its share it stops
 * growing and keeps a fixed-seed sample of that size, whatever the logs' size (the count caps alone let a log of long lines,
 * such as DSE's ~1 KB "Node configuration" line, keep 350,000 × 1 KB). The figure: about a tenth of logs()' peak-memory goal
 * of 600 MB (README, Benchmarks), 64 MiB in all, three quarters for classified events (KEEP_EVENTS splits its counts
 * 250,000 : 100,000); the floors keep ~10,000 classified and ~2,500 other events of ~400 bytes per node on a large cluster.
 * Measured on bench/logs.bench.ts' six-node bundles before this budget: ~25 MB of kept events per Cassandra 2.1 node at every
 * size (its reservoirs full by count at 0.3 GB), 150 MB for the six nodes.
 */
export const KEEP_BYTES = {
  classified: { total: 48 * 2 ** 20, perNodeFloor: 4 * 2 ** 20 },
  other: { total: 16 * 2 ** 20, perNodeFloor: 2 ** 20 },
} as const;

/**
 * What a kept event costs beyond its message's characters (the object, its fields, interned short strings, the reservoir's
 * entry), in bytes. Measured (node 20, heap after a full GC, strings detached as here): 287-369 bytes per event over 30,000-
 * 44,200 events of bench/logs.bench.ts' three templates (test/fixtures/logs-stream, cassandra21-lab-statuslogger).
 */
export const EVENT_FIXED_BYTES = 320;

/** An event's bytes as the budget counts them: the fixed part and the characters of the strings copied for it (message, query, partition key). */
export function eventBytes(e: LogEvent): number {
  return EVENT_FIXED_BYTES + e.message.length + (e.query?.length ?? 0) + (e.partition_key?.length ?? 0);
}

/** The seed of the sampling reservoirs (any fixed number: the same bundle always gives the same sample). */
export const SAMPLE_SEED = 0x5eed;

/** A backward step larger than this inside one file is reported as the clock stepping back (log lines are written in order; threads interleave by milliseconds). */
export const CLOCK_BACKWARD_STEP_MS = 5_000;

/** One file of a node's task. */
export interface NodeLogFile {
  /** Position in logs()' file order (for notes and the files frame). */
  index: number;
  path: string;
  compressed?: "gz" | "zip";
  rel: string;
  kind: "system-log" | "debug-log";
  /** The name read errors give (the source's name and the file's path in it). */
  name: string;
  size: number;
}

/** What one node's parse needs (plain data). */
export interface NodeLogTask {
  node: string;
  /** The node's log files, in logs()' order (oldest rotation first). */
  files: NodeLogFile[];
  /** The user's pattern option, used for every file. */
  pattern?: string;
  /** The node's logback.xml patterns per log name ("system.log", "debug.log"), when the bundle has one. */
  confPatterns?: Record<string, string>;
  /** The node's GC logs (first timestamp gives the day of console layouts), unless `date` is given. */
  gcLogs?: { path: string; compressed?: "gz" | "zip"; rel: string; name: string }[];
  date?: string;
  /** Kinds to keep (all when absent), and the time window (epoch ms). */
  kinds?: string[];
  from?: number;
  to?: number;
  maxBytes?: number;
  /** Reservoir sizes for this node, and their byte budgets ({@link KEEP_BYTES}; none when absent). */
  keep: { classified: number; other: number; bytes?: { classified: number; other: number } };
  /** The repeat check's window (ms); default {@link REPEAT_WINDOW_MS}. Infinity checks against every system.log event of the node (tests compare the two). */
  repeatWindowMs?: number;
}

/** Per file: what was read and how. */
export interface LogFileInfo {
  node: string;
  file: string;
  kind: "system-log" | "debug-log";
  layout: string | null;
  lines: number;
  events: number;
  skipped: number;
  bytes: number;
}

/** Exact counts of one node and kind (after the repeat check and the filters). */
export interface KindCount {
  node: string;
  kind: string;
  count: number;
  first: number | null;
  last: number | null;
}

/** What one node's parse returns (plain data). */
export interface NodeLogResult {
  node: string;
  infos: (LogFileInfo & { index: number })[];
  notes: { index: number; text: string }[];
  clockSteps: { node: string; file: string; line: number; back_ms: number; count: number }[];
  /** Kept events in time order (undated ones last, in file order). */
  events: LogEvent[];
  /** Exact figures over every event that passed the filters. */
  counts: KindCount[];
  total: number;
  duplicates: number;
  dropped: number;
  gcMaxMs: number | null;
  /** Distinct StatusLogger dumps (header lines) with a pool row. */
  dumps: number;
  operations: LogOperations;
  /**
   * How many events each reservoir saw and kept; with a byte budget, the bytes kept ({@link eventBytes}, both reservoirs), the
   * budget, and whether it was reached (a reservoir let events go to stay under it).
   */
  sampled: { classified: [number, number]; other: [number, number]; bytes?: { kept: number; budget: number; reached: boolean } };
  /**
   * Exact figures per finding group over every event (./log-evidence.ts): the findings count with them when the events are a
   * sample. `clockFactsOver`: gossip/start/stop lines past what is pinned for the clock check (it then reads a sample).
   */
  tallies: Tally[];
  clockFactsOver: number;
  /** The file the parse stopped in when cancelled. */
  stoppedIn?: string;
  /** How debug.log's repeats were checked: in a time window (else against every system.log event), and the most system.log keys held at once. */
  repeatCheck: { window: boolean; keysPeak: number };
}

/** Progress of a task: bytes of text parsed since the last call, and whether a file just ended. */
export type NodeProgress = (p: { chars: number; fileDone: boolean }) => void;

/**
 * How far apart in time (ms) a node's system.log and debug.log are read while debug.log's repeats
 * of system.log lines are checked: a repeat carries its system.log line's own time (the same
 * logging call writes both), and each file is in time order but for threads interleaving by
 * milliseconds, so a debug.log event at time t is only compared with the system.log events from
 * t minus this to t plus this, read alongside. The same figure as {@link CLOCK_BACKWARD_STEP_MS}:
 * a line further out of order than that is a clock step, and then the node is checked as a whole
 * (see {@link parseNodeLogs}).
 */
export const REPEAT_WINDOW_MS = CLOCK_BACKWARD_STEP_MS;

/** The orders of debug.log events come after every system.log event's (the old reading order: system.log files first). */
const DEBUG_ORDER = 2 ** 40;

/** The windowed repeat check cannot be exact on this node (a clock step, files out of order): the node is parsed again, checked as a whole. */
class WindowBroken extends Error {}

/**
 * Parse one node's log files (see the file comment). With `chunks`, a large plain file is parsed
 * as chunks by those workers and merged here in file order: the same result (./log-chunks.ts).
 *
 * The repeat check reads system.log and debug.log side by side in time order and keeps only the
 * system.log events of the last few seconds ({@link REPEAT_WINDOW_MS}). When a node's logs break
 * that window's assumption — a line more than that out of order (a clock stepping back), rotated
 * files out of order, a repeat whose level system.log has not shown yet — the parse starts over
 * for that node and checks every debug.log event against every system.log event of the node, as
 * logs() always did: the result is the same either way, only that node's memory grows with its
 * system.log (and its files are read twice). A debug.log line without a time is checked once the
 * rest of system.log has been read (its repeat may be anywhere), holding what is read meanwhile.
 * One difference, only on a node with more events than its reservoirs keep ({@link KEEP_EVENTS}):
 * the events reach the sampler in time order across the two files, not system.log first, so the
 * fixed-seed sample kept is another one (the same size, still uniform); every count, total, note
 * and file figure is the same (measured on a generated 50 MB DSE node: 16,977 events kept either
 * way, 4,585 of them the same events).
 * @example const r = await parseNodeLogs({ node: "n1", files: [{ index: 0, path: "system.log", rel: "system.log", kind: "system-log", name: "system.log", size: 0 }], keep: { classified: 1e5, other: 1e5 } })
 */
export async function parseNodeLogs(task: NodeLogTask, onProgress?: NodeProgress, signal?: AbortSignal, chunks?: ChunkRunner): Promise<NodeLogResult> {
  const window = task.repeatWindowMs ?? REPEAT_WINDOW_MS;
  let firstChars = 0;
  let firstFiles = 0;
  if (window < Infinity) {
    try {
      return await parseNode(
        task,
        window,
        (p) => {
          firstChars += p.chars;
          if (p.fileDone) firstFiles++;
          onProgress?.(p);
        },
        signal,
        chunks,
      );
    } catch (e) {
      if (!(e instanceof WindowBroken)) throw e;
    }
  }
  // Progress the first attempt already reported is not reported again.
  let chars = 0;
  let files = 0;
  return parseNode(
    task,
    Infinity,
    (p) => {
      const before = chars;
      chars += p.chars;
      const fileDone = p.fileDone && ++files > firstFiles;
      const fresh = Math.max(0, chars - Math.max(before, firstChars));
      if (fresh || fileDone) onProgress?.({ chars: fresh, fileDone });
    },
    signal,
    chunks,
  );
}

/** One attempt: the repeat check over a time window of `window` ms, or (Infinity) every system.log event first, then debug.log. */
async function parseNode(task: NodeLogTask, window: number, onProgress: NodeProgress, signal?: AbortSignal, chunks?: ChunkRunner): Promise<NodeLogResult> {
  const out: NodeLogResult = {
    node: task.node,
    infos: [],
    notes: [],
    clockSteps: [],
    events: [],
    counts: [],
    total: 0,
    duplicates: 0,
    dropped: 0,
    gcMaxMs: null,
    dumps: 0,
    operations: { flushes: 0, flushes_written: 0, compactions: 0, compactions_completed: 0 },
    sampled: { classified: [0, 0], other: [0, 0] },
    tallies: [],
    clockFactsOver: 0,
    repeatCheck: { window: window < Infinity, keysPeak: 0 },
  };
  const kindSet = task.kinds ? new Set(task.kinds) : undefined;
  const given = task.pattern ? compileLayout(task.pattern, "pattern option") : undefined;
  const confLayouts = new Map<string, LogLayout | null>();
  const classified = new Reservoir<LogEvent>(task.keep.classified, SAMPLE_SEED, task.keep.bytes?.classified, eventBytes);
  const other = new Reservoir<LogEvent>(task.keep.other, SAMPLE_SEED + 1, task.keep.bytes?.other, eventBytes);
  const counts = new Map<string, KindCount>();
  const kindOrder = new Map<string, number>();
  // Flushes and compactions of system.log, then of debug.log (the order OperationCounter pairs starts and ends in).
  const ops = new OperationCounter();
  const debugOps = new OperationCounter();
  // StatusLogger dumps, counted without a set of them: system.log's and debug.log's events each come in file order (files oldest
  // first, lines in order), and a row names its thread's last header (SystemLogParser's dumpOfThread), so one thread's rows of
  // one dump come together: a dump is new when a row's key differs from the previous row's of the same log kind and thread
  // (test/logs-keep-budget.test.ts, two threads' dumps interleaved). Memory: one key per thread that logged a dump.
  let dumps = 0;
  const lastDump = new Map<string, string>();
  const systemLevels = new Set<string>();
  const strings = new Interner();
  let baseDate: { date?: string; from?: string } | undefined;
  let earliest: { item: LogEvent; order: number } | undefined;
  let latest: { item: LogEvent; order: number } | undefined;
  const detach = (e: LogEvent) => strings.detach(e);
  // What the findings and the clock check read, exact whatever the sample (./log-evidence.ts).
  const evidence = new Evidence(detach);

  /** An event that passed the repeat check: filter, count, keep. `order` is its place in the old reading order (system.log files, then debug.log). */
  const accept = (e: LogEvent, order: number) => {
    if (kindSet && !kindSet.has(e.kind)) return;
    if (task.from !== undefined && (e.ts === null || e.ts < task.from)) return;
    if (task.to !== undefined && (e.ts === null || e.ts > task.to)) return;
    out.total++;
    let c = counts.get(e.kind);
    if (!c) counts.set(e.kind, (c = { node: task.node, kind: e.kind, count: 0, first: null, last: null }));
    // Kinds are listed in the order the old reading order first met them.
    if (!(order >= (kindOrder.get(e.kind) ?? Infinity))) kindOrder.set(e.kind, order);
    c.count++;
    if (e.ts !== null) {
      if (c.first === null || e.ts < c.first) c.first = e.ts;
      if (c.last === null || e.ts > c.last) c.last = e.ts;
    }
    if (e.kind === "dropped-messages") out.dropped += e.dropped ?? 0;
    else if (e.kind === "gc-pause") out.gcMaxMs = Math.max(out.gcMaxMs ?? 0, e.pause_ms ?? 0);
    else if (e.kind === "statuslogger-pool") {
      const key = `${e.file}|${e.dump ?? e.line}`;
      const thread = `${order < DEBUG_ORDER ? "s" : "d"}|${e.thread}`;
      if (key !== lastDump.get(thread)) {
        dumps++;
        lastDump.set(lastDump.has(thread) ? thread : copy(thread), copy(key));
      }
    } else if (e.kind === "flush" || e.kind === "compaction") (order < DEBUG_ORDER ? ops : debugOps).add(e);
    // Lines a fact rule read are "other" too: what the clock check reads of them is kept by `evidence`, so their copies (one
    // "Node configuration" line per DSE start) are sampled with the other lines instead of filling the classified reservoir.
    (e.kind === "other" ? other : classified).offer(e, order, detach);
    evidence.offer(e, order);
    // The node's earliest and latest events are always kept (a sample still shows where the logs begin and end); ties go by reading order.
    if (e.ts !== null) {
      if (!earliest || e.ts < earliest.item.ts! || (e.ts === earliest.item.ts && order < earliest.order)) earliest = { item: e, order };
      if (!latest || e.ts > latest.item.ts! || (e.ts === latest.item.ts && order > latest.order)) latest = { item: e, order };
    }
  };

  // The node's system.log files, then its debug.log files (files, notes and clock steps are listed in this order).
  const systemFiles = task.files.filter((f) => f.kind === "system-log");
  const debugFiles = task.files.filter((f) => f.kind === "debug-log");
  const perFile = new Map<NodeLogFile, { notes: string[]; info?: LogFileInfo & { index: number }; step?: NodeLogResult["clockSteps"][number] }>();
  for (const f of [...systemFiles, ...debugFiles]) perFile.set(f, { notes: [] });

  // System.log and debug.log are read at the same time: each gets half the chunks in flight, so no more are held than when files were read one after the other.
  const runner = chunks && systemFiles.length && debugFiles.length ? { ...chunks, parallel: Math.max(1, Math.ceil(chunks.parallel / 2)) } : chunks;

  /** One kind's files, in order, as batches of events (each file's events in file order); stops at a cancel. */
  async function* batches(files: NodeLogFile[]): AsyncGenerator<LogEvent[]> {
    for (const f of files) {
      if (out.stoppedIn !== undefined) return;
      const own = perFile.get(f)!;
      const logName = f.kind === "debug-log" ? "debug.log" : "system.log";
      let parser: SystemLogParser | undefined;
      let chars = 0;
      let max = -Infinity;
      let parsedEvents = 0;
      const note = (text: string) => own.notes.push(text);
      let merge: ChunkMerge | undefined;
      let chunkLayout: LogLayout | undefined;
      // Clock stepping back inside the file (every event of the file, before the repeat check).
      const seen = (events: LogEvent[]) => {
        parsedEvents += events.length;
        for (const e of events) {
          if (e.ts === null) continue;
          if (e.ts < max - CLOCK_BACKWARD_STEP_MS) {
            const step = (own.step ??= { node: task.node, file: f.rel, line: e.line, back_ms: max - e.ts, count: 0 });
            step.count++;
            step.back_ms = Math.max(step.back_ms, max - e.ts);
          }
          if (e.ts > max) max = e.ts;
        }
        return events;
      };
      try {
        for await (const block of readLineBlocks(f.path, f.compressed, {
          name: f.name,
          ...(task.maxBytes ? { maxBytes: task.maxBytes } : {}),
          ...(signal ? { signal } : {}),
        })) {
          if (!parser) {
            const layout = given ?? (await layoutFor(task, f, logName, block, confLayouts, note));
            let day: string | undefined;
            if (layout?.timeOnly) {
              baseDate ??= task.date ? { date: task.date, from: "the date option" } : await baseDateFor(task);
              day = baseDate.date;
              if (day)
                note(
                  `${f.rel}: lines carry only a time of day (${layout.pattern}); the day ${day} was taken from ${baseDate.from}. Pass { date: "YYYY-MM-DD" } to override.`,
                );
            }
            parser = new SystemLogParser({ node: task.node, file: f.rel, ...(layout ? { layout } : {}), ...(day ? { baseDate: day } : {}) }, block);
            // A large plain file with a dated layout: parsed as chunks by the workers instead (./log-chunks.ts).
            if (runner && layout && !layout.timeOnly && !f.compressed && f.size >= (runner.minBytes ?? CHUNK_MIN_BYTES)) {
              chunkLayout = layout;
              break;
            }
          }
          parser.feed(block);
          const events = seen(parser.take());
          chars += block.length;
          onProgress({ chars: block.length, fileDone: false });
          if (events.length) yield events;
        }
        if (runner && chunkLayout) {
          merge = new ChunkMerge();
          const file = { node: task.node, path: f.path, file: f.rel, name: f.name, layout: { pattern: chunkLayout.pattern, name: chunkLayout.name } };
          for await (const events of chunkEvents(runner, { ...file, layoutCompiled: chunkLayout }, merge, signal)) {
            const before = chars;
            seen(events);
            chars = merge.chars;
            onProgress({ chars: chars - before, fileDone: false });
            if (events.length) yield events;
          }
        }
      } catch (e) {
        if ((e as Error).name === "AbortError" || (e as Error).name === "TimeoutError" || signal?.aborted) {
          out.stoppedIn ??= f.rel;
          return;
        }
        note(`${f.rel}: could not be read (${(e as Error).message}); skipped.`);
        onProgress({ chars: 0, fileDone: true });
        continue;
      }
      const parsed: ParsedLog = merge
        ? { events: [], lines: merge.lines, layout: chunkLayout!, skipped: merge.skipped, attached: merge.attached, undated: false }
        : parser
          ? parser.end()
          : { events: [], lines: 0, skipped: { count: 0, examples: [] }, attached: 0, undated: false };
      const last = seen(parsed.events);
      onProgress({ chars: 0, fileDone: true });
      if (!parsed.layout)
        note(
          `${f.rel}: no line matched a known log layout (${plural(parsed.lines, "line")} skipped; first: line ${parsed.skipped.examples[0]?.line ?? 1}: "${parsed.skipped.examples[0]?.text ?? ""}"). Put the node's conf/logback.xml in the bundle so its pattern can be used.`,
        );
      else if (parsed.skipped.count)
        note(
          `${f.rel}: ${plural(parsed.skipped.count, "line")} before the first log event skipped (first: line ${parsed.skipped.examples[0].line}: "${parsed.skipped.examples[0].text}").`,
        );
      if (parsed.undated)
        note(
          `${f.rel}: lines carry only a time of day and no day was found (no GC log with dates for node ${task.node}); times are null. Pass { date: "YYYY-MM-DD" }.`,
        );
      own.info = {
        index: f.index,
        node: task.node,
        file: f.rel,
        kind: f.kind,
        layout: parsed.layout?.name ?? null,
        lines: parsed.lines,
        events: parsedEvents,
        skipped: parsed.skipped.count,
        bytes: chars,
      };
      if (last.length) yield last;
    }
  }

  const sys = new EventStream(batches(systemFiles));
  const dbg = new EventStream(batches(debugFiles));
  let sysOrder = 0;
  let dbgOrder = 0;
  try {
    if (debugFiles.length) {
      // The repeat check: system.log events read so far (within the window) as hashes of their repeat key.
      const repeats = window < Infinity ? new RepeatWindow() : new HashCounter();
      /** Latest time of a system.log event read, and of a debug.log event checked. */
      let sysHigh = -Infinity;
      let checkedHigh = -Infinity;
      while (dbg.pos < dbg.buf.length || (await dbg.more())) {
        if (out.stoppedIn !== undefined) break;
        const d = dbg.buf[dbg.pos]!;
        const t = d.ts;
        // Read system.log until past t + window (a debug.log line without a time, or no window: to its end), so every
        // system.log event this debug.log event could repeat (same time) has been read.
        const need = t === null ? Infinity : t + window;
        // What is read ahead is let go once older than the window before this event (a later debug.log event that old breaks the window).
        const horizon = Math.max(checkedHigh, t ?? -Infinity) - window;
        while (sysHigh <= need && (sys.pos < sys.buf.length || (await sys.more()))) {
          const s = sys.buf[sys.pos++]!;
          if (s.ts !== null) {
            if (s.ts > sysHigh) sysHigh = s.ts;
            // A debug.log event at this time may have been checked without it: a clock step or files out of order.
            if (s.ts <= checkedHigh) throw new WindowBroken(`${s.file}:${s.line}`);
          }
          repeats.add(repeatHash(s), s.ts);
          repeats.evictBefore(horizon);
          systemLevels.add(s.level);
          accept(s, sysOrder++);
        }
        if (out.stoppedIn !== undefined) break;
        dbg.pos++;
        if (t !== null) {
          // System.log events at this time were let go already: a clock step or files out of order.
          if (t <= repeats.evictedMax) throw new WindowBroken(`${d.file}:${d.line}`);
          if (t > checkedHigh) checkedHigh = t;
        }
        if (repeats.size && repeats.mayHave(t)) {
          if (systemLevels.has(d.level)) {
            if (repeats.remove(repeatHash(d))) {
              out.duplicates++;
              repeats.evictBefore(checkedHigh - window);
              continue;
            }
          } else if (!sys.done && repeats.has(repeatHash(d))) {
            // It repeats a system.log line only if system.log shows its level somewhere: not known yet.
            throw new WindowBroken(`${d.file}:${d.line}`);
          }
        }
        repeats.evictBefore(checkedHigh - window);
        accept(d, DEBUG_ORDER + dbgOrder++);
      }
      out.repeatCheck.keysPeak = repeats.peak;
    }
    while (out.stoppedIn === undefined && (sys.pos < sys.buf.length || (await sys.more()))) accept(sys.buf[sys.pos++]!, sysOrder++);
  } finally {
    await sys.close();
    await dbg.close();
  }

  for (const f of [...systemFiles, ...debugFiles]) {
    const own = perFile.get(f)!;
    for (const text of own.notes) out.notes.push({ index: f.index, text });
    if (own.info) out.infos.push(own.info);
    if (own.step) out.clockSteps.push(own.step);
  }
  // Kept events in time order; undated ones keep file order at the end.
  const kept = classified.entries().concat(other.entries());
  const inKept = new Set(kept.map((k) => k.item));
  for (const x of [earliest, latest, ...evidence.kept()]) {
    if (x && !inKept.has(x.item)) {
      detach(x.item);
      inKept.add(x.item);
      kept.push(x);
    }
  }
  kept.sort((a, b) => (a.item.ts ?? Infinity) - (b.item.ts ?? Infinity) || a.order - b.order);
  out.events = kept.map((k) => k.item);
  out.counts = [...counts.values()].sort((a, b) => kindOrder.get(a.kind)! - kindOrder.get(b.kind)!);
  out.dumps = dumps;
  out.tallies = evidence.counts();
  out.clockFactsOver = evidence.clockFactsOver;
  out.operations = ops.followedBy(debugOps);
  out.sampled = { classified: [classified.seen, classified.size], other: [other.seen, other.size] };
  if (task.keep.bytes)
    out.sampled.bytes = {
      kept: classified.bytes + other.bytes,
      budget: classified.budget + other.budget,
      reached: classified.cutByBytes || other.cutByBytes,
    };
  if (process.env.CASSPERF_LOG_NODE_STATS) {
    // With node --expose-gc, the heap after a full collection (what the node's structures hold, not garbage).
    (globalThis as { gc?: () => void }).gc?.();
    console.error(
      `log-node stats ${JSON.stringify({
        node: task.node,
        window: out.repeatCheck.window,
        repeatKeysPeak: out.repeatCheck.keysPeak,
        systemEvents: sysOrder,
        debugAccepted: dbgOrder,
        duplicates: out.duplicates,
        reservoirs: [classified.size, other.size],
        reservoirBytes: [classified.bytes, other.bytes],
        pinned: evidence.size,
        interned: strings.size,
        dumps,
        ...ops.sizes(),
        counts: counts.size,
        heapUsedMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
        arrayBuffersMB: Math.round(process.memoryUsage().arrayBuffers / 2 ** 20),
      })}`,
    );
  }
  return out;
}

/** One kind's events (system.log's or debug.log's), one at a time: `buf[pos]` is the next when `pos < buf.length`, else `await more()`. */
class EventStream {
  buf: LogEvent[] = [];
  pos = 0;
  done = false;
  constructor(private readonly source: AsyncGenerator<LogEvent[]>) {}
  /** The next batch; false at the end. */
  async more(): Promise<boolean> {
    while (this.pos >= this.buf.length) {
      if (this.done) return false;
      const r = await this.source.next();
      if (r.done) {
        this.done = true;
        this.buf = [];
        this.pos = 0;
        return false;
      }
      this.buf = r.value;
      this.pos = 0;
    }
    return true;
  }
  async close(): Promise<void> {
    await this.source.return(undefined);
  }
}

/** The layout for a file: the node's conf/logback.xml pattern when it reads the file, else detected from its first block. */
async function layoutFor(
  task: NodeLogTask,
  f: NodeLogFile,
  logName: string,
  sample: string,
  cache: Map<string, LogLayout | null>,
  note: (t: string) => void,
): Promise<LogLayout | undefined> {
  if (!cache.has(logName)) {
    let layout: LogLayout | null = null;
    const pattern = task.confPatterns?.[logName];
    if (pattern) {
      try {
        layout = compileLayout(pattern, "logback.xml");
      } catch {
        layout = null;
      }
    }
    cache.set(logName, layout);
  }
  const fromConf = cache.get(logName);
  if (fromConf) {
    if (layoutCoverage(sample, fromConf) >= 0.5) return fromConf;
    const detected = detectLayout(sample);
    note(
      `${f.rel}: the ${logName} pattern in the node's logback.xml (${fromConf.pattern}) does not match this file; used the detected ${detected?.name ?? "(none)"} layout instead.`,
    );
    return detected;
  }
  return detectLayout(sample);
}

/** The day for console layouts: the first ISO-8601 timestamp in the first block of the node's GC logs. */
async function baseDateFor(task: NodeLogTask): Promise<{ date?: string; from?: string }> {
  for (const g of task.gcLogs ?? []) {
    try {
      for await (const block of readLineBlocks(g.path, g.compressed, { name: g.name, ...(task.maxBytes ? { maxBytes: task.maxBytes } : {}) })) {
        const m = /(\d{4}-\d\d-\d\d)T\d\d:\d\d:\d\d/.exec(block.slice(0, 65536));
        if (m) return { date: m[1], from: `${g.rel}'s first timestamp` };
        break;
      }
    } catch {
      /* unreadable GC log: try the next */
    }
  }
  return {};
}

/**
 * A uniform sample of at most `capacity` items (Vitter's algorithm R) with a seeded generator
 * (mulberry32): every item is kept while fewer than `capacity` have been offered. With a byte
 * budget, items are weighed as they are kept (`weigh`); when the kept bytes pass the budget,
 * items chosen at random (the same generator) are let go until they fit, and the capacity
 * becomes the number kept: a uniform sample minus uniformly chosen items is a uniform sample of
 * the smaller size, and algorithm R goes on from it. An item over the whole budget is not kept.
 * Without a budget, or under it, the draws are the same as without one (the same sample).
 */
class Reservoir<T> {
  private readonly items: { item: T; order: number; bytes: number }[] = [];
  seen = 0;
  /** Bytes of the kept items. */
  bytes = 0;
  /** True once items were let go (or not kept) to stay under the budget. */
  cutByBytes = false;
  private state: number;
  readonly budget: number;
  constructor(
    private capacity: number,
    seed: number,
    budget: number | undefined,
    private readonly weigh: (t: T) => number,
  ) {
    this.state = seed >>> 0;
    this.budget = budget ?? Infinity;
  }
  get size(): number {
    return this.items.length;
  }
  offer(item: T, order: number, keep: (t: T) => void): void {
    const n = this.seen++;
    let j: number;
    if (n < this.capacity) j = this.items.length;
    else {
      j = Math.floor(this.random() * (n + 1));
      if (j >= this.capacity) return;
    }
    const bytes = this.budget < Infinity ? this.weigh(item) : 0;
    if (bytes > this.budget) {
      this.cutByBytes = true;
      return;
    }
    keep(item);
    this.bytes += bytes - (this.items[j]?.bytes ?? 0);
    this.items[j] = { item, order, bytes };
    while (this.bytes > this.budget) {
      // Let go of a kept item chosen at random (the one just kept too: it fits alone) and keep that many from now on.
      const i = Math.floor(this.random() * this.items.length);
      const last = this.items.pop()!;
      this.bytes -= i < this.items.length ? this.items[i]!.bytes : last.bytes;
      if (i < this.items.length) this.items[i] = last;
      this.capacity = this.items.length;
      this.cutByBytes = true;
    }
  }
  entries(): { item: T; order: number }[] {
    return this.items;
  }
  private random(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/**
 * A multiset of repeat keys kept as 53-bit hashes (two 32-bit FNV-1a variants, {@link repeatHash}) in an
 * open-addressing typed-array table: ~16 bytes per entry, whatever the strings' length. Two different
 * strings share a hash with odds of about n²/2⁵⁴ (one in a million for a node's 100,000 system.log
 * lines). Every system.log event of the node stays in it: the check as a whole, when the window cannot be used.
 */
class HashCounter {
  private keys = new Float64Array(1 << 12);
  private counts = new Uint32Array(1 << 12);
  size = 0;
  /** Nothing is let go: the window's interface. */
  readonly evictedMax = -Infinity;
  get peak(): number {
    return this.size;
  }
  add(h: number, _ts: number | null): void {
    if (this.size * 2 >= this.keys.length) this.grow();
    const k = h + 1;
    const i = this.slot(k);
    if (this.keys[i] === 0) {
      this.keys[i] = k;
      this.size++;
    }
    this.counts[i]++;
  }
  /** Remove one occurrence; false when there is none. */
  remove(h: number): boolean {
    const k = h + 1;
    const i = this.slot(k);
    if (this.keys[i] === 0 || this.counts[i] === 0) return false;
    this.counts[i]--;
    return true;
  }
  has(h: number): boolean {
    const i = this.slot(h + 1);
    return this.keys[i] !== 0 && this.counts[i] > 0;
  }
  evictBefore(_horizon: number): void {}
  mayHave(_ts: number | null): boolean {
    return true;
  }
  private slot(k: number): number {
    const mask = this.keys.length - 1;
    let i = ((k % 4294967296) ^ (k / 4294967296)) & mask;
    while (this.keys[i] !== 0 && this.keys[i] !== k) i = (i + 1) & mask;
    return i;
  }
  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.counts = new Uint32Array(oldKeys.length * 2);
    for (let j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] === 0) continue;
      const i = this.slot(oldKeys[j]);
      this.keys[i] = oldKeys[j];
      this.counts[i] = oldCounts[j];
    }
  }
}

/**
 * The system.log events of the last few seconds as hashes of their repeat key (the same 53-bit
 * hash as {@link HashCounter}), in reading order so the oldest go first: a count per hash and a
 * queue of (time, hash). An event without a time is never let go (its repeat can come at any
 * point; such files are console captures, small). {@link evictedMax} is the latest time let go:
 * a debug.log event at or before it could have repeated one, so the caller stops the window there.
 */
class RepeatWindow {
  private readonly counts = new Map<number, number>();
  /** How many held events carry each time (a key holds its time: no event at t, no repeat at t, without hashing). */
  private readonly atTime = new Map<number | null, number>();
  private times: number[] = [];
  private hashes: number[] = [];
  private head = 0;
  evictedMax = -Infinity;
  peak = 0;
  get size(): number {
    return this.counts.size;
  }
  add(h: number, ts: number | null): void {
    this.counts.set(h, (this.counts.get(h) ?? 0) + 1);
    if (this.counts.size > this.peak) this.peak = this.counts.size;
    this.atTime.set(ts, (this.atTime.get(ts) ?? 0) + 1);
    if (ts === null) return;
    this.times.push(ts);
    this.hashes.push(h);
  }
  remove(h: number): boolean {
    const n = this.counts.get(h);
    if (!n) return false;
    if (n === 1) this.counts.delete(h);
    else this.counts.set(h, n - 1);
    return true;
  }
  has(h: number): boolean {
    return this.counts.has(h);
  }
  /** False when no held event carries this time (then no key of that time is held). */
  mayHave(ts: number | null): boolean {
    return this.atTime.has(ts);
  }
  /** Let go of the events before `horizon`, oldest read first (a repeat key holds its time, so every occurrence of a key goes at once). */
  evictBefore(horizon: number): void {
    const times = this.times;
    let i = this.head;
    while (i < times.length && times[i]! < horizon) {
      this.counts.delete(this.hashes[i]!);
      const n = this.atTime.get(times[i]!)!;
      if (n === 1) this.atTime.delete(times[i]!);
      else this.atTime.set(times[i]!, n - 1);
      if (times[i]! > this.evictedMax) this.evictedMax = times[i]!;
      i++;
    }
    this.head = i;
    if (i > 4096 && i * 2 > times.length) {
      this.times = times.slice(i);
      this.hashes = this.hashes.slice(i);
      this.head = 0;
    }
  }
}

/** The running state of {@link repeatHash}: its two 32-bit halves. */
let hashHigh = 0;
let hashLow = 0;
/** The decimal digits of a time, reused (a time is hashed as its digits, as in the key's text, without a string). */
const DIGITS = new Uint8Array(24);

/** Feed a string's characters to the running hash. */
function hashChars(s: string): void {
  let h1 = hashHigh;
  let h2 = hashLow;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  hashHigh = h1;
  hashLow = h2;
}

/** Feed one character code to the running hash. */
function hashChar(c: number): void {
  hashHigh = Math.imul(hashHigh ^ c, 0x01000193);
  let h2 = Math.imul(hashLow ^ c, 0x5bd1e995);
  h2 ^= h2 >>> 15;
  hashLow = h2;
}

/**
 * The repeat key of an event — time, thread, logging call, kind and message, as logs() always compared them: the text
 * `${ts}\u0001${thread}\u0001${source}\u0001${kind}\u0001${message}` — as a 53-bit hash (two 32-bit FNV-1a variants), its
 * characters fed in order (a time as its decimal digits) without building the text: the key string was one allocation of a
 * message's length per system.log event and per debug.log event checked, 187 ms of 3.8 s in a --cpu-prof of logs() on
 * bench:logs' 0.3 GB bundle, one thread. test/logs-repeat-window.test.ts checks it against the hash of the key's text.
 */
export function repeatHash(e: LogEvent): number {
  hashHigh = 0x811c9dc5;
  hashLow = 0x9747b28c;
  const ts = e.ts;
  if (ts !== null && Number.isSafeInteger(ts) && ts >= 0) {
    let n = ts;
    let d = 0;
    do {
      DIGITS[d++] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    while (d > 0) hashChar(DIGITS[--d]!);
  } else hashChars(String(ts));
  hashChar(1);
  hashChars(e.thread ?? "null");
  hashChar(1);
  hashChars(e.source ?? "null");
  hashChar(1);
  hashChars(e.kind);
  hashChar(1);
  hashChars(e.message);
  return (hashHigh >>> 0) * 2097152 + ((hashLow >>> 0) >>> 11);
}

/**
 * Kept events must not hold the 1 MiB block their strings were cut from (V8 keeps a substring as a
 * view of its parent): short repeated strings are interned, messages copied.
 */
class Interner {
  private readonly map = new Map<string, string>();
  get size(): number {
    return this.map.size;
  }
  intern(s: string): string {
    let v = this.map.get(s);
    if (v === undefined) {
      v = copy(s);
      if (this.map.size < 50_000) this.map.set(v, v);
    }
    return v;
  }
  detach(e: LogEvent): void {
    const r = e as unknown as Record<string, unknown>;
    for (const k in r) {
      const v = r[k];
      if (typeof v !== "string" || v.length < 13) continue;
      r[k] = k === "message" || k === "query" || k === "partition_key" ? copy(v) : this.intern(v);
    }
  }
}

/** A flat copy of a string (not a view of a larger one). */
function copy(s: string): string {
  return (" " + s).slice(1);
}

export type { LogEventKind };
